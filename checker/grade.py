"""`python -m checker grade DIR --step N`: check every student project under DIR, one table.

One subfolder is one student. A folder that holds no project, or a project that crashes
or hangs, gets its row like any other: nothing stops the rest.
"""

from __future__ import annotations

import csv
import html
import io
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from checker.i18n import t
from checker.options import Options
from checker.project import SKIP_DIRS, ProjectNotFound, locate
from checker.report import rendered, report_json
from checker.runner import StepReport, run_step

MARKS = {"pass": "✔", "warn": "⚠", "fail": "✘", "error": "‼", "skip": "·"}


@dataclass
class Row:
    student: str
    report: StepReport | None
    problem: str = ""  # why there is no report
    total: int = 0  # the checks that count: all of the step's, less the long ones unless asked

    @property
    def passed(self) -> int:
        return sum(r.status in ("pass", "warn") for r in self.report.results) if self.report else 0

    def status(self, check_id: str) -> str:
        if not self.report:
            return ""
        return next((r.status for r in self.report.results if r.id == check_id), "")


def grade_one(course, step, folder: Path, options: Options) -> Row:
    counted = [c for c in step.checks if options.thorough or not course.checks[c].thorough]
    try:
        project = locate(folder)
    except ProjectNotFound as exc:
        return Row(folder.name, None, t("no-project", options.lang, detail=exc), len(counted))
    return Row(folder.name, run_step(course, step, project, options), total=len(counted))


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
    options = Options.from_args(args)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        rows = list(pool.map(lambda p: grade_one(course, step, p, options), students))
    renderers = {"md": as_markdown, "csv": as_csv, "json": as_json, "html": as_html}
    output = renderers[args.format](course, step, rows, args.lang)
    if args.out:
        Path(args.out).write_text(output, encoding="utf-8")
        print(t("grade-written", args.lang, count=len(rows), out=args.out))
    else:
        print(output)
    return 0


def as_markdown(course, step, rows, lang) -> str:
    ids = list(step.checks)
    lines = [
        "| " + " | ".join([t("grade-student", lang), *ids, t("grade-total", lang)]) + " |",
        "|" + "---|" * (len(ids) + 2),
    ]
    for row in rows:
        cells = [MARKS.get(row.status(c), "—") for c in ids]
        total = f"{row.passed}/{row.total}" + (f" {row.problem}" if row.problem else "")
        lines.append("| " + " | ".join([row.student, *cells, total]) + " |")
    return "\n".join(lines)


def as_csv(course, step, rows, lang) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *step.checks, "passed", "total", "problem"])
    for row in rows:
        writer.writerow([row.student, *(row.status(c) for c in step.checks), row.passed, row.total, row.problem])
    return buffer.getvalue().rstrip("\n")


def as_json(course, step, rows, lang) -> str:
    return json.dumps(
        [
            {
                "student": row.student,
                "passed": row.passed,
                "total": row.total,
                "problem": row.problem,
                "report": report_json(row.report, lang) if row.report else None,
            }
            for row in rows
        ],
        ensure_ascii=False,
        indent=2,
    )


PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #222; }}
  h1 {{ font-size: 1.4rem; }}
  table {{ border-collapse: collapse; }}
  th, td {{ border: 1px solid #ccc; padding: .3rem .5rem; text-align: center; }}
  th.check {{ writing-mode: vertical-rl; transform: rotate(180deg); font-weight: normal; }}
  td.student {{ text-align: left; font-weight: 600; }}
  td.pass {{ background: #d9f2d9; }} td.fail {{ background: #f8d0d0; }}
  td.error {{ background: #f4b3b3; }} td.skip {{ color: #999; }}
  td.none {{ background: #eee; color: #777; text-align: left; }}
  details {{ margin: .6rem 0; }} summary {{ cursor: pointer; font-weight: 600; }}
  pre {{ background: #f6f6f6; padding: .5rem; white-space: pre-wrap; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{summary}</p>
<table>
<tr><th>{student}</th>{heads}<th>{total}</th></tr>
{rows}
</table>
<h2>{failures}</h2>
{details}
</body>
</html>
"""


def as_html(course, step, rows, lang) -> str:
    e = html.escape
    heads = "".join(f'<th class="check" title="{e(course.checks[c].title(lang))}">{e(c)}</th>' for c in step.checks)
    body, details = [], []
    for row in rows:
        if not row.report:
            cells = f'<td class="none" colspan="{len(step.checks)}">{e(row.problem)}</td><td>0/{row.total}</td>'
        else:
            cells = ""
            checks = [rendered(row.report, r, lang) for r in row.report.results]
            for r in checks:
                tip = e(r["message"].splitlines()[0]) if r["message"] else ""
                cells += f'<td class="{r["status"]}" title="{tip}">{MARKS[r["status"]]}</td>'
            cells += f"<td>{row.passed}/{row.total}</td>"
            failed = [r for r in checks if r["status"] in ("fail", "error")]
            if failed:
                items = "".join(
                    f"<p><b>{e(r['id'])}</b> — {e(r['title'])}</p><pre>{e(r['message'])}\n\n{e(r['hint'])}\n{e(r['lesson'])}</pre>"
                    for r in failed
                )
                details.append(f"<details><summary>{e(row.student)}</summary>{items}</details>")
        body.append(f'<tr><td class="student">{e(row.student)}</td>{cells}</tr>')
    complete = sum(1 for r in rows if r.report and r.report.passed)
    return PAGE.format(
        lang=lang,
        title=e(t("grade-title", lang, number=step.number, title=step.title(lang))),
        summary=e(t("grade-summary", lang, ok=complete, total=len(rows))),
        student=e(t("grade-student", lang)),
        total=e(t("grade-total", lang)),
        heads=heads,
        rows="\n".join(body),
        failures=e(t("grade-failures", lang)),
        details="\n".join(details) or "<p>—</p>",
    )
