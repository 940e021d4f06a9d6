"""Live servers for the reliability suite: a private redis-server and Daphne processes of
steps/08-hardened, each on a free loopback port, stopped by pid when the test ends."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from checker import ROOT
from checker.daphne import LISTENING
from checker.processes import free_port
from tools.redis_server import ping

STEP = ROOT / "steps" / "08-hardened"


class PrivateRedis:
    """A redis-server of the test's own, so it may be stopped and started again."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not ping(self.url):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def project_copy(folder: Path) -> Path:
    """A copy of step 08 with its database migrated: the repo's folder stays untouched."""
    copy = folder / "project"
    shutil.copytree(STEP, copy, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=copy, check=True)
    return copy


class Daphne:
    def __init__(self, project: Path, redis_url: str, log: Path):
        self.log_path = log
        env = dict(os.environ, REDIS_URL=redis_url, PYTHONDONTWRITEBYTECODE="1")
        env.pop("DJANGO_SETTINGS_MODULE", None)
        self.log = open(log, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", "0", "chatsite.asgi:application"],
            cwd=project, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            match = LISTENING.search(log.read_text())
            if match:
                self.port = int(match.group(1))
                break
            assert self.process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "Daphne did not start"
            time.sleep(0.05)

    def url(self, room: str) -> str:
        from urllib.parse import quote

        return f"ws://127.0.0.1:{self.port}/ws/chat/{quote(room)}/"

    def output(self) -> str:
        return self.log_path.read_text()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
