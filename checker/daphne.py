"""Daphne server processes for the live checks: free loopback ports, stopped by pid."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time

LISTENING = re.compile(r"Listening on TCP address [\d.]+:(\d+)")
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b(: .*)?$")


def asgi_target(setting: str) -> str:
    """"chatsite.asgi.application" -> "chatsite.asgi:application" (Daphne's syntax)."""
    module, _, attribute = setting.rpartition(".")
    return f"{module}:{attribute}"


class DaphnePair:
    """`count` Daphne processes of the project, each on a port the OS picks (-p 0)."""

    def __init__(self, processes, logs):
        self.processes = processes
        self.logs = logs

    @classmethod
    def start(cls, asgi_application: str, count: int = 2) -> DaphnePair:
        processes, logs = [], []
        for _ in range(count):
            log = tempfile.TemporaryFile(mode="w+")
            command = [
                sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", "0",
                asgi_target(asgi_application),
            ]
            # Same environment as the probe: its settings overlay, its temporary database.
            processes.append(subprocess.Popen(command, stdout=log, stderr=log, env=os.environ))
            logs.append(log)
        return cls(processes, logs)

    def _read(self, index: int) -> str:
        log = self.logs[index]
        log.seek(0)
        return log.read()

    async def ready(self, timeout: float) -> list[int]:
        deadline = time.monotonic() + timeout
        ports: list[int | None] = [None] * len(self.processes)
        while time.monotonic() < deadline:
            for i, process in enumerate(self.processes):
                if ports[i] is None:
                    match = LISTENING.search(self._read(i))
                    if match:
                        ports[i] = int(match.group(1))
                    elif process.poll() is not None:
                        raise RuntimeError(self.log_tail(i))
            if all(ports):
                return ports
            await asyncio.sleep(0.05)
        raise RuntimeError(self.log_tail())

    def last_error(self, root) -> str:
        """The last exception line the servers logged, and the last line of the project's
        own code in a traceback (none when the error was raised inside Channels)."""
        text = "\n".join(self._read(i) for i in range(len(self.processes)))
        error, where = "", ""
        for line in text.splitlines():
            stripped = line.strip()
            if EXCEPTION_LINE.match(stripped):
                error = stripped
            elif stripped.startswith(f'File "{root}/'):
                where = stripped.replace(f"{root}/", "")
        return f"{error}\n{where}".strip() if error else self.log_tail(lines=5)

    def log_tail(self, index: int | None = None, lines: int = 15) -> str:
        indexes = [index] if index is not None else range(len(self.processes))
        text = "\n".join(self._read(i) for i in indexes)
        return "\n".join(text.strip().splitlines()[-lines:])

    def stop(self):
        """Stop by pid. A sync consumer can hold SIGTERM up in its disconnect for seconds;
        the checker is done with the servers, so it waits briefly, then kills."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self.logs:
            log.close()
