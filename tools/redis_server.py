"""`make redis`: a private redis-server on a free loopback port, or how to install one.

    python -m tools.redis_server start | stop | status | url

The server keeps nothing on disk, listens on 127.0.0.1 only, and is remembered in .redis/
(pid and URL) so that `make` targets use it and `stop` ends only the process it started.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys

from checker import redis_server
from checker.redis_server import INSTALL, RedisServer, current_url, ping, running_pid, saved_url

__all__ = ["INSTALL", "current_url", "ping", "main"]


def start() -> int:
    url = saved_url()
    if url and running_pid() and ping(url):
        print(f"Redis (ours) is already running at {url}\n  export REDIS_URL={url}")
        return 0
    if shutil.which("redis-server") is None:
        print(INSTALL, file=sys.stderr)
        return 1
    state = redis_server.STATE
    try:
        server = RedisServer(state).start(daemonize=True)
    except RuntimeError as exc:
        print(f"{exc}; see {state / 'redis.log'}", file=sys.stderr)
        return 1
    (state / "url").write_text(server.url + "\n")
    print(f"Redis is running at {server.url} (pid {server.pid}).")
    print("The Makefile's targets use it from now on; in your own shell:")
    print(f"  export REDIS_URL={server.url}")
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
        (redis_server.STATE / name).unlink(missing_ok=True)
    return 0


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
