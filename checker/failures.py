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
# A gate check (course.toml) that fails closes the run for the checks after it, but for these:
# an unsupported version still lets the checks run and show what it breaks.
GATE_STAYS_OPEN = frozenset({"env-unsupported"})
HANG_KEYS = frozenset({"ws-connect-hangs", "ws-disconnect-hangs", "timeout"})
# Rendered before the message's own hint: what Python itself observed is the surest cause.
OBSERVATIONS = (
    "hint-never-awaited", "hint-redis-from-environment", "hint-redis-from-make",
    "hint-redis-from-default", "hint-redis-tried", "hint-redis-make-answers", "hint-redis-default-answers",
)
NEVER_AWAITED = "never awaited"


def closes_gate(status: str, key: str) -> bool:
    return status != "pass" and key not in GATE_STAYS_OPEN


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
    error = f"{type(cause).__name__}: {cause}".strip()
    if redis_unreachable(exc):
        return Diagnosis(error, where, N_("hint-redis-down"))
    module = cause.name if isinstance(cause, ModuleNotFoundError) else None
    key, params = cause_of(type(cause).__name__, str(cause), root, module=module,
                           redis=type(cause).__module__.startswith("redis"))
    where = params.pop("where", "") or where  # a cause that knows the line better
    return Diagnosis(error, where, key, params)


def diagnose_line(line: str, root: Path) -> tuple[str, dict]:
    """The cause of an exception seen only as its line in a log ("KeyError: 'message'")."""
    name, _, text = line.partition(": ")
    name = name.rpartition(".")[2]  # redis.exceptions.ConnectionError -> ConnectionError
    module = re.search(r"No module named '([\w.]+)'", text) if name == "ModuleNotFoundError" else None
    return cause_of(name, text, root, module=module.group(1) if module else None, redis="redis" in line.split(":")[0])


def cause_of(name: str, text: str, root: Path, module: str | None = None, redis: bool = False) -> tuple[str, dict]:
    """The hint-* key (and its parameters) for an exception of class `name` saying `text`."""
    if name in ("ImportError", "ModuleNotFoundError") and "django.conf.urls" in text and "'url'" in text:
        return N_("hint-url-removed"), {}
    if name == "ModuleNotFoundError" and module:
        top = module.split(".")[0]
        if (root / top).is_dir() or (root / f"{top}.py").is_file():
            return N_("hint-module-typo"), {"module": module, "suggestion": _similar(module, root)}
        if top in PACKAGES:
            return N_("hint-missing-package"), {"module": top, "package": PACKAGES[top]}
        return N_("hint-missing-module"), {"module": module}
    if name in ("SyntaxError", "IndentationError", "TabError"):
        return N_("hint-syntax"), {}
    if name == "AppRegistryNotReady":
        return N_("hint-apps-not-ready"), {}
    if name == "TemplateDoesNotExist":
        return N_("hint-template-missing"), {"template": text}
    if name == "RuntimeError" and "cannot use AsyncToSync in the same thread" in text:
        return N_("hint-async-to-sync-in-async"), {}
    if name == "TypeError" and "can't be used in 'await' expression" in text:
        return N_("hint-await-sync"), {}
    if name == "OperationalError" and "no such table" in text:
        return N_("hint-no-table"), {}
    if name == "SynchronousOnlyOperation":
        return N_("hint-sync-only"), {}
    if name == "TimeoutError" and "reading from" in text.lower():
        return N_("hint-redis-socket-timeout"), {}
    if "Connection" in name and (redis or "connecting to" in text):
        return N_("hint-redis-down"), {}
    if name == "ValueError" and text.startswith("No handler for message type"):
        event_type = text.rsplit(" ", 1)[-1]
        return N_("hint-no-handler"), {"type": event_type, "method": event_type.replace(".", "_")}
    if name == "TypeError" and "Group name must be" in text:
        return N_("hint-group-name"), {}
    if name == "TypeError" and re.match(r"get_asgi_application\(\) takes 0 positional", text):
        return N_("hint-asgi-app-not-called"), {"where": _line_of(root, "*/asgi.py", UNCALLED_ASGI_APP)}
    if name == "AttributeError" and re.match(r"'NoneType' object has no attribute 'group_(add|discard|send)'", text):
        return N_("hint-layer-none"), {}
    if name == "KeyError":
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


