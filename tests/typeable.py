"""What a student types from a lesson: every line the step adds or changes, shown in the
lesson's listings, each name defined before a listing uses it.

`changed_lines(step)` diffs each file the step changes against the step before (a new file:
all of it); a line counts as shown when a listing of that file holds the same line (indent
aside). Files a command writes are not typed: the lesson shows the command instead.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from lesson_format import Listing, listings

# Written by a command the lesson shows, not typed (python manage.py makemigrations).
GENERATED = re.compile(r"(^|/)migrations/\d{4}_\w+\.py$")
JS_DEFINITION = re.compile(r"^\s*(?:const|let|var|function)\s+([A-Za-z_$][\w$]*)")


@dataclass
class Missing:
    path: str
    line: str


def file_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.is_file() else []


def changed_lines(step_dir: Path, previous_dir: Path | None, path: str) -> list[str]:
    """The step's lines of `path` that the step before does not have (stripped, non-blank)."""
    new = file_lines(step_dir / path)
    old = file_lines(previous_dir / path) if previous_dir else []
    matcher = difflib.SequenceMatcher(None, [line.strip() for line in old], [line.strip() for line in new],
                                      autojunk=False)
    changed = []
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            changed += [line.strip() for line in new[j1:j2] if line.strip()]
    return changed


def shown(lesson_listings: list[Listing], path: str) -> set[str]:
    return {line.strip() for x in lesson_listings if x.path == path for line in x.body.splitlines()}


def missing_lines(markdown: str, step_dir: Path, previous_dir: Path | None, paths: list[str]) -> tuple[int, list[Missing]]:
    """(how many changed lines there are, those no listing shows)."""
    found = listings(markdown)
    total, missing = 0, []
    for path in paths:
        if GENERATED.search(path):
            continue
        lines = changed_lines(step_dir, previous_dir, path)
        total += len(lines)
        have = shown(found, path)
        missing += [Missing(path, line) for line in lines if line not in have]
    return total, missing


def definitions(path: str, text: str) -> set[str]:
    """Names the file defines at its top level (Python) or in its scripts (JavaScript)."""
    if path.endswith(".py"):
        try:
            tree = ast.parse(text)
        except SyntaxError:
            return set()
        names = set()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        return names
    return {m.group(1) for line in text.splitlines() if (m := JS_DEFINITION.match(line))}


def used_before_defined(markdown: str, step_dir: Path, new_names: dict[str, set[str]]) -> list[str]:
    """Names (new in this step) that a listing uses before any listing defines them."""
    problems = []
    for path, names in new_names.items():
        defined: set[str] = set()
        for listing in [x for x in listings(markdown) if x.path == path]:
            for number, line in enumerate(listing.body.splitlines()):
                code = line.split("#")[0] if path.endswith(".py") else line.split("//")[0]
                here = definitions(path, line.strip()) if path.endswith(".py") else definitions(path, line)
                if path.endswith(".py") and not here:
                    here = {m.group(1) for m in [re.match(r"^\s*(?:async\s+)?(?:def|class)\s+(\w+)", line),
                                                 re.match(r"^([A-Za-z_]\w*)\s*=", line)] if m}
                    if (m := re.match(r"^\s*(?:from\s+\S+\s+)?import\s+(.+)", line)):
                        here |= {part.split(" as ")[-1].strip().split(".")[0] for part in m.group(1).split(",")}
                for name in names - defined - here:
                    if re.search(rf"(?<![\w.]){re.escape(name)}\b", code):
                        problems.append(f"line {listing.line + number + 1}: {path} uses {name} before a listing "
                                        f"defines it")
                        defined.add(name)  # told once
                defined |= here & names
    return problems
