"""Every check the checker knows, by id: functions that take a context and raise CheckFailed.

A check is declared once, in course.toml; its code registers the same id here with @check,
in the module of checker/checks/ that holds its kind. A check may be sync (run in a worker
thread: Django's test client) or async (WebSocket clients on the probe's event loop). It
returns None or a Note (a key and parameters) for a pass. Checks of nature "servers" are run
by the runner, in the workbook's own process (checker/outside.py), not in the probe. A check
with `verify = "same"` in course.toml also runs, as it is, against the live servers
(checker/live.py); one with `verify = "own"` has an @verifier of its own for that.
"""

from __future__ import annotations

import importlib
import pkgutil

REGISTRY: dict[str, object] = {}
# Verdicts decided from outside the project's process (course.toml `verify = "own"`): the same
# behaviour judged against its live servers, its Redis, or its source read without importing it.
VERIFIERS: dict[str, object] = {}


def check(check_id: str):
    def register(function):
        if check_id in REGISTRY and REGISTRY[check_id] is not function:
            raise ValueError(f"two functions register the check {check_id!r}")
        REGISTRY[check_id] = function
        return function

    return register


def verifier(check_id: str):
    def register(function):
        VERIFIERS[check_id] = function
        return function

    return register


def load_all() -> dict[str, object]:
    """Import every module of this package (that fills REGISTRY) and return the registry."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return REGISTRY
