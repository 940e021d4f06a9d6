"""`python -m checker.zygote`: a warm process of the project's interpreter, for `checker watch`.

Starting Python and importing Django and Channels takes most of a small step's check. The
zygote does it once (nothing of the project: no settings are read, Django is not set up), then
forks one probe per request, so a check after a save starts warm. POSIX only (fork); the
runner starts probes the usual way elsewhere.

Requests come on stdin, one JSON line each: {"job", "cwd", "env", "output"}. The answer is a
line {"pid": N} (the probe, its own session leader: stop it with its process group), or
{"stale": true} when packages were installed since the zygote started (it then exits, and
the runner starts a fresh one).
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import sysconfig
from pathlib import Path

# Imports that read no settings: safe before DJANGO_SETTINGS_MODULE is known.
WARM = (
    "django", "django.conf", "django.apps", "django.urls", "django.http", "django.template",
    "django.template.loader", "django.views.generic", "django.core.handlers.asgi",
    "django.core.handlers.wsgi", "django.test.client", "django.db", "channels", "channels.routing",
    "channels.generic.websocket", "channels.layers", "channels.db", "channels.testing",
    "asgiref.sync", "checker.probe", "checker.context", "checker.checks",
)


def warm_up():
    for name in WARM:
        try:
            importlib.import_module(name)
        except Exception:  # not installed yet (step 01 has no Channels): the probe says so
            for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
                sys.modules.pop(loaded, None)


def packages_stamp() -> float:
    """When the interpreter's packages last changed (a pip install adds or removes folders)."""
    stamps = []
    for key in ("purelib", "platlib"):
        try:
            stamps.append(Path(sysconfig.get_paths()[key]).stat().st_mtime)
        except (KeyError, OSError):
            pass
    return max(stamps, default=0.0)


def run_child(request: dict):
    """In the forked child: become the probe the request describes."""
    os.setsid()
    output = os.open(request["output"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(output, 1)
    os.dup2(output, 2)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    sys.path[:0] = [request["cwd"], *filter(None, request["env"].get("PYTHONPATH", "").split(os.pathsep))]
    importlib.invalidate_caches()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the probe waits for its own children
    from checker.probe import main as probe

    probe([request["job"]])  # ends with os._exit


def main():
    warm_up()
    started = packages_stamp()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped for us
    for line in sys.stdin:
        try:
            request = json.loads(line)
        except ValueError:
            continue
        if packages_stamp() != started:
            print(json.dumps({"stale": True}), flush=True)
            return
        pid = os.fork()
        if pid == 0:
            try:
                run_child(request)
            finally:
                os._exit(70)
        print(json.dumps({"pid": pid}), flush=True)


if __name__ == "__main__":
    main()
