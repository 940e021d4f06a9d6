"""Loopback ports and process groups: the two things every live server here needs."""

from __future__ import annotations

import os
import signal
import socket


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kill_group(pid: int, sig: int = signal.SIGKILL) -> None:
    """Signal a process started with start_new_session=True, and everything it started."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass
