"""`python -m checker progress --project DIR`: where a student's project stands, step by step.

The steps run in order, each as `check N` would, and stop at the first step that does not
pass (`--all` runs every one): a table of passed/total per step, and for the first failing step
its first failing check with a one-line cause. Also `check all --project DIR`. The checks a
later lesson makes untrue (course.toml `until`: "no socket served yet") are left out: a project
may be ahead of a step.
"""

from __future__ import annotations

import json

from checker.i18n import t
from checker.report import MARKS, fix_first, message, report_json, shared_causes, source_text
from checker.runner import StepReport, run_step


def summary(report: StepReport, lang: str) -> dict:
    counted = [r for r in report.results if r.status != "skip"]
    first = next((r for r in report.results if r.status in ("fail", "error")), None)
    if first is not None:
        teller = shared_causes(report).get(first.id, first.id)
        first = next(r for r in report.results if r.id == teller)
    return {
        "step": report.step.number, "slug": report.step.slug, "title": report.step.title(lang),
        "checked": True, "passed": report.passed,
        "passed_checks": sum(r.status in ("pass", "warn") for r in report.results), "total": len(counted),
        "first_failing": {
            "id": first.id, "key": first.key, "params": first.params,
            "message": message(first, lang).splitlines()[0] if first.key else "",
        } if first else None,
        "fix_first": fix_first(report, lang),
    }


def run_progress(course, project, options, interpreter, every: bool = False, on_step=None) -> list[StepReport]:
    reports = []
    for number in sorted(course.steps):
        report = run_step(course, course.steps[number], project, options, interpreter=interpreter)
        reports.append(report)
        if on_step:
            on_step(report)
        if not report.passed and not every:
            break
    return reports


def as_text_line(row: dict, lang: str) -> str:
    mark = MARKS["pass"] if row["passed"] else MARKS["fail"]
    line = f"  {mark} {row['step']:02d} {row['title']:<46} {row['passed_checks']:>2}/{row['total']:<2}"
    if row["first_failing"]:
        line += f"  {row['first_failing']['id']}: {row['first_failing']['message']}"
    return line


def cmd_progress(course, args, project, interpreter) -> int:
    from checker.options import Options

    options = Options.from_args(args)
    options.lasting = True
    rows: list[dict] = []
    header_done = []

    def on_step(report: StepReport):
        row = summary(report, args.lang)
        rows.append(row)
        if args.format != "text":
            return
        if not header_done:
            print(t("progress-heading", args.lang, project=report.project))
            print(t("heading-python", args.lang, python=report.environment["python"], source=source_text(report, args.lang)))
            header_done.append(True)
        print(as_text_line(row, args.lang), flush=True)

    reports = run_progress(course, project, options, interpreter, every=args.all, on_step=on_step)
    done = {r.step.number for r in reports}
    first_failing = next((row["step"] for row in rows if not row["passed"]), None)
    later = [n for n in sorted(course.steps) if n not in done]
    if args.format == "json":
        payload = {
            "project": str(project.root),
            "environment": report_json(reports[0], args.lang)["environment"],
            "passed": first_failing is None and not later,
            "first_failing_step": first_failing,
            "steps": rows + [{"step": n, "slug": course.steps[n].slug, "title": course.steps[n].title(args.lang),
                              "checked": False} for n in later],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for n in later:
            print(f"  {MARKS['skip']} {n:02d} {course.steps[n].title(args.lang):<46}  "
                  + t("progress-not-checked", args.lang, step=first_failing))
        if first_failing is None:
            print(t("progress-all-green", args.lang, count=len(rows)))
        else:
            failing = next(row for row in rows if row["step"] == first_failing)
            print(t("progress-next", args.lang, step=first_failing))
            if failing["fix_first"]:
                print(failing["fix_first"])
    return 0 if first_failing is None and not later else 1
