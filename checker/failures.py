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
from checker.project import SKIP_DIRS

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

# Settings and names Django removed, what replaced them, and since when: an old tutorial's
# project meets them first.
REMOVED_SETTINGS = {
    "MIDDLEWARE_CLASSES": ("MIDDLEWARE", "2.0"),
    "TEMPLATE_DIRS": ('TEMPLATES[0]["DIRS"]', "1.10"),
}
REMOVED_NAMES = {
    # (the name, where it was): (what to use instead, the Django version that removed it)
    ("url", "django.conf.urls"): ("django.urls.re_path (or path)", "4.0"),
    ("ugettext", "django.utils.translation"): ("gettext", "4.0"),
    ("ugettext_lazy", "django.utils.translation"): ("gettext_lazy", "4.0"),
    ("ungettext", "django.utils.translation"): ("ngettext", "4.0"),
    ("force_text", "django.utils.encoding"): ("force_str", "4.0"),
    ("smart_text", "django.utils.encoding"): ("smart_str", "4.0"),
    ("six", "django.utils"): ("the six package, or plain Python 3", "3.0"),
    ("python_2_unicode_compatible", "django.utils.encoding"): ("nothing: delete the decorator", "3.0"),
    ("is_ajax", "request"): ('request.headers.get("x-requested-with") == "XMLHttpRequest"', "4.0"),
    ("static", "django.contrib.staticfiles.templatetags.staticfiles"): ("{% load static %}", "3.0"),
}

# Import names whose pip name differs (the rest: "_" becomes "-").
PIP_NAMES = {
    "rest_framework": "djangorestframework", "environ": "django-environ", "decouple": "python-decouple",
    "django_extensions": "django-extensions", "channels_redis": "channels-redis", "debug_toolbar":
    "django-debug-toolbar", "corsheaders": "django-cors-headers", "crispy_forms": "django-crispy-forms",
    "dotenv": "python-dotenv", "psycopg2": "psycopg2-binary", "yaml": "PyYAML", "PIL": "Pillow",
}


def pip_name(module: str) -> str:
    top = module.split(".")[0]
    return PACKAGES.get(top) or PIP_NAMES.get(top) or top.replace("_", "-")


# --- keys that mean "the project hung", and observations that lead a hint ------------------
# A gate check (course.toml) that fails closes the run for the checks after it, but for these:
# an unsupported version still lets the checks run and show what it breaks; a system check's
# error leaves a project that imports, and the later checks say more (daphne.E001: which app).
GATE_STAYS_OPEN = frozenset({"env-unsupported", "system-check-errors"})
HANG_KEYS = frozenset({"ws-connect-hangs", "ws-disconnect-hangs", "timeout"})
# Rendered before the message's own hint: what Python itself observed is the surest cause.
OBSERVATIONS = (
    "hint-never-awaited", "hint-never-awaited-consumer", "hint-redis-from-environment", "hint-redis-from-make",
    "hint-redis-from-default", "hint-redis-tried", "hint-redis-make-answers", "hint-redis-default-answers",
)
NEVER_AWAITED = "never awaited"
NEVER_AWAITED_CAUSES = frozenset({"hint-never-awaited", "hint-never-awaited-consumer"})


def closes_gate(status: str, key: str) -> bool:
    return status != "pass" and key not in GATE_STAYS_OPEN


@dataclass
class Diagnosis:
    error: str  # "ModuleNotFoundError: No module named 'chat.comsumer'"
    where: str  # "chat/routing.py:3", or "" when no line of the project is involved
    cause: str  # a hint-* key
    params: dict = field(default_factory=dict)
    also: list[str] = field(default_factory=list)  # more hint-* keys: where it was called from

    @property
    def causes(self) -> list[str]:
        return [self.cause, *self.also]

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
    frames = project_frames(exc, root)
    return frames[-1][0] if frames else ""


def in_project(path: Path, root: Path) -> bool:
    """A file of the student's own code: under the project, not in a venv kept beside it
    (~/my-chat/.venv/lib/.../site-packages is the libraries', not theirs)."""
    if not path.is_relative_to(root):
        return False
    parts = path.relative_to(root).parts
    return "site-packages" not in parts and "dist-packages" not in parts and not SKIP_DIRS & set(parts[:-1])


def project_frames(exc: BaseException, root: Path) -> list[tuple[str, str]]:
    """(file:line, function) of each traceback frame inside the project, outermost first."""
    return [
        (_relative(Path(frame.filename), root, frame.lineno), frame.name)
        for frame in traceback.extract_tb(exc.__traceback__)
        if in_project(Path(frame.filename), root)
    ]


