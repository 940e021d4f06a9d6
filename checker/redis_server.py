"""Redis for the workbook: where it is (REDIS_URL and its provenance), whether it answers, and
the one launcher of a private redis-server (`make redis`, the tests, the bench, the grader).

A private server listens on 127.0.0.1 only, keeps nothing on disk, and is stopped by its pid.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

from checker import ROOT
from checker.processes import free_port

# `make redis`: the pid, the URL and the log of our private server (a test points it elsewhere).
STATE = Path(os.environ.get("WORKBOOK_REDIS_STATE") or ROOT / ".redis")
DEFAULT_URL = "redis://127.0.0.1:6379/0"

INSTALL = """redis-server is not installed. Install it, then run `make redis` again:
  Debian/Ubuntu:  sudo apt-get install redis-server
  macOS:          brew install redis
  Windows:        install Memurai (a Redis for Windows) and run `memurai`,
                  or use Redis inside WSL (sudo apt-get install redis-server)."""


def ping(url: str, timeout: float = 0.5) -> bool:
    """True when a Redis server answers PING at `url` (no client library needed)."""
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


class RedisServer:
    """A redis-server of our own on a free loopback port (or `port`)."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = Path(folder)
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.pid: int | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError(INSTALL)
        return [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.folder)]

    def start(self, daemonize: bool = False, timeout: float = 10) -> RedisServer:
        """Start and wait until it answers. A daemon outlives us (`make redis`); its pid is
        kept in folder/redis.pid so that `stop` ends only that process."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if daemonize:
            pidfile = self.folder / "redis.pid"
            subprocess.run(self.command() + [
                "--daemonize", "yes", "--pidfile", str(pidfile), "--logfile", str(self.folder / "redis.log"),
            ], check=True)
        else:
            self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.pid = self.process.pid
        deadline = time.monotonic() + timeout
        while not ping(self.url):
            if time.monotonic() > deadline or (self.process and self.process.poll() is not None):
                self.stop()
                raise RuntimeError(f"redis-server did not answer on {self.url}")
            time.sleep(0.05)
        if daemonize:
            self.pid = pid_from(self.folder / "redis.pid")
        return self

    def stop(self, timeout: float = 10) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                self.process.wait(timeout=timeout)
        elif self.pid:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


def pid_from(path: Path) -> int | None:
    """The pid in `path` when that process is alive."""
    try:
        pid = int(path.read_text().strip() or 0)
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid or None


# --- `make redis`'s server -------------------------------------------------------------------
def saved_url() -> str | None:
    path = STATE / "url"
    return path.read_text().strip() if path.exists() else None


def running_pid() -> int | None:
    return pid_from(STATE / "redis.pid")


def current_url() -> str:
    """REDIS_URL if set, else our private server if it runs, else the default."""
    return url_and_source()[0]


def url_and_source() -> tuple[str, str]:
    """The URL the workbook uses and where it came from: "environment" (REDIS_URL),
    "make-redis" (.redis/url of a running `make redis`), or "default"."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"], "environment"
    url = saved_url()
    if url and running_pid():
        return url, "make-redis"
    return DEFAULT_URL, "default"


# --- why Redis does not answer ---------------------------------------------------------------
HOST_PORT = re.compile(r"(?:connecting to |redis://|\(')([\w.\-]+)(?::|', )(\d+)")


def survey(project_hosts: str = "") -> dict:
    """What the workbook knows of Redis, for a diagnosis: the URL it uses and where that came
    from, whether it answers, what else answers (a `make redis` server, 127.0.0.1:6379), and
    the address the project itself tried (from its layer's hosts or the error)."""
    url, source = url_and_source()
    made = saved_url() if running_pid() else None
    found = HOST_PORT.search(project_hosts or "")
    tried = f"redis://{found.group(1)}:{found.group(2)}" if found else ""
    return {
        "url": url, "source": source, "answers": ping(url),
        "make_redis": made if made and made != url and ping(made) else "",
        "default": DEFAULT_URL if url != DEFAULT_URL and ping(DEFAULT_URL) else "",
        "tried": tried if tried and not url.startswith(tried) else "",
    }
