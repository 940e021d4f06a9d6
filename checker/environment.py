"""The project's own interpreter and what it holds: Python, Django, Channels, Daphne, ...

Two sides. In the workbook's process: which interpreter runs a student's project (`find`).
In the probe, on that interpreter, before anything imports Django: the versions it holds
(`survey`) and whether they are what the step needs (the `environment` check). Only the
standard library here.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

# Folders a student's virtual environment is usually called, tried first.
VENV_NAMES = (".venv", "venv", "env")


@dataclass(frozen=True)
class Interpreter:
    python: str  # the executable
    source: str  # "option" (--python), "active" (VIRTUAL_ENV), "project" (a venv by the project), "workbook"

    @property
    def workbook(self) -> bool:
        return self.source == "workbook"


class InterpreterNotFound(Exception):
    pass


def venv_python(folder: Path) -> Path | None:
    """The python of the virtual environment in `folder`, or None if it is not one."""
    if not (folder / "pyvenv.cfg").is_file():
        return None
    for candidate in (folder / "bin" / "python", folder / "Scripts" / "python.exe"):
        if candidate.exists():
            return candidate
    return None


def is_workbook(python: Path) -> bool:
    """True when `python` is the interpreter of the workbook's own environment. (Not by the
    file it resolves to: every venv made from the same Python links to the same binary.)"""
    try:
        return python.absolute() == Path(sys.executable).absolute() or (
            python.parent.parent.resolve() == Path(sys.prefix).resolve()
        )
    except OSError:
        return False


def project_venvs(root: Path):
    """Virtual environments beside or above manage.py (up to the home folder), nearest first."""
    home = Path.home().resolve()
    folder = root.resolve()
    while True:
        try:
            children = sorted(p for p in folder.iterdir() if p.is_dir())
        except OSError:
            children = []
        ordered = [folder / n for n in VENV_NAMES] + [c for c in children if c.name not in VENV_NAMES]
        for candidate in ordered:
            python = venv_python(candidate)
            if python is not None:
                yield python
        if folder == home or folder.parent == folder:
            return
        folder = folder.parent


def find(root: Path | None, option: str | None = None) -> Interpreter:
    """The interpreter that runs the project: --python, an active VIRTUAL_ENV that is not the
    workbook's, a venv beside or above manage.py, else the workbook's own."""
    if option:
        path = Path(option).expanduser()
        python = venv_python(path) if path.is_dir() else path
        if python is None or not path.exists():
            raise InterpreterNotFound(f"{option}: no such interpreter")
        return Interpreter(str(python), "option")
    active = os.environ.get("VIRTUAL_ENV")
    if active:
        python = venv_python(Path(active))
        if python is not None and not is_workbook(python):
            return Interpreter(str(python), "active")
    if root is not None:
        for python in project_venvs(root):
            if is_workbook(python):
                break  # the project lives inside the workbook: its own environment it is
            return Interpreter(str(python), "project")
    return Interpreter(sys.executable, "workbook")


# --- in the probe --------------------------------------------------------------------------
def release(version: str) -> tuple[int, ...]:
    """"4.2.16" -> (4, 2, 16); "5.0rc1" -> (5, 0): the release numbers only."""
    numbers = []
    for part in version.split("."):
        digits = re.match(r"\d+", part)
        if not digits:
            break
        numbers.append(int(digits.group()))
        if digits.group() != part:
            break
    return tuple(numbers)


def satisfies(version: str, spec: str) -> bool:
    """Whether `version` meets a spec such as ">=4.2,<6.1" (release numbers compared)."""
    have = release(version)
    for clause in filter(None, (c.strip() for c in spec.split(","))):
        operator, wanted = re.match(r"(>=|<=|==|!=|>|<)\s*(.+)", clause).groups()
        want = release(wanted)
        width = max(len(have), len(want))
        a, b = have + (0,) * (width - len(have)), want + (0,) * (width - len(want))
        ok = {">=": a >= b, "<=": a <= b, "==": a == b, "!=": a != b, ">": a > b, "<": a < b}[operator]
        if not ok:
            return False
    return True


def installed(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def survey(dists) -> dict:
    """The interpreter and the versions of `dists` it holds (None: not installed)."""
    return {
        "python": sys.executable,
        "python_version": ".".join(map(str, sys.version_info[:3])),
        "versions": {dist: installed(dist) for dist in dists},
    }
