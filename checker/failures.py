"""What the checker knows about how projects fail, in one place.

Everything that maps something a failing project produced (an exception, a line of Daphne's
log, a message of Channels', the output of `manage.py test`) to a diagnosis key lives here;
the keys' sentences are in the catalogs (checker/i18n.py). Only the standard library at import
time: the probe, which runs in the student's interpreter, uses this module.
"""

from __future__ import annotations

import difflib
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from checker.i18n import N_

# --- packages ------------------------------------------------------------------------------
# Packages a lesson asks for, and what to pip install when one is missing.
PACKAGES = {
    "django": '"django>=5.2,<5.3"',
    "channels": '"channels[daphne]"',
    "daphne": '"channels[daphne]"',
    "channels_redis": "channels-redis",
    "redis": '"redis<8"',
    "selenium": "selenium",
}

# --- keys that mean "the project hung", and observations that lead a hint ------------------
HANG_KEYS = frozenset({"ws-connect-hangs", "ws-disconnect-hangs", "timeout"})
# Rendered before the message's own hint: what Python itself observed is the surest cause.
OBSERVATIONS = ("hint-never-awaited",)
NEVER_AWAITED = "never awaited"


@dataclass
class Diagnosis:
    error: str  # "ModuleNotFoundError: No module named 'chat.comsumer'"
    where: str  # "chat/routing.py:3", or "" when no line of the project is involved
    cause: str  # a hint-* key
    params: dict = field(default_factory=dict)

    def as_params(self) -> dict:
        return {"error": self.error, "where": self.where or "?", **self.params}


# --- exceptions ----------------------------------------------------------------------------
def chain(exc: BaseException) -> list[BaseException]:
    """The exception and the ones behind it, as Python prints them (`from None` hides one)."""
    found, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        found.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return found


def root_cause(exc: BaseException) -> BaseException:
    """The deepest exception in the chain that says something: the one a student fixes.

    asyncio's plumbing (CancelledError, a bare TimeoutError) sits under the real error when
    a time-out cancels a task, as redis-py does: it is skipped.
    """
    found = chain(exc)
    meaningful = [e for e in found if not _plumbing(e)]
    return (meaningful or found)[-1]


def _plumbing(exc: BaseException) -> bool:
    import asyncio

    if isinstance(exc, asyncio.CancelledError):
        return True
    return type(exc) in (TimeoutError, asyncio.TimeoutError) and not str(exc)


def project_frame(exc: BaseException, root: Path) -> str:
    """file:line of the last traceback frame inside the project, as a relative path."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return _relative(Path(exc.filename), root, exc.lineno)
    where = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if path.is_relative_to(root):
            where = _relative(path, root, frame.lineno)
    return where


def _relative(path: Path, root: Path, line) -> str:
    try:
        shown = path.resolve().relative_to(root)
    except ValueError:
        shown = path
    return f"{shown}:{line}"


def redis_unreachable(exc: BaseException) -> bool:
    """redis-py could not reach the server (refused, unreachable, reset), anywhere in the chain."""
    return any(type(e).__module__.startswith("redis") and "Connection" in type(e).__name__ for e in chain(exc))


def diagnose(exc: BaseException, root: Path) -> Diagnosis:
    cause = root_cause(exc)
    # The first project line counts most: ImproperlyConfigured wraps the real error.
    where = project_frame(cause, root) or project_frame(exc, root)
    if redis_unreachable(exc):
        return Diagnosis(f"{type(cause).__name__}: {cause}", where, N_("hint-redis-down"))
    key, params = _cause(cause, root)
    where = params.pop("where", "") or where  # a cause that knows the line better
    return Diagnosis(f"{type(cause).__name__}: {cause}".strip(), where, key, params)


def _cause(cause: BaseException, root: Path) -> tuple[str, dict]:
    name = type(cause).__name__
    text = str(cause)
    if isinstance(cause, ImportError) and "django.conf.urls" in text and "'url'" in text:
        return N_("hint-url-removed"), {}
    if isinstance(cause, ModuleNotFoundError) and cause.name:
        top = cause.name.split(".")[0]
        if (root / top).is_dir() or (root / f"{top}.py").is_file():
            return N_("hint-module-typo"), {"module": cause.name, "suggestion": _similar(cause.name, root)}
        if top in PACKAGES:
            return N_("hint-missing-package"), {"module": top, "package": PACKAGES[top]}
        return N_("hint-missing-module"), {"module": cause.name}
    if isinstance(cause, SyntaxError):
        return N_("hint-syntax"), {}
    if name == "AppRegistryNotReady":
        return N_("hint-apps-not-ready"), {}
    if name == "TemplateDoesNotExist":
        return N_("hint-template-missing"), {"template": text}
    if isinstance(cause, RuntimeError) and "cannot use AsyncToSync in the same thread" in text:
        return N_("hint-async-to-sync-in-async"), {}
    if isinstance(cause, TypeError) and "can't be used in 'await' expression" in text:
        return N_("hint-await-sync"), {}
    if name == "OperationalError" and "no such table" in text:
        return N_("hint-no-table"), {}
    if name == "SynchronousOnlyOperation":
        return N_("hint-sync-only"), {}
    if name == "TimeoutError" and "reading from" in text.lower():
        return N_("hint-redis-socket-timeout"), {}
    if "Connection" in name and (
        type(cause).__module__.startswith("redis") or "connecting to" in text
    ):
        return N_("hint-redis-down"), {}
    if isinstance(cause, ValueError) and text.startswith("No handler for message type"):
        event_type = text.rsplit(" ", 1)[-1]
        return N_("hint-no-handler"), {"type": event_type, "method": event_type.replace(".", "_")}
    if isinstance(cause, TypeError) and "Group name must be" in text:
        return N_("hint-group-name"), {}
    if isinstance(cause, TypeError) and re.match(r"get_asgi_application\(\) takes 0 positional", text):
        return N_("hint-asgi-app-not-called"), {"where": _line_of(root, "*/asgi.py", UNCALLED_ASGI_APP)}
    if isinstance(cause, AttributeError) and re.match(r"'NoneType' object has no attribute 'group_(add|discard|send)'", text):
        return N_("hint-layer-none"), {}
    if isinstance(cause, KeyError):
        return N_("hint-key-error"), {"key": text}
    return N_("hint-generic"), {}


UNCALLED_ASGI_APP = re.compile(r"^(?!\s*(from|import)\b).*\bget_asgi_application\b(?!\s*\()")


def _line_of(root: Path, files: str, pattern: re.Pattern) -> str:
    """file:line of the first line of the project's `files` that matches `pattern`."""
    for path in sorted(root.glob(files)):
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if pattern.search(line):
                return f"{path.relative_to(root)}:{number}"
    return ""


