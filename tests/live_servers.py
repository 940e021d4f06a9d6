"""Live servers for the reliability suite: a private redis-server and Daphne processes of
steps/09-history, each on a free loopback port, stopped by pid when the test ends. Both start
through the checker's own launchers (checker/redis_server.py, checker/daphne.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from checker import ROOT, daphne
from checker.redis_server import RedisServer

STEP = ROOT / "steps" / "09-history"


class PrivateRedis(RedisServer):
    """A redis-server of the test's own, so it may be stopped and started again (same port)."""


def project_copy(folder: Path) -> Path:
    """A copy of step 09 with its database migrated: the repo's folder stays untouched."""
    copy = folder / "project"
    shutil.copytree(STEP, copy, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=copy, check=True)
    return copy


class Daphne(daphne.Daphne):
    """Step 09's Daphne on a port of its own choosing, ready when constructed."""

    def __init__(self, project: Path, redis_url: str, log: Path):
        env = dict(os.environ, REDIS_URL=redis_url, PYTHONDONTWRITEBYTECODE="1")
        env.pop("DJANGO_SETTINGS_MODULE", None)
        super().__init__("chatsite.asgi.application", cwd=project, env=env, log_path=log)
        self.wait_ready(timeout=30)

    def url(self, room: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/chat/{quote(room)}/"

    def stop(self):
        super().stop(grace=10)
