"""`python -m checker watch N --project DIR`: check again whenever a file of the project changes.

watchfiles (inotify, FSEvents, ...) when it is installed; otherwise a poll of the files'
modification times twice a second.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from checker.i18n import t
from checker.options import Options
from checker.project import SKIP_DIRS, locate
from checker.report import as_text
from checker.runner import run_step

WATCHED = {".py", ".html", ".js", ".css", ".toml", ".txt", ".json"}


def relevant(path: Path, root: Path) -> bool:
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return False
    return path.suffix in WATCHED and not SKIP_DIRS & set(parts)


def snapshot(root: Path) -> dict[str, float]:
    return {
        str(p.relative_to(root)): p.stat().st_mtime
        for p in root.rglob("*")
        if p.is_file() and relevant(p, root)
    }


def wait_by_polling(root: Path, interval: float = 0.5) -> list[str]:
    before = snapshot(root)
    while True:
        time.sleep(interval)
        after = snapshot(root)
        if after != before:
            return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def wait_for_change(root: Path) -> list[str]:
    try:
        from watchfiles import watch
    except ImportError:
        return wait_by_polling(root)
    for changes in watch(root, watch_filter=lambda _, path: relevant(Path(path), root), debounce=300):
        return sorted({str(Path(path).relative_to(root)) for _, path in changes})
    return []


def flips(before, after) -> list[str]:
    old = {r.id: r.status for r in before.results}
    marks = {"pass": "✔", "fail": "✘", "error": "‼", "skip": "·"}
    return [
        f"{r.id}: {marks[old[r.id]]} → {marks[r.status]}"
        for r in after.results
        if r.id in old and old[r.id] != r.status
    ]


def cmd_watch(course, args) -> int:
    project = locate(args.project)
    step = course.steps[args.step]
    options = Options.from_args(args)
    tty = sys.stdout.isatty()
    previous, changed, runs = None, [], 0
    while True:
        report = run_step(course, step, project, options)
        runs += 1
        if tty:
            print("\033[2J\033[H", end="")
        print(as_text(report, args.lang, verbose=args.verbose))
        if previous is not None:
            print(t("watch-changed", args.lang, files=", ".join(changed) or "—"))
            for line in flips(previous, report) or [t("watch-same", args.lang)]:
                print("  " + line)
        previous = report
        if args.runs and runs >= args.runs:
            return 0 if report.passed else 1
        print(t("watch-waiting", args.lang, folder=project.root), flush=True)
        changed = wait_for_change(project.root)
