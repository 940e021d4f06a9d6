"""Finding a Django project on disk: its manage.py, settings module and folder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SKIP_DIRS = {".git", ".venv", "venv", "env", "node_modules", "__pycache__", ".tox", ".idea"}
SETTINGS_RE = re.compile(
    r"""DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']""",
)


class ProjectNotFound(Exception):
    """No manage.py with a settings module where the student pointed us."""


@dataclass(frozen=True)
class Project:
    root: Path  # the folder that holds manage.py
    settings: str  # e.g. "chatsite.settings"

    @property
    def package(self) -> str:
        return self.settings.rsplit(".", 1)[0]


def find_manage_py(folder: Path) -> Path | None:
    """manage.py in the folder itself, or one or two levels below (a repo with src/)."""
    direct = folder / "manage.py"
    if direct.is_file():
        return direct
    for depth in ("*/manage.py", "*/*/manage.py"):
        found = sorted(
            p for p in folder.glob(depth) if not SKIP_DIRS & set(p.relative_to(folder).parts)
        )
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ProjectNotFound(
                "several manage.py: " + ", ".join(str(p.relative_to(folder)) for p in found)
            )
    return None


def locate(folder: Path) -> Project:
    folder = folder.resolve()
    if not folder.is_dir():
        raise ProjectNotFound(f"{folder}: no such folder")
    manage = find_manage_py(folder)
    if manage is None:
        raise ProjectNotFound(f"{folder}: no manage.py here or below")
    match = SETTINGS_RE.search(manage.read_text(encoding="utf-8", errors="replace"))
    if match is None:
        raise ProjectNotFound(f"{manage}: DJANGO_SETTINGS_MODULE is not set in manage.py")
    return Project(root=manage.parent, settings=match.group(1))
