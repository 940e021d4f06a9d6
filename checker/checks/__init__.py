"""Every check the checker knows, by id: functions that take a Context and raise CheckFailed.

A check may be sync (run in a worker thread: Django's test client) or async (WebSocket
clients on the probe's event loop). It returns None or a short note for a pass.
"""

from __future__ import annotations

REGISTRY: dict[str, object] = {}


def check(check_id: str):
    def register(function):
        REGISTRY[check_id] = function
        return function

    return register


def load_all():
    # Importing the modules fills REGISTRY.
    from checker.checks import asgi_app, groups, hardened, own_tests, pages, servers, sockets  # noqa: F401

    return REGISTRY