# The methods Channels and Django call: an error raised in one of them is where it is.
HANDLERS = {"connect", "disconnect", "receive", "receive_json", "websocket_connect", "websocket_receive",
            "websocket_disconnect", "dispatch", "get", "post", "get_context_data", "__call__"}


def is_handler(function: str) -> bool:
    return function in HANDLERS or function.endswith("_message") or function == "<module>"


def caller(exc: BaseException, root: Path) -> str:
    """Where the project called the function that raised, when that was a helper of its own:
    "chat/consumers.py:21 (receive)"; "" when the error was raised in a handler itself."""
    frames = project_frames(exc, root)
    if len(frames) >= 2 and not is_handler(frames[-1][1]):
        return f"{frames[-2][0]} ({frames[-2][1]})"
    return ""


def key_error_cause(exc: BaseException, root: Path, settings_file: str) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if frames and frames[-1].filename.replace("\\", "/").rsplit("/", 1)[-1] in ("os.py", "<frozen os>"):
        return N_("hint-env-var-missing")
    own = project_frames(exc, root)
    if own and settings_file and own[-1][0].startswith(settings_file + ":"):
        return N_("hint-key-error-settings")
    if any(function in HANDLERS or function.endswith("_message") for _, function in own if function not in ("get", "post")):
        return N_("hint-key-error")  # a consumer reading the frame
    return N_("hint-key-error-code")


def _relative(path: Path, root: Path, line) -> str:
    try:
        shown = path.resolve().relative_to(root)
    except ValueError:
        shown = path
    return f"{shown}:{line}"


def redis_trouble(exc: BaseException) -> str | None:
    """"down" when redis-py could not connect at all (refused, unreachable); "not-redis" when
    something answered that does not speak Redis (it greets first, or closes on our first
    command); None when the exception is none of redis-py's connection errors."""
    for e in chain(exc):
        if not type(e).__module__.startswith("redis"):
            continue
        if type(e).__name__ == "InvalidResponse":
            return "not-redis"
        if "Connection" in type(e).__name__:
            text = str(e)
            return "down" if ("connecting to" in text or "Connect call failed" in text) else "not-redis"
    return None


def redis_unreachable(exc: BaseException) -> bool:
    return redis_trouble(exc) == "down"


def diagnose(exc: BaseException, root: Path, apps: list[str] | None = None, settings_file: str = "") -> Diagnosis:
    """`apps`: the project's INSTALLED_APPS, when known (a package missing for one of them is
    named there, not where Django happened to import it); `settings_file` the settings' path."""
    cause = root_cause(exc)
    # The first project line counts most: ImproperlyConfigured wraps the real error.
    where = project_frame(cause, root) or project_frame(exc, root)
    error = f"{type(cause).__name__}: {cause}".strip()
    trouble = redis_trouble(exc)
    if trouble == "down":
        return Diagnosis(error, where, N_("hint-redis-down"))
    if trouble == "not-redis":
        return Diagnosis(error, where, N_("hint-not-redis"))
    module = cause.name if isinstance(cause, ModuleNotFoundError) else None
    if module and apps:
        app = next((a for a in apps if a.split(".")[0] == module.split(".")[0]), None)
        if app and not (root / module.split(".")[0]).exists():
            line = _line_of(root, settings_file, re.compile(rf"""["']{re.escape(app)}["']""")) if settings_file else ""
            return Diagnosis(error, line or settings_file or where, N_("hint-installed-app-missing"),
                             {"app": app, "module": module, "package": pip_name(module)})
    key, params = cause_of(type(cause).__name__, str(cause), root, module=module,
                           redis=type(cause).__module__.startswith("redis"))
    if key == "hint-key-error":
        key = key_error_cause(cause, root, settings_file)
    where = params.pop("where", "") or where  # a cause that knows the line better
    if key == "hint-no-databases" and not where:
        where = settings_file  # Django raises it from its own code: the fix is in the settings
    found = Diagnosis(error, where, key, params)
    called = caller(cause, root)
    if called:
        found.params["caller"] = called
        found.also.append(N_("hint-called-from"))
    return found


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
        removed = REMOVED_NAMES.get((module.rpartition(".")[2], module.rpartition(".")[0]))
        if removed:
            return N_("hint-removed-name"), {"name": module, "replacement": removed[0], "since": removed[1]}
        return N_("hint-missing-module"), {"module": module, "package": pip_name(module)}
    imported = re.match(r"cannot import name '(\w+)' from '([\w.]+)'", text)
    if name == "ImportError" and imported and (imported.group(1), imported.group(2)) in REMOVED_NAMES:
        replacement, since = REMOVED_NAMES[(imported.group(1), imported.group(2))]
        return N_("hint-removed-name"), {"name": f"{imported.group(2)}.{imported.group(1)}",
                                         "replacement": replacement, "since": since}
    if name == "AttributeError" and re.search(r"Request' object has no attribute 'is_ajax'", text):
        replacement, since = REMOVED_NAMES[("is_ajax", "request")]
        return N_("hint-removed-name"), {"name": "request.is_ajax()", "replacement": replacement, "since": since}
    if name == "TemplateSyntaxError" and "'staticfiles' is not a registered tag library" in text:
        return N_("hint-removed-name"), {"name": "{% load staticfiles %}", "replacement": "{% load static %}",
                                         "since": "3.0"}
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
    if name == "ImproperlyConfigured" and "settings.DATABASES is improperly configured" in text:
        return N_("hint-no-databases"), {}
    if name == "ValueError" and "No application configured for scope type 'http'" in text:
        return N_("hint-no-http-protocol"), {}
    if name == "ValueError" and "Incoming message has no 'type' attribute" in text:
        return N_("hint-event-mutated"), {}
    if name == "KeyError" and text == "'type'":
        return N_("hint-event-mutated"), {}
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
        elif stripped.startswith(f'File "{root}/') and in_project(Path(stripped[6:].split('"')[0]), root):
            where = stripped.replace(f"{root}/", "")
    return f"{error}\n{where}".strip() if error else ""