def _similar(module: str, root: Path) -> str:
    """`chat.comsumer` -> `chat.consumers` when such a file exists."""
    package, _, leaf = module.rpartition(".")
    folder = root.joinpath(*package.split(".")) if package else root
    names = [p.stem for p in folder.glob("*.py")] + [
        p.name for p in folder.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    ] if folder.is_dir() else []
    close = difflib.get_close_matches(leaf, names, n=1, cutoff=0.6)
    return f"{package}.{close[0]}" if close and package else (close[0] if close else "")


# --- Channels' own messages ----------------------------------------------------------------
def websocket_refusal(exc: BaseException) -> str | None:
    """The key for a ValueError Channels raises when a socket reaches no consumer."""
    message = str(exc)
    if "No route found" in message:
        return N_("ws-no-route")
    if "No application configured for scope type 'websocket'" in message:
        return N_("ws-no-protocol")
    return None


# --- Daphne's log --------------------------------------------------------------------------
LISTENING = re.compile(r"Listening on TCP address [\d.]+:(\d+)")
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b(: .*)?$")


def daphne_error(log: str, root: Path) -> str:
    """The last exception line a server logged, and the last line of the project's own code
    in a traceback (none when the error was raised inside Channels); "" when there is none."""
    error, where = "", ""
    for line in log.splitlines():
        stripped = line.strip()
        if EXCEPTION_LINE.match(stripped):
            error = stripped
        elif stripped.startswith(f'File "{root}/'):
            where = stripped.replace(f"{root}/", "")
    return f"{error}\n{where}".strip() if error else ""


# --- `manage.py test` ----------------------------------------------------------------------
RAN = re.compile(r"^Ran (\d+) tests? in", re.M)
FAILED_TEST = re.compile(r"^(?:FAIL|ERROR): (\S+) \(([^)]*)\)", re.M)
SKIPPED = re.compile(r"skipped=(\d+)")
# The traceback's source line of a test that asserted its socket was accepted, in any
# spelling: self.assertTrue(connected), self.assertTrue(connected, "..."), assert connected.
REFUSED = re.compile(r"^\s*(?:self\.assertTrue\(|assert )connected\b", re.M)
REDIS_DOWN = re.compile(r"Error \d+ connecting to|redis\.exceptions\.ConnectionError")


def own_tests_cause(output: str, failed: list[tuple[str, str]]) -> tuple[str, str]:
    """The hint for what the suite's output shows, and the first failed test's label."""
    label = ""
    if failed:
        name, where = failed[0]
        # Python 3.11+ prints "test_x (app.tests.Case.test_x)", 3.10 "test_x (app.tests.Case)".
        label = where if where.endswith("." + name) else f"{where}.{name}"
        if name in ("setUpClass", "tearDownClass"):
            label = where  # the class itself failed to set up: run the class
    if "chromedriver not found" in output or "'chromedriver' executable" in output:
        return N_("hint-own-tests-browser"), label
    if REDIS_DOWN.search(output):
        return N_("hint-own-tests-redis"), label
    if REFUSED.search(output):
        return N_("hint-own-tests-refused"), label
    return (N_("hint-own-tests-first") if label else N_("hint-own-tests-run")), label
