"""`python -m checker diff N`: the unified diff from step N-1 to step N, the lesson's changes."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

IGNORED_PARTS = {"__pycache__", ".pytest_cache"}
IGNORED_NAMES = {"db.sqlite3", "test_db.sqlite3"}
COLOURS = {"+": "32", "-": "31", "@": "36"}


def project_files(root: Path) -> dict[str, Path]:
    return {
        str(p.relative_to(root)): p
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and not IGNORED_PARTS & set(p.relative_to(root).parts)
        and p.name not in IGNORED_NAMES
        and p.suffix != ".pyc"
    }


def changed_files(before: Path | None, after: Path) -> list[str]:
    old, new = project_files(before) if before else {}, project_files(after)
    return sorted(
        name for name in old.keys() | new.keys()
        if name not in old or name not in new or old[name].read_bytes() != new[name].read_bytes()
    )


def unified(before: Path | None, after: Path) -> list[str]:
    """The diff from `before` to `after`; from nothing when `before` is None (step 01)."""
    old, new = project_files(before) if before else {}, project_files(after)
    lines = []
    for name in changed_files(before, after):
        a = old[name].read_text(encoding="utf-8").splitlines(keepends=True) if name in old else []
        b = new[name].read_text(encoding="utf-8").splitlines(keepends=True) if name in new else []
        lines.extend(difflib.unified_diff(
            a, b,
            fromfile=f"{before.name}/{name}" if before and name in old else "/dev/null",
            tofile=f"{after.name}/{name}" if name in new else "/dev/null",
        ))
    return lines


def paint(line: str, enabled: bool) -> str:
    code = COLOURS.get(line[:1]) if not line.startswith(("+++", "---")) else "1"
    return f"\033[{code}m{line.rstrip(chr(10))}\033[0m\n" if enabled and code else line


def cmd_diff(course, args) -> int:
    if args.step not in course.steps:
        print(f"diff: no step {args.step}; steps: {', '.join(map(str, course.steps))}", file=sys.stderr)
        return 2
    previous = course.steps.get(args.step - 1)
    before, after = (previous.path if previous else None), course.steps[args.step].path
    enabled = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    for line in unified(before, after):
        sys.stdout.write(paint(line if line.endswith("\n") else line + "\n", enabled))
    return 0
