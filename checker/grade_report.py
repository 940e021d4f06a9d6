"""The class's table: Markdown, CSV, JSON and a self-contained HTML page.

Every value that comes from a submission (its folder's name, what it printed, its exception
messages) is escaped for the medium it goes to (checker/escape.py).
"""

from __future__ import annotations

import csv
import io
import json

from checker import escape
from checker.i18n import t
from checker.report import rendered, report_json

MARKS = {"pass": "✔", "warn": "⚠", "fail": "✘", "error": "‼", "skip": "·"}


def as_markdown(course, step, rows, lang) -> str:
    ids = list(step.checks)
    lines = [
        "| " + " | ".join([t("grade-student", lang), *ids, t("grade-total", lang)]) + " |",
        "|" + "---|" * (len(ids) + 2),
    ]
    for row in rows:
        cells = [MARKS.get(row.status(c), "—") for c in ids]
        total = f"{row.passed}/{row.total}" + (f" {escape.markdown(row.problem)}" if row.problem else "")
        lines.append("| " + " | ".join([escape.markdown(row.student), *cells, total]) + " |")
    return "\n".join(lines)


def as_csv(course, step, rows, lang) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *step.checks, "passed", "total", "problem"])
    for row in rows:
        writer.writerow([escape.csv_cell(row.student), *(row.status(c) for c in step.checks), row.passed, row.total,
                         escape.csv_cell(row.problem)])
    return buffer.getvalue().rstrip("\n")


def as_json(course, step, rows, lang) -> str:
    return json.dumps(
        [
            {
                "student": row.student,
                "passed": row.passed,
                "total": row.total,
                "problem": row.problem,
                "seconds": row.seconds,
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
    e = escape.html
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
