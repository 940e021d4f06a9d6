"""How a probe process starts: spawned afresh (the default), or forked by a warm zygote of the
project's interpreter (checker/zygote.py) for `watch`, where every save re-runs the checks."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from checker.processes import dying_with_parent, kill_group


class Spawned:
    """A process (a probe, by default) started with Popen, in a session of its own."""

    def __init__(self, python: str, job_path: Path | None, cwd: Path, env: dict, output: Path, argv: list | None = None):
        with open(output, "ab") as out:
            self.process = subprocess.Popen(
                dying_with_parent(argv or [python, "-m", "checker.probe", str(job_path)]), cwd=cwd, env=env,
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )
        self.pid = self.process.pid

    def ended(self, timeout: float) -> bool:
        try:
            self.process.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def returncode(self) -> int | None:
        return self.process.poll()

    def finish(self):
        # Its group holds any test suite or browser it started.
        kill_group(self.pid)
        self.process.wait()


class Forked:
    """A probe the zygote forked: not our child, so watched by its pid."""

    def __init__(self, pid: int):
        self.pid = pid

    def ended(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)

    def finish(self):
        kill_group(self.pid)
        self.ended(2.0)


def spawn(python, job_path, cwd, env, output):
    return Spawned(python, job_path, cwd, env, output)


class Zygote:
    """One warm process of an interpreter; `start` has the same shape as `spawn`."""

    def __init__(self, python: str, env: dict):
        from checker.runner import checker_path

        self.python = python
        self.folder = Path(tempfile.mkdtemp(prefix="checker-zygote-"))
        self.env = dict(env, PYTHONPATH=str(checker_path(self.folder)), PYTHONDONTWRITEBYTECODE="1")
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.process = None

    @staticmethod
    def available() -> bool:
        return hasattr(os, "fork")

    def _ensure(self):
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                dying_with_parent([self.python, "-m", "checker.zygote"]), cwd=self.folder, env=self.env,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                text=True, start_new_session=True,
            )

    def start(self, python, job_path, cwd, env, output):
        if python != self.python:
            return spawn(python, job_path, cwd, env, output)
        for _ in range(2):
            self._ensure()
            request = {"job": str(job_path), "cwd": str(cwd), "env": env, "output": str(output)}
            try:
                self.process.stdin.write(json.dumps(request) + "\n")
                self.process.stdin.flush()
                answer = json.loads(self.process.stdout.readline() or "{}")
            except (OSError, ValueError):
                answer = {}
            if "pid" in answer:
                return Forked(answer["pid"])
            self.stop()  # stale (packages changed) or gone: a fresh one
        return spawn(python, job_path, cwd, env, output)

    def warm(self):
        """Start it now, so that the first check after a save finds it warm."""
        self._ensure()

    def stop(self):
        if self.process is not None:
            kill_group(self.process.pid)
            self.process.wait()
            self.process = None
