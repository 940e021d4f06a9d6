"""The class's table: Markdown, CSV, JSON, JUnit and a self-contained HTML page; and, per
submission, the files Gradescope, GitHub Classroom and JUnit readers take.

Every value that comes from a submission (its entry's name, what it printed, its exception
messages) is escaped for the medium it goes to (checker/escape.py). Points come from
checker/points.py, so every format shows the same totals.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from checker import ROOT, escape
from checker.i18n import t
from checker.points import shown
from checker.report import rendered, report_json

MARKS = {"pass": "✔", "warn": "⚠", "fail": "✘", "error": "‼", "skip": "·"}


def lesson_url(link: str) -> str:
    """A lesson link (lessons/ru/05-groups.md#capacity) the instructor's browser can open."""
    return (ROOT / link).as_uri() if "#" not in link else (ROOT / link.split("#")[0]).as_uri() + "#" + link.split("#", 1)[1]


def class_counts(grading) -> dict[str, int | None]:
    """check -> how many rows passed it ("ws-echo 26/30"); None for a check that does not count
    in this run (a long one without --thorough)."""
    counted = set(grading.rows[0].counted) if grading.rows else set(grading.step.checks)
    return {c: sum(row.status(c) in ("pass", "warn") for row in grading.rows) if c in counted else None
            for c in grading.step.checks}


def count_text(count: int | None, total: int) -> str:
    return "—" if count is None else f"{count}/{total}"


def run_line(grading, lang) -> str:
    params = {"seconds": f"{grading.seconds:.0f}", "jobs": grading.jobs, "count": len(grading.rows)}
    if grading.sandboxed:
        return t("grade-run-sandboxed", lang, **params)
    return t("grade-run-unsafe", lang, **params)


def roster_lines(grading, lang) -> list[str]:
    lines = []
    if grading.missing:
        names = ", ".join(f"{p.get('name') or p.get('id')}" for p in grading.missing)
        lines.append(t("grade-missing", lang, count=len(grading.missing), names=names))
    if grading.unknown:
        lines.append(t("grade-unknown", lang, count=len(grading.unknown), names=", ".join(grading.unknown)))
    return lines


# --- Markdown --------------------------------------------------------------------------------
def as_markdown(course, grading, lang) -> str:
    step, rows = grading.step, grading.rows
    ids = list(step.checks)
    counts = class_counts(grading)
    lines = [
        f"## {escape.markdown(t('grade-title', lang, number=step.number, title=step.title(lang)))}",
        "",
        escape.markdown(run_line(grading, lang)),
        "",
        "| " + " | ".join([t("grade-student", lang), *ids, t("grade-points", lang), t("grade-seconds", lang),
                          t("grade-reason", lang)]) + " |",
        "|" + "---|" * (len(ids) + 4),
    ]
    for row in rows:
        cells = [MARKS.get(row.status(c), "—") for c in ids]
        lines.append("| " + " | ".join([
            escape.markdown(row.student), *cells, f"{shown(row.earned)}/{shown(row.possible)}",
            f"{row.seconds:.0f}", escape.markdown(row.reason(lang))]) + " |")
    lines.append("| " + " | ".join([t("grade-class", lang), *(count_text(counts[c], len(rows)) for c in ids), "", "", ""]) + " |")
    lines += ["", t("grade-legend", lang)]
    lines += [f"- {escape.markdown(line)}" for line in roster_lines(grading, lang)]
    return "\n".join(lines)


# --- CSV -------------------------------------------------------------------------------------
def as_csv(course, grading, lang) -> str:
    """UTF-8 with a BOM, so that Excel shows Cyrillic names; --delimiter ';' where Excel wants it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=grading.delimiter, lineterminator="\r\n")
    writer.writerow(["entry", "student_id", "name", "email", *grading.step.checks, "points", "max_points",
                     "passed", "total", "seconds", "reason"])
    for row in grading.rows:
        person = row.person or {}
        writer.writerow([escape.csv_cell(v) for v in (
            row.name, person.get("id", ""), person.get("name", ""), person.get("email", ""),
            *(row.status(c) for c in grading.step.checks), shown(row.earned), shown(row.possible),
            row.passed, row.total, f"{row.seconds:.1f}", row.reason(lang))])
    for person in grading.missing:
        writer.writerow([escape.csv_cell(v) for v in (
            "", person.get("id", ""), person.get("name", ""), person.get("email", ""),
            *("" for _ in grading.step.checks), "0", shown(grading.rows[0].possible) if grading.rows else "",
            0, len(grading.rows[0].counted) if grading.rows else "", "", t("grade-no-submission", lang))])
    return "\ufeff" + buffer.getvalue()


# --- JSON ------------------------------------------------------------------------------------
def as_json(course, grading, lang) -> str:
    return json.dumps({
        "step": grading.step.number,
        "sandboxed": grading.sandboxed,
        "seconds": grading.seconds,
        "jobs": grading.jobs,
        "counts": class_counts(grading),
        "missing": grading.missing,
        "unknown": grading.unknown,
        "rows": [
            {
                "entry": row.name,
                "student": row.person,
                "points": row.earned,
                "max_points": row.possible,
                "passed": row.passed,
                "total": row.total,
                "seconds": row.seconds,
                "problem": row.problem,
                "params": row.params,
                "notes": [t(note.key, lang, **note.params) for note in row.notes],
                "reason": row.reason(lang),
                "report": report_json(row.report, lang) if row.report else None,
            }
            for row in grading.rows
        ],
    }, ensure_ascii=False, indent=2)


# --- JUnit -----------------------------------------------------------------------------------
def as_junit(course, grading, lang) -> str:
    """One <testsuite> per submission in one document (GitLab, Jenkins and CodeGrade read it)."""
    from checker.autograders import Submission, junit

    return junit([Submission.from_row(row, grading.step) for row in grading.rows], course, lang)


# --- HTML ------------------------------------------------------------------------------------
PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #222; }}
  h1 {{ font-size: 1.4rem; }}
  .bar {{ display: flex; gap: 1rem; align-items: center; margin: .8rem 0; flex-wrap: wrap; }}
  input, select {{ font: inherit; padding: .2rem .4rem; }}
  table {{ border-collapse: collapse; }}
  th, td {{ border: 1px solid #ccc; padding: .3rem .5rem; text-align: center; }}
  thead th {{ cursor: pointer; background: #f3f3f3; user-select: none; }}
  thead th.check {{ writing-mode: vertical-rl; transform: rotate(180deg); font-weight: normal; }}
  thead th[aria-sort="ascending"]::after {{ content: " ▲"; }}
  thead th[aria-sort="descending"]::after {{ content: " ▼"; }}
  td.student {{ text-align: left; font-weight: 600; }}
  td.reason {{ text-align: left; max-width: 32rem; }}
  td.pass {{ background: #d9f2d9; }} td.warn {{ background: #fff1c2; }} td.fail {{ background: #f8d0d0; }}
  td.error {{ background: #f4b3b3; }} td.skip {{ color: #999; }} td.none {{ background: #eee; color: #777; }}
  tfoot td {{ font-weight: 600; background: #fafafa; }}
  td a {{ color: inherit; text-decoration: none; display: block; }}
  details {{ margin: .6rem 0; }} summary {{ cursor: pointer; font-weight: 600; }}
  pre {{ background: #f6f6f6; padding: .5rem; white-space: pre-wrap; }}
  .muted {{ color: #666; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{summary}<br><span class="muted">{run}</span></p>
{roster}
<div class="bar">
  <label>{filter_label} <input id="filter" type="search" placeholder="{filter_hint}"></label>
  <label>{check_label} <select id="check"><option value="">{all_checks}</option>{options}</select></label>
  <span id="shown" class="muted"></span>
</div>
<table id="grades">
<thead><tr><th data-type="text">{student}</th>{heads}<th data-type="number">{points}</th>
<th data-type="number">{seconds}</th><th data-type="text">{reason}</th></tr></thead>
<tbody>
{rows}
</tbody>
<tfoot><tr><td class="student">{class_label}</td>{counts}<td></td><td></td><td></td></tr></tfoot>
</table>
<h2>{failures}</h2>
{details}
<script>
// Sorting by a column's header, filtering by a student's name and by a check that failed.
const table = document.getElementById("grades"), body = table.tBodies[0];
const heads = Array.from(table.tHead.rows[0].cells);
heads.forEach((th, index) => th.addEventListener("click", () => {{
  const ascending = th.getAttribute("aria-sort") !== "ascending";
  heads.forEach(h => h.removeAttribute("aria-sort"));
  th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const key = row => row.cells[index].dataset.sort ?? row.cells[index].textContent.trim();
  const number = th.dataset.type === "number" || th.classList.contains("check");
  const rows = Array.from(body.rows).sort((a, b) => {{
    const x = key(a), y = key(b);
    const order = number ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, document.documentElement.lang);
    return ascending ? order : -order;
  }});
  rows.forEach(row => body.appendChild(row));
}}));
const filter = document.getElementById("filter"), check = document.getElementById("check");
function apply() {{
  const text = filter.value.trim().toLowerCase();
  let shown = 0;
  for (const row of body.rows) {{
    const byName = !text || row.cells[0].textContent.toLowerCase().includes(text);
    const cell = check.value ? row.querySelector(`td[data-check="${{check.value}}"]`) : null;
    const byCheck = !check.value || !cell || !["pass", "warn"].includes(cell.dataset.status);
    row.hidden = !(byName && byCheck);
    shown += row.hidden ? 0 : 1;
  }}
  document.getElementById("shown").textContent = `${{shown}} / ${{body.rows.length}}`;
}}
filter.addEventListener("input", apply);
check.addEventListener("change", apply);
apply();
</script>
</body>
</html>
"""

STATUS_ORDER = {"pass": 4, "warn": 3, "skip": 2, "fail": 1, "error": 0, "": -1}


def folder_name(name: str, index: int) -> str:
    """An entry's name as a folder name on any system (Cyrillic kept, separators not)."""
    return re.sub(r'[\x00-\x1f/\\:*?"<>|]', "_", name).strip(" .") or f"entry-{index}"


def as_html(course, grading, lang) -> str:
    e = escape.html
    step, rows = grading.step, grading.rows
    counts = class_counts(grading)
    heads = "".join(f'<th class="check" title="{e(course.checks[c].title(lang))}">{e(c)}</th>' for c in step.checks)
    body, details = [], []
    for index, row in enumerate(rows):
        anchor = f"row-{index}"
        if not row.report:
            cells = "".join(f'<td class="none" data-check="{e(c)}" data-status="" data-sort="-1">—</td>'
                            for c in step.checks)
        else:
            cells = ""
            checks = {r["id"]: r for r in (rendered(row.report, r, lang) for r in row.report.results)}
            for c in step.checks:
                r = checks.get(c)
                status = r["status"] if r else ""
                tip = e(r["message"].splitlines()[0]) if r and r["message"] else ""
                mark = MARKS.get(status, "—")
                link = f'<a href="#{anchor}">{mark}</a>' if status in ("fail", "error") else mark
                cells += (f'<td class="{status or "none"}" data-check="{e(c)}" data-status="{status}" '
                          f'data-sort="{STATUS_ORDER[status]}" title="{tip}">{link}</td>')
            failed = [r for r in checks.values() if r["status"] in ("fail", "error", "warn")]
            if failed:
                items = "".join(
                    f"<p><b>{e(r['id'])}</b> — {e(r['title'])} "
                    f"(<a href=\"{e(lesson_url(r['lesson']))}\">{e(r['lesson'])}</a>)</p>"
                    f"<pre>{e(r['message'])}\n\n{e(r['hint'])}"
                    + (f"\n\n{e(t('label-repro', lang))}: {e(r['repro'])}" if r["repro"] else "")
                    + (f"\n{e(t('same-cause', lang, check=r['same_as']))}" if r["same_as"] else "")
                    + "</pre>"
                    for r in failed
                )
                details.append(f'<details id="{anchor}"><summary>{e(row.student)} — {e(row.reason(lang))}'
                               f"</summary>{items}</details>")
        earned = f"{shown(row.earned)}/{shown(row.possible)}"
        body.append(f'<tr><td class="student" title="{e(row.name)}">{e(row.student)}</td>{cells}'
                    f'<td data-sort="{row.earned}">{earned}</td><td data-sort="{row.seconds}">{row.seconds:.0f}</td>'
                    f'<td class="reason">{e(row.reason(lang))}</td></tr>')
    complete = sum(1 for r in rows if r.report and r.report.passed)
    roster = "".join(f"<p><b>{e(line)}</b></p>" for line in roster_lines(grading, lang))
    return PAGE.format(
        lang=lang,
        title=e(t("grade-title", lang, number=step.number, title=step.title(lang))),
        summary=e(t("grade-summary", lang, ok=complete, total=len(rows))),
        run=e(run_line(grading, lang)),
        roster=roster,
        filter_label=e(t("grade-filter", lang)), filter_hint=e(t("grade-student", lang)),
        check_label=e(t("grade-failed-check", lang)), all_checks=e(t("grade-all-checks", lang)),
        options="".join(f'<option value="{e(c)}">{e(c)}</option>' for c in step.checks),
        student=e(t("grade-student", lang)),
        points=e(t("grade-points", lang)), seconds=e(t("grade-seconds", lang)), reason=e(t("grade-reason", lang)),
        heads=heads,
        rows="\n".join(body),
        class_label=e(t("grade-class", lang)),
        counts="".join(f'<td title="{e(c)}">{count_text(counts[c], len(rows))}</td>' for c in step.checks),
        failures=e(t("grade-failures", lang)),
        details="\n".join(details) or "<p>—</p>",
    )


TABLE_RENDERERS = {"md": as_markdown, "csv": as_csv, "json": as_json, "html": as_html, "junit": as_junit}
FILE_NAMES = {"md": "grades.md", "csv": "grades.csv", "json": "grades.json", "html": "grades.html",
              "junit": "grades.xml"}


def write(course, grading, formats, out, lang) -> int:
    """Write what was asked; the one format without --out goes to stdout."""
    from checker.files import write_atomically
    from checker.grade import EACH, TABLES

    tables = [f for f in formats if f in TABLES]
    each = [f for f in formats if f in EACH]  # junit is both: the class's file and one per submission
    if not out:
        print(TABLE_RENDERERS[tables[0]](course, grading, lang))
        return 0
    out = Path(out)
    if len(formats) == 1 and tables and out.suffix:  # --format html --out grades.html
        write_atomically(out, TABLE_RENDERERS[tables[0]](course, grading, lang))
    else:
        out.mkdir(parents=True, exist_ok=True)
        for name in tables:
            write_atomically(out / FILE_NAMES[name], TABLE_RENDERERS[name](course, grading, lang))
        if each:
            write_each(course, grading, each, out, lang)
    print(t("grade-written", lang, count=len(grading.rows), out=str(out)))
    return 0


def write_each(course, grading, formats, out: Path, lang) -> None:
    """out/submissions/<entry>/: results.json (Gradescope), classroom-result.b64 (GitHub
    Classroom), junit.xml: what each submission's own autograder would have written."""
    from checker.autograders import Submission, write_formats

    for index, row in enumerate(grading.rows):
        folder = out / "submissions" / folder_name(row.name, index)
        write_formats(Submission.from_row(row, grading.step), course, folder, formats, lang)
