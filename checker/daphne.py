"""Starting servers of a project: the one launcher the checker, the tests and the bench use.

A server runs as a process of its own on a loopback port, logs to a file, and is stopped by
its pid. `Daphne` is the lecture's server; with port 0 the OS picks the port and Daphne's log
says which. Logs are read incrementally: a project may print megabytes while it imports.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from checker.failures import LISTENING, daphne_error
from checker.processes import dying_with_parent


def asgi_target(setting: str) -> str:
    """"chatsite.asgi.application" -> "chatsite.asgi:application" (Daphne's syntax)."""
    module, _, attribute = setting.rpartition(".")
    return f"{module}:{attribute}"


class ServerProcess:
    """One server process whose output goes to a log file."""

    def __init__(self, command: list[str], *, cwd, env: dict, log_path: Path | None = None):
        self.command = command
        if log_path is None:
            handle, name = tempfile.mkstemp(prefix="server-", suffix=".log")
            os.close(handle)
            log_path, self._own_log = Path(name), True
        else:
            self._own_log = False
        self.log_path = Path(log_path)
        self._log = open(self.log_path, "wb")
        self.launched = time.monotonic()
        self.process = subprocess.Popen(
            dying_with_parent(command), cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self.pid = self.process.pid
        self._offset = 0
        self._pending = b""  # the start of a line not yet ended

    def new_lines(self) -> list[str]:
        """Lines logged since the last call (a line still being written waits for its end)."""
        with open(self.log_path, "rb") as log:
            log.seek(self._offset)
            data = log.read()
        self._offset += len(data)
        *lines, self._pending = (self._pending + data).split(b"\n")
        return [line.decode("utf-8", "replace") for line in lines]

    def output(self, limit: int = 1 << 20) -> str:
        """The log's last `limit` bytes."""
        try:
            size = self.log_path.stat().st_size
            with open(self.log_path, "rb") as log:
                log.seek(max(0, size - limit))
                return log.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def tail(self, lines: int = 15) -> str:
        return "\n".join(self.output(64 * 1024).strip().splitlines()[-lines:])

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, grace: float = 0.5) -> None:
        """SIGTERM by pid, SIGKILL after `grace` seconds (a sync consumer can hold SIGTERM up in
        its disconnect for seconds; whoever stops a server is done with it)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        if self._own_log:
            self.log_path.unlink(missing_ok=True)


class Daphne(ServerProcess):
    """`python -m daphne` for an ASGI application, on 127.0.0.1."""

    def __init__(self, application: str, *, python: str = sys.executable, cwd=None, env: dict | None = None,
                 port: int = 0, log_path: Path | None = None):
        command = [python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), asgi_target(application)]
        super().__init__(command, cwd=cwd, env=os.environ if env is None else env, log_path=log_path)
        self.port: int | None = None  # known once Daphne's log says it listens

    def poll(self) -> int | None:
        """The port once Daphne says it listens; RuntimeError with its log if it ended first."""
        if self.port is None:
            for line in self.new_lines():
                match = LISTENING.search(line)
                if match:
                    self.port = int(match.group(1))
                    break
            else:
                if self.process.poll() is not None:
                    raise RuntimeError(self.tail())
        return self.port

    def listening(self, timeout: float) -> int | None:
        """The port once Daphne listens; None while it starts; RuntimeError when it ended or
        did not listen within `timeout` seconds of its launch."""
        port = self.poll()
        if port is None and time.monotonic() - self.launched > timeout:
            raise RuntimeError(f"Daphne did not listen within {timeout:g} s of its start:\n{self.tail()}")
        return port

    def wait_ready(self, timeout: float = 30) -> int:
        while (port := self.listening(timeout)) is None:
            time.sleep(0.05)
        return port

    async def ready(self, timeout: float = 30) -> int:
        while (port := self.listening(timeout)) is None:
            await asyncio.sleep(0.05)
        return port

    def error(self, root: Path) -> str:
        """The exception the server logged, with the project's line (failures.daphne_error)."""
        return daphne_error(self.output(), root)


class DaphnePair:
    """Several Daphne processes of one project (two, for a room shared across servers)."""

    def __init__(self, servers: list[Daphne]):
        self.servers = servers

    @classmethod
    def start(cls, application: str, count: int = 2, **options) -> DaphnePair:
        return cls([Daphne(application, **options) for _ in range(count)])

    async def ready(self, timeout: float = 30) -> list:
        from checker.live import Endpoint

        return [Endpoint(port=await server.ready(timeout)) for server in self.servers]

    def exceptions(self) -> int:
        """How many tracebacks the servers have logged so far."""
        return sum(server.output().count("Traceback (most recent call last)") for server in self.servers)

    def exception(self, root: Path) -> str:
        """The exception either server logged (with the project's line), or ""."""
        return next((e for e in (server.error(root) for server in self.servers) if e), "")

    def last_error(self, root: Path) -> str:
        return self.exception(root) or "\n".join(s.tail(5) for s in self.servers)

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
