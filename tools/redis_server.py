"""`make redis`: a private redis-server on a free loopback port, or how to install one.

    python -m tools.redis_server start | stop | status | url

The server keeps nothing on disk, listens on 127.0.0.1 only, and is remembered in .redis/
(pid and URL) so that `make` targets use it and `stop` ends only the process it started.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from checker.processes import free_port

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".redis"
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


def saved_url() -> str | None:
    path = STATE / "url"
    return path.read_text().strip() if path.exists() else None


def running_pid() -> int | None:
    path = STATE / "redis.pid"
    if not path.exists():
        return None
    pid = int(path.read_text().strip() or 0)
    try:
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def start() -> int:
    url = saved_url()
    if url and running_pid() and ping(url):
        print(f"Redis (ours) is already running at {url}\n  export REDIS_URL={url}")
        return 0
    binary = shutil.which("redis-server")
    if binary is None:
        print(INSTALL, file=sys.stderr)
        return 1
    STATE.mkdir(exist_ok=True)
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    subprocess.run(
        [
            binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--daemonize", "yes", "--dir", str(STATE), "--pidfile", str(STATE / "redis.pid"),
            "--logfile", str(STATE / "redis.log"),
        ],
        check=True,
    )
    deadline = time.monotonic() + 5
    while not ping(url):
        if time.monotonic() > deadline:
            print(f"redis-server did not answer on {url}; see {STATE / 'redis.log'}", file=sys.stderr)
            return 1
        time.sleep(0.05)
    (STATE / "url").write_text(url + "\n")
    print(f"Redis is running at {url} (pid {running_pid()}).")
    print("The Makefile's targets use it from now on; in your own shell:")
    print(f"  export REDIS_URL={url}")
    print("Stop it with `make redis-stop`.")
    return 0


def stop() -> int:
    pid = running_pid()
    if pid is None:
        print("No Redis of ours is running.")
    else:
        os.kill(pid, signal.SIGTERM)
        print(f"Stopped our Redis (pid {pid}).")
    for name in ("url", "redis.pid"):
        (STATE / name).unlink(missing_ok=True)
    return 0


def current_url() -> str:
    """REDIS_URL if set, else our private server if it runs, else the default."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    url = saved_url()
    return url if url and running_pid() else DEFAULT_URL


def status() -> int:
    url = current_url()
    up = ping(url)
    print(f"{url}: {'answers' if up else 'no answer'}")
    return 0 if up else 1


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv else "start"
    actions = {"start": start, "stop": stop, "status": status, "url": lambda: print(current_url()) or 0}
    if command not in actions:
        print(f"usage: python -m tools.redis_server {'|'.join(actions)}", file=sys.stderr)
        return 2
    return actions[command]()


if __name__ == "__main__":
    sys.exit(main())
