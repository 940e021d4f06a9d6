"""`python -m checker grade DIR --step N`: check every submission under DIR, one table.

DIR is what an LMS export gives: folders, .zip and .tar.gz archives, one per student
(checker/submissions.py unpacks and finds the project). Every entry gets its row: one that holds
no project, or crashes or hangs, gets its reason like any other, and nothing stops the rest.
Each submission runs in a bubblewrap sandbox of its own (checker/sandbox.py), and its scores
come from what can be decided outside it; without bubblewrap, grade refuses unless --unsafe.
"""

from __future__ import annotations

import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from checker import points
from checker.i18n import N_, t
from checker.options import Options
from checker.project import ProjectNotFound, locate
from checker.report import fix_first, message
from checker.runner import StepReport, run_step

TABLES = ("md", "csv", "json", "html", "junit")  # one file for the class
EACH = ("gradescope", "classroom", "junit")  # with --out DIR, one file per submission as well


@dataclass
class Row:
    name: str  # the entry as the export names it
    report: StepReport | None
    problem: str = ""  # a catalog key: why there is no report
    params: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what unpacking left aside
    person: dict | None = None  # the roster's line: {"id", "name", "email"}
    counted: list[str] = field(default_factory=list)  # the checks that count
    possible: float = 0.0
    seconds: float = 0.0  # its wall time
    thorough: bool = False

    @property
    def student(self) -> str:
        return (self.person or {}).get("name") or self.name

    @property
    def passed(self) -> int:
        if not self.report:
            return 0
        return sum(r.status in ("pass", "warn") for r in self.report.results if r.id in self.counted)

    @property
    def total(self) -> int:
        return len(self.counted)

    @property
    def earned(self) -> float:
        from checker.course import load_course

        return points.earned(load_course(), self.report, self.thorough)

    def status(self, check_id: str) -> str:
        if not self.report:
            return ""
        return next((r.status for r in self.report.results if r.id == check_id), "")

    def reason(self, lang: str) -> str:
        """Why this row lost points, in one line: the entry's problem, else the first thing to fix."""
        if self.problem:
            return t(self.problem, lang, **self.params).splitlines()[0]
        if not self.report:
            return ""
        first = fix_first(self.report, lang, N_("fix-first-cell"))  # the column says "what to fix first"
        if first:
            return first
        warned = next((r for r in self.report.results if r.status == "warn" and r.key), None)
        return message(warned, lang).splitlines()[0] if warned else ""


def grade_one(course, step, entry, options: Options) -> Row:
    started = time.monotonic()
    row = check_one(course, step, entry, options)
    row.seconds = round(time.monotonic() - started, 2)
    row.notes = list(entry.notes)
    return row


def check_one(course, step, entry, options: Options) -> Row:
    base = {"counted": points.counted(course, step, options.thorough),
            "possible": points.possible(course, step, options.thorough), "thorough": options.thorough}
    if entry.project is None:
        return Row(entry.name, None, entry.problem, dict(entry.params), **base)
    try:
        project = locate(entry.project)
    except ProjectNotFound as exc:
        return Row(entry.name, None, N_("no-project"), {"detail": str(exc)}, **base)
    try:
        return Row(entry.name, run_step(course, step, project, options), **base)
    except Exception as exc:  # one submission's trouble never stops the others
        traceback.print_exc()
        return Row(entry.name, None, N_("grade-crashed"), {"error": f"{type(exc).__name__}: {exc}"}, **base)


@dataclass
class Grading:
    """One run of grade: the rows and what the instructor should know about the run itself."""
    step: object
    rows: list[Row]
    sandboxed: bool
    seconds: float = 0.0
    jobs: int = 1
    missing: list[dict] = field(default_factory=list)  # roster people without a submission
    unknown: list[str] = field(default_factory=list)  # entries the roster does not name
    delimiter: str = ","


def usage_error(text: str) -> int:
    print(text, file=sys.stderr)
    return 2


def cmd_grade(course, args) -> int:
    from checker import grade_report
    from checker.submissions import ExportError, archive_kind, entries, expand_export

    folder = args.dir.resolve()
    if not folder.is_dir() and not (folder.is_file() and archive_kind(folder.name)):
        return usage_error(t("no-project", args.lang, detail=f"{folder}: no such folder"))
    if args.step not in course.steps:
        return usage_error(t("no-step", args.lang, step=args.step, steps=", ".join(map(str, course.steps))))
    step = course.steps[args.step]
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in (*TABLES, *EACH)]
    if not formats or unknown or (len(formats) > 1 and not args.out) or (set(formats) - set(TABLES) and not args.out):
        return usage_error(f"grade --format: one or more of {', '.join(TABLES)}, or per submission "
                           f"{', '.join(EACH)}; several, or per submission, need --out FOLDER")
    if len(args.delimiter) != 1:
        return usage_error("grade --delimiter: one character, e.g. ';' for Excel in a Russian locale")
    roster = None
    if args.roster:
        from checker.roster import RosterError, load_roster

        try:
            roster = load_roster(args.roster)
        except RosterError as exc:
            return usage_error(t("roster-bad", args.lang, path=str(args.roster), line=exc.line,
                                 error=t(exc.key, args.lang, **exc.params)))
        except OSError as exc:
            return usage_error(t("roster-bad", args.lang, path=str(args.roster), line=0, error=str(exc)))
    options = Options.from_args(args)
    options.verdicts = True
    options.sandbox = not args.unsafe
    if options.sandbox:
        from checker.sandbox import available

        missing = available()
        if missing:
            return usage_error(missing)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="checker-grade-") as scratch:
        if folder.is_file():  # the LMS's "download all": one archive of the class's submissions
            try:
                folder = expand_export(folder, Path(scratch) / "export")
            except ExportError as exc:
                return usage_error(t(exc.key, args.lang, **exc.params))
        # The roster and the reports may sit in DIR: they are not submissions.
        found = entries(folder, Path(scratch) / "entries", ignore=[p for p in (args.roster, args.out) if p])
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            rows = list(pool.map(lambda e: grade_one(course, step, e, options), found))
    grading = Grading(step, rows, options.sandbox, round(time.monotonic() - started, 1), max(1, args.jobs),
                      delimiter=args.delimiter)
    if roster is not None:
        from checker.roster import match

        people, grading.missing, grading.unknown = match(roster, [r.name for r in rows])
        for row in rows:
            row.person = people.get(row.name)
    return grade_report.write(course, grading, formats, args.out, args.lang)
