"""Turning an exception raised by a student's code into a diagnosis a student can act on."""

from __future__ import annotations

import difflib
import traceback
from dataclasses import dataclass
from pathlib import Path

# Packages a lesson asks for, and what to pip install when one is missing.
PACKAGES = {
    "django": '"django>=5.2,<5.3"',
    "channels": '"channels[daphne]"',
    "daphne": '"channels[daphne]"',
    "channels_redis": "channels-redis",
    "redis": '"redis<8"',
    "selenium": "selenium",
}


@dataclass
class Diagnosis:
    error: str  # "ModuleNotFoundError: No module named 'chat.comsumer'"
    where: str  # "chat/routing.py:3" or "" when no line of the project is involved
    hint: str  # key in texts.py
    params: dict

    def as_params(self) -> dict:
        return {"error": self.error, "where": self.where or "?", **self.params}


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


def diagnose(exc: BaseException, root: Path) -> Diagnosis:
    cause = root_cause(exc)
    if any(type(e).__module__.startswith("redis") and "Connection" in type(e).__name__ for e in chain(exc)):
        where = project_frame(cause, root) or project_frame(exc, root)
        return Diagnosis(f"{type(cause).__name__}: {cause}", where, "hint-redis-down", {})
    # The first project line counts most: ImproperlyConfigured wraps the real error.
    where = project_frame(cause, root) or project_frame(exc, root)
    error = f"{type(cause).__name__}: {cause}".strip()
    hint, params = _hint(cause, root)
    return Diagnosis(error=error, where=where, hint=hint, params=params)


def _hint(cause: BaseException, root: Path) -> tuple[str, dict]:
    name = type(cause).__name__
    text = str(cause)
    if isinstance(cause, ImportError) and "django.conf.urls" in text and "'url'" in text:
        return "hint-url-removed", {}
    if isinstance(cause, ModuleNotFoundError) and cause.name:
        top = cause.name.split(".")[0]
        if (root / top).is_dir() or (root / f"{top}.py").is_file():
            return "hint-module-typo", {"module": cause.name, "suggestion": _similar(cause.name, root)}
        if top in PACKAGES:
            return "hint-missing-package", {"module": top, "package": PACKAGES[top]}
        return "hint-missing-module", {"module": cause.name}
    if isinstance(cause, SyntaxError):
        return "hint-syntax", {}
    if name == "AppRegistryNotReady":
        return "hint-apps-not-ready", {}
    if name == "TemplateDoesNotExist":
        return "hint-template-missing", {"template": text}
    if isinstance(cause, RuntimeError) and "cannot use AsyncToSync in the same thread" in text:
        return "hint-async-to-sync-in-async", {}
    if isinstance(cause, TypeError) and "can't be used in 'await' expression" in text:
        return "hint-await-sync", {}
    if name == "OperationalError" and "no such table" in text:
        return "hint-no-table", {}
    if name == "SynchronousOnlyOperation":
        return "hint-sync-only", {}
    if name == "TimeoutError" and "reading from" in text.lower():
        return "hint-redis-socket-timeout", {}
    if "Connection" in name and (
        type(cause).__module__.startswith("redis") or "connecting to" in text
    ):
        return "hint-redis-down", {}
    if isinstance(cause, ValueError) and text.startswith("No handler for message type"):
        event_type = text.rsplit(" ", 1)[-1]
        return "hint-no-handler", {"type": event_type, "method": event_type.replace(".", "_")}
    if isinstance(cause, TypeError) and "Group name must be" in text:
        return "hint-group-name", {}
    if isinstance(cause, KeyError):
        return "hint-key-error", {"key": text}
    return "hint-generic", {}


def _similar(module: str, root: Path) -> str:
    """`chat.comsumer` -> `chat.consumers` when such a file exists."""
    package, _, leaf = module.rpartition(".")
    folder = root.joinpath(*package.split(".")) if package else root
    names = [p.stem for p in folder.glob("*.py")] + [
        p.name for p in folder.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    ] if folder.is_dir() else []
    close = difflib.get_close_matches(leaf, names, n=1, cutoff=0.6)
    return f"{package}.{close[0]}" if close and package else (close[0] if close else "")
