"""`python -m checker grade DIR --step N`: check every student project under DIR, one table.

One subfolder is one student. A folder that holds no project, or a project that crashes
or hangs, gets its row like any other: nothing stops the rest. Each submission runs in a
bubblewrap sandbox of its own (checker/sandbox.py), and its scores come from what can be
decided outside it; without bubblewrap, grade refuses unless --unsafe.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from checker.i18n import t
from checker.options import Options
from checker.project import SKIP_DIRS, ProjectNotFound, locate
from checker.runner import StepReport, run_step


@dataclass
class Row:
    student: str
    report: StepReport | None
    problem: str = ""  # why there is no report
    total: int = 0  # the checks that count: all of the step's, less the long ones unless asked
    seconds: float = 0.0  # its wall time

    @property
    def passed(self) -> int:
        return sum(r.status in ("pass", "warn") for r in self.report.results) if self.report else 0

    def status(self, check_id: str) -> str:
        if not self.report:
            return ""
        return next((r.status for r in self.report.results if r.id == check_id), "")


def grade_one(course, step, folder: Path, options: Options) -> Row:
    import time

    started = time.monotonic()
    row = check_one(course, step, folder, options)
    row.seconds = round(time.monotonic() - started, 2)
    return row


def check_one(course, step, folder: Path, options: Options) -> Row:
    counted = [c for c in step.checks if options.thorough or not course.checks[c].thorough]
    try:
        project = locate(folder)
    except ProjectNotFound as exc:
        return Row(folder.name, None, t("no-project", options.lang, detail=exc), len(counted))
    try:
        return Row(folder.name, run_step(course, step, project, options), total=len(counted))
    except Exception as exc:  # one submission's trouble never stops the others
        traceback.print_exc()
        return Row(folder.name, None, t("grade-crashed", options.lang, error=f"{type(exc).__name__}: {exc}"), len(counted))


def write_atomically(path: Path, text: str) -> None:
    """The whole report or none of it: a reader never sees half, nor a submission's edit."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)


def cmd_grade(course, args) -> int:
    folder = args.dir.resolve()
    if not folder.is_dir():
        print(t("no-project", args.lang, detail=f"{folder}: no such folder"), file=sys.stderr)
        return 2
    if args.step not in course.steps:
        print(t("no-step", args.lang, step=args.step, steps=", ".join(map(str, course.steps))), file=sys.stderr)
        return 2
    step = course.steps[args.step]
    students = sorted(
        p for p in folder.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in SKIP_DIRS
    )
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    known = ("md", "csv", "json", "html")
    if not formats or any(f not in known for f in formats) or (len(formats) > 1 and not args.out):
        print(f"grade --format: one or more of {', '.join(known)}; several need --out FOLDER", file=sys.stderr)
        return 2
    options = Options.from_args(args)
    options.verdicts = True
    options.sandbox = not args.unsafe
    if options.sandbox:
        from checker.sandbox import available

        missing = available()
        if missing:
            print(missing, file=sys.stderr)
            return 2
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        rows = list(pool.map(lambda p: grade_one(course, step, p, options), students))
    from checker import grade_report

    renderers = {"md": grade_report.as_markdown, "csv": grade_report.as_csv, "json": grade_report.as_json,
                 "html": grade_report.as_html}
    if len(formats) > 1:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        for name in formats:
            write_atomically(Path(args.out) / f"grades.{name}", renderers[name](course, step, rows, args.lang))
        print(t("grade-written", args.lang, count=len(rows), out=args.out))
        return 0
    output = renderers[formats[0]](course, step, rows, args.lang)
    if args.out:
        write_atomically(args.out, output)
        print(t("grade-written", args.lang, count=len(rows), out=args.out))
    else:
        print(output)
    return 0