def own_tests_cause(output: str, failed: list[tuple[str, str]], root: Path | None = None) -> tuple[str, str, str]:
    """The hint for what the suite's output shows, the first failed test's label, and the
    exception line when it is a cause the project's other checks meet too (a missing table)."""
    label = ""
    if failed:
        name, where = failed[0]
        # Python 3.11+ prints "test_x (app.tests.Case.test_x)", 3.10 "test_x (app.tests.Case)".
        label = where if where.endswith("." + name) else f"{where}.{name}"
        if name in ("setUpClass", "tearDownClass"):
            label = where  # the class itself failed to set up: run the class
    if "chromedriver not found" in output or "'chromedriver' executable" in output:
        return N_("hint-own-tests-browser"), label, ""
    if REDIS_DOWN.search(output):
        return N_("hint-own-tests-redis"), label, ""
    if REFUSED.search(output):
        return N_("hint-own-tests-refused"), label, ""
    lines = [line.strip() for line in output.splitlines() if EXCEPTION_LINE.match(line.strip())]
    if lines and root is not None:
        cause, _ = diagnose_line(lines[-1], root)
        if cause in SHARED_CAUSES:
            return cause, label, short_error(lines[-1])
    return (N_("hint-own-tests-first") if label else N_("hint-own-tests-run")), label, ""


def short_error(line: str) -> str:
    """"django.db.utils.OperationalError: x" -> "OperationalError: x", as a traceback's last
    line and str() of the exception differ only by the module."""
    name, sep, text = line.partition(": ")
    return name.rpartition(".")[2] + sep + text


# --- one cause, many failures --------------------------------------------------------------
# Causes that every check meeting them meets the same way, wherever it is in the code.
SHARED_CAUSES = frozenset({
    "hint-no-table", "hint-redis-down", "hint-layer-none", "hint-redis-socket-timeout",
    "hint-missing-package", "hint-missing-module", "hint-module-typo", "hint-apps-not-ready",
    "hint-sync-only", "hint-group-name", "hint-asgi-app-not-called",
})
# Failures whose key alone is the cause: every socket meets the same wall.
SHARED_KEYS = frozenset({
    "layer-missing", "ws-no-route", "ws-no-protocol", "ws-no-as-asgi", "ws-origin-refused",
    "ws-connect-hangs", "blocked-process-connect", "skip-after-hang", "asgi-not-set",
})
REDIS_DOWN_SIGNS = frozenset({"redis-down", "redis-timeout", "hint-redis-down", "hint-own-tests-redis"})


def cause_signature(status: str, key: str, params: dict, causes: list[str]) -> str | None:
    """What two failing checks share when they fail for one reason; None when nothing says so."""
    if status not in ("fail", "error"):
        return None
    if REDIS_DOWN_SIGNS & {key, *causes}:
        return "redis-down"
    if key == "layer-missing" or "hint-layer-none" in causes:
        return "layer-missing"  # no CHANNEL_LAYERS: self.channel_layer is None
    if key in SHARED_KEYS:
        return key
    if key == "layer-broken":
        return f"{key}|{params.get('error')}"
    cause = next((c for c in causes if c.startswith("hint-") and c not in OBSERVATIONS), "")
    if cause in SHARED_CAUSES:
        return f"{cause}|{params.get('error')}"
    if cause and params.get("where") not in (None, "", "?"):
        return f"{cause}|{params.get('error')}|{params.get('where')}"  # the same exception, same line
    return None


def redis_causes(found: dict) -> tuple[list[str], dict]:
    """The hints that say where the Redis URL came from and what does answer (a survey of
    checker.redis_server), and their parameters."""
    causes = []
    if not found["answers"]:
        causes.append({"environment": N_("hint-redis-from-environment"), "make-redis": N_("hint-redis-from-make")}
                      .get(found["source"], N_("hint-redis-from-default")))
    if found["tried"]:
        causes.append(N_("hint-redis-tried"))
    if found["make_redis"]:
        causes.append(N_("hint-redis-make-answers"))
    if found["default"]:
        causes.append(N_("hint-redis-default-answers"))
    params = {"redis_url": found["url"], "redis_tried": found["tried"], "redis_make": found["make_redis"],
              "redis_default": found["default"]}
    return causes, params
