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


def dying_with_parent(argv: list[str]) -> list[str]:
    """argv run so that the child gets SIGTERM when the checker dies, however it dies (killed,
    Ctrl+C twice): no Daphne or probe outlives it. On Linux, util-linux's setpriv sets the
    parent-death signal and execs: nothing of Python runs between fork and exec (a preexec_fn
    could deadlock the child of a process with threads). Elsewhere, argv as it is."""
    import shutil

    if sys.platform.startswith("linux") and shutil.which("setpriv"):
        return ["setpriv", "--pdeathsig", "TERM", "--", *argv]
    return list(argv)