def carry_unawaited(results: dict) -> None:
    """A layer call without await that the probe saw (its Python warned) fails the servers'
    delivery too, but Daphne's logging swallows that warning: the same code is the cause there."""
    seen = next((r for r in results.values() if "hint-never-awaited" in r.causes and r.params.get("warning")), None)
    if seen is None:
        return
    for r in results.values():
        if r.key == "two-servers-no-delivery" and not r.causes:
            r.causes.insert(0, "hint-never-awaited")
            r.params.update({k: seen.params[k] for k in ("warning", "where") if k in seen.params})


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
    if "DatabaseOperationForbidden" in output:
        return N_("hint-own-tests-database"), label, ""
    if "CancelledError" in output:  # a receive_from() that timed out cancelled the consumer
        return N_("hint-own-tests-cancelled"), label, ""
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
    if key == "redis-not-redis" or "hint-not-redis" in causes:
        return "not-redis"
    if key == "layer-missing" or "hint-layer-none" in causes:
        return "layer-missing"  # no CHANNEL_LAYERS: self.channel_layer is None
    if key in SHARED_KEYS:
        return key
    if NEVER_AWAITED_CAUSES & set(causes):
        return f"never-awaited|{params.get('warning')}"  # one missing await fails every check after it
    if key == "layer-broken":
        return f"{key}|{params.get('error')}"
    cause = next((c for c in causes if c.startswith("hint-") and c not in OBSERVATIONS), "")
    if cause in SHARED_CAUSES:
        return f"{cause}|{params.get('error')}"
    if cause and params.get("where") not in (None, "", "?"):
        return f"{cause}|{params.get('error')}|{params.get('where')}"  # the same exception, same line
    return None


def redis_causes(found: dict, down: bool = True) -> tuple[list[str], dict]:
    """The hints that say where the Redis URL came from and what does answer (a survey of
    checker.redis_server), and their parameters. `down`: nothing answers there at all (else
    something that is not Redis does)."""
    causes = []
    if down and not found["answers"]:
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


# A lesson-07 browser helper that reads the chat log's text as a <textarea>'s value.
LOG_AS_VALUE = re.compile(r"""["'#]chat-log["'][^\n]*(?:get_property|get_attribute)\(\s*["']value["']""")
CHAT_LOG_TAG = re.compile(r"""<(\w+)[^>]*\bid\s*=\s*["']chat-log["']""")


def chat_log_read_as_value(root: Path, tests: list[Path]) -> dict | None:
    """{"where", "tag"} when a test reads #chat-log's value but the page's #chat-log is no
    longer a field (step 08 makes it a list): every browser test then sees None."""
    tag = next((m.group(1) for page in root.rglob("*.html") for m in [CHAT_LOG_TAG.search(page.read_text(errors="replace"))] if m), None)
    if tag is None or tag.lower() in ("textarea", "input"):
        return None
    for path in tests:
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if LOG_AS_VALUE.search(line):
                return {"where": f"{path.relative_to(root)}:{number}", "tag": tag}
    return None
