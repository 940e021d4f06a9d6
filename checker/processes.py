"""Loopback ports and process groups: the two things every live server here needs."""

from __future__ import annotations

import os
import signal
import socket
import sys


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


def die_with_parent():
    """For Popen(preexec_fn=...): on Linux the child gets SIGTERM when the checker dies, however
    it dies (killed, Ctrl+C twice), so no Daphne or probe outlives it. Elsewhere: nothing.
    prctl is looked up here, before the fork: the child only calls it (no import, no lock)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    PR_SET_PDEATHSIG = 1
    return lambda: prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))
