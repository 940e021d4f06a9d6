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
from checker.report import (
    check_width,
    detail_lines,
    heading,
    rendered,
    shared_causes,
    status_line,
    summary_lines,
)
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
    # A short debounce: an editor's save is one write or two within a few milliseconds.
    for changes in watch(root, watch_filter=lambda _, path: relevant(Path(path), root), debounce=50, step=20):
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
    """Check, wait for a save, check again. Each check's line is printed the moment its result
    arrives; the probes are forked by a warm zygote of the project's interpreter where the
    system can fork, so the first line follows a save within a fraction of a second."""
    import os

    from checker.environment import find
    from checker.launch import Zygote

    project = locate(args.project)
    interpreter = find(project.root, args.python)
    step = course.steps[args.step]
    options = Options.from_args(args)
    tty = sys.stdout.isatty()
    # CHECKER_NO_ZYGOTE=1: spawn every probe afresh (the benchmark compares the two).
    warm = Zygote.available() and not os.environ.get("CHECKER_NO_ZYGOTE")
    zygote = Zygote(interpreter.python, dict(os.environ)) if warm else None
    if zygote:
        zygote.warm()
    width = check_width(step)
    previous, changed, runs = None, [], 0
    try:
        while True:
            if tty:
                print("\033[2J\033[H", end="")
            if previous is not None:
                print(t("watch-changed", args.lang, files=", ".join(changed) or "—"), flush=True)
            print("\n".join(heading(step, project.root, None, "", args.lang)), flush=True)

            def show(result, _width=width):
                print(status_line(result, args.lang, _width, tty), flush=True)

            report = run_step(course, step, project, options, interpreter=interpreter,
                              start=zygote.start if zygote else None, on_result=show)
            runs += 1
            same = shared_causes(report)
            details = []
            for r in report.results:
                if r.status in ("fail", "error") and r.id not in same:
                    details.append(status_line(r, args.lang, width, tty))
                    details.extend(detail_lines(rendered(report, r, args.lang, same), args.lang, args.verbose))
            if details:
                print()
                print("\n".join(details))
            print("\n".join(summary_lines(report, args.lang)))
            if previous is not None:
                for line in flips(previous, report) or [t("watch-same", args.lang)]:
                    print("  " + line)
            previous = report
            if args.runs and runs >= args.runs:
                return 0 if report.passed else 1
            print(t("watch-waiting", args.lang, folder=project.root), flush=True)
            changed = wait_for_change(project.root)
    finally:
        if zygote:
            zygote.stop()
