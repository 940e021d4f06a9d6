"""Printing results: a line per check for people, JSON and JUnit XML for programs (JUnit and
the other machine formats are built in checker/autograders.py).

This is where keys become sentences, in the language asked for (checker/i18n.py).
"""

from __future__ import annotations

import json
import sys

from checker.course import load_course
from checker.escape import terminal
from checker.failures import OBSERVATIONS, cause_signature
from checker.i18n import N_, render, t
from checker.result import PASSED, CheckResult
from checker.runner import StepReport

MARKS = {"pass": "✔", "warn": "⚠", "fail": "✘", "error": "‼", "skip": "·"}
COLOURS = {"pass": "32", "warn": "33", "fail": "31", "error": "31", "skip": "2"}


def message(result: CheckResult, lang: str) -> str:
    return render(result.key, lang, result.params) if result.key else ""


def hint(result: CheckResult, lang: str) -> str:
    """What usually causes a failure: what Python observed, the message's own hint, the causes
    a diagnosis found (in that order)."""
    if result.status not in ("warn", "fail", "error") or not result.key:
        return ""
    first = [c for c in result.causes if c in OBSERVATIONS]
    rest = [c for c in result.causes if c not in OBSERVATIONS]
    parts = [render(c, lang, result.params) for c in first]
    parts.append(render(f"{result.key}.hint", lang, result.params, optional=True))
    parts += [render(c, lang, result.params, optional=c.endswith(".hint")) for c in rest]
    return " ".join(p for p in parts if p).strip()


def shared_causes(report: StepReport) -> dict[str, str]:
    """{check: the check that tells the cause it shares}: one cause is told once. The teller is
    the check whose own message names that cause (redis-layer's "no CHANNEL_LAYERS" rather than
    the crash it causes in ws-connect), else the first."""
    groups: dict[str, list[CheckResult]] = {}
    for r in report.results:
        signature = cause_signature(r.status, r.key, r.params, r.causes)
        if signature is not None:
            groups.setdefault(signature, []).append(r)
    same = {}
    for signature, members in groups.items():
        teller = next((r for r in members if r.key == signature), members[0])
        same.update({r.id: teller.id for r in members if r is not teller})
    return same


def lesson_of(report: StepReport, result: CheckResult, lang: str) -> str:
    """The lesson section for this result: where its cause is taught (course.toml [causes]), else
    the check's own."""
    return load_course().lesson_link(result.id, lang, result.causes, report.step.number)


def fix_first(report: StepReport, lang: str, key: str = N_("fix-first")) -> str:
    """One line: the first failure to fix, and where (its file:line, else its lesson section);
    key "fix-first-cell" leaves out "Fix first:" for a column that says it already."""
    same = shared_causes(report)
    failed = [r for r in report.results if r.status in ("fail", "error")]
    if not failed:
        return ""
    first = same.get(failed[0].id, failed[0].id)
    r = next(r for r in report.results if r.id == first)
    what = message(r, lang).splitlines()[0] if r.key else r.id
    if r.params.get("warning") and not r.params.get("error") and any(c in OBSERVATIONS for c in r.causes):
        # Nothing crashed: what Python saw is the cause, the check's symptom is not.
        what = r.params["warning"]
    where = r.params.get("where") if r.params.get("where") not in (None, "", "?") else lesson_of(report, r, lang)
    return t(key, lang, check=r.id, what=what.rstrip("."), where=where)


def rendered(report: StepReport, result: CheckResult, lang: str, same: dict | None = None) -> dict:
    """One check as the JSON contract has it (SPEC.md): sentences beside their key and params."""
    course = load_course()
    failed = result.status in ("fail", "error")
    same = shared_causes(report) if same is None else same
    return {
        "id": result.id,
        "title": course.checks[result.id].title(lang),
        "status": result.status,
        "message": message(result, lang),
        "hint": hint(result, lang),
        "lesson": lesson_of(report, result, lang),
        "duration_ms": result.duration_ms,
        "repro": f"{report.repro} --only {result.id} -v" if failed and report.repro else "",
        "frames": result.frames,
        "key": result.key,
        "params": result.params,
        "causes": result.causes,
        "same_as": same.get(result.id, ""),
        "decided": result.decided,
    }


def source_text(report: StepReport, lang: str) -> str:
    """Where the interpreter came from, in words."""
    source = report.environment.get("source", "workbook")
    if source == "workbook" and not report.repro.count("--project"):
        return t("python-source.reference", lang)  # the reference steps: of course the workbook's
    return {
        "option": t("python-source.option", lang), "active": t("python-source.active", lang),
        "project": t("python-source.project", lang),
    }.get(source) or t("python-source.workbook", lang)


def report_json(report: StepReport, lang: str) -> dict:
    same = shared_causes(report)
    return {
        "step": report.step.number,
        "project": str(report.project),
        "passed": report.passed,
        "environment": {k: report.environment.get(k) for k in ("python", "source", "versions")},
        "checks": [rendered(report, r, lang, same) for r in report.results],
        "fix_first": fix_first(report, lang),
        "sandboxed": report.sandboxed,
        "inconsistent": report.inconsistent,
    }


def colour(enabled: bool, status: str, s: str) -> str:
    return f"\033[{COLOURS[status]}m{s}\033[0m" if enabled else s


def indent(block: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in block.splitlines())


def heading(report_step, project, environment: dict | None, source: str, lang: str) -> list[str]:
    from checker.runner import shown_path  # ~ for the home folder, as the student types it

    lines = [t("heading", lang, number=report_step.number, title=report_step.title(lang),
               project=terminal(shown_path(project)))]
    if environment:
        lines.append(t("heading-python", lang, python=terminal(shown_path(environment["python"])), source=source))
    return lines


def status_line(result: CheckResult, lang: str, width: int, tty: bool) -> str:
    """The one line a check gets as soon as it is done: its mark, id, title and time."""
    seconds = f"{result.duration_ms / 1000:.2f} s" if result.status != "skip" else ""
    title = load_course().checks[result.id].title(lang)
    head = f"  {MARKS[result.status]} {result.id:<{width}}  {title}"
    return colour(tty, result.status, head) + (f"  {seconds}" if seconds else "")


def detail_lines(c: dict, lang: str, verbose: bool = False) -> list[str]:
    """What follows a check's line: its message; for a failure why, the lesson, how to repeat."""
    if c["same_as"]:
        return ["      " + t("same-cause", lang, check=c["same_as"])]
    c = {**c, **{k: terminal(c[k]) for k in ("message", "hint", "repro")}}  # a project's words, made inert
    lines = [indent(c["message"], "      ")] if c["message"] else []
    if c["status"] in ("warn", "fail", "error"):
        where = c["params"].get("where")
        if where not in (None, "", "?") and str(where) not in c["message"]:  # the line to fix
            lines.append("      " + t("label-where", lang) + f": {terminal(str(where))}")
        if c["hint"]:
            lines.append("      " + t("label-why", lang) + f": {c['hint']}")
        lines.append("      " + t("label-lesson", lang) + f": {c['lesson']}")
        if c["repro"]:
            lines.append("      " + t("label-repro", lang) + f": {c['repro']}")
    if verbose and c["frames"]:
        lines.append("      " + t("label-frames", lang) + ":")
        lines.extend(f"        {terminal(frame)}" for frame in c["frames"])
    return lines


def summary_lines(report: StepReport, lang: str) -> list[str]:
    passed = sum(r.status in PASSED for r in report.results)
    skipped = sum(r.status == "skip" for r in report.results)
    skipped_label = t("label-skipped", lang)
    extra = f", {skipped_label}: {skipped}" if skipped else ""
    total = len(report.results) - skipped
    lines = [t("summary", lang, number=report.step.number, passed=passed, total=total, extra=extra)]
    first = fix_first(report, lang)
    return lines + ([first] if first else [])


def check_width(report_step) -> int:
    return max(len(c) for c in report_step.checks)


def as_text(report: StepReport, lang: str, verbose: bool = False, tty: bool | None = None) -> str:
    tty = sys.stdout.isatty() if tty is None else tty
    lines = heading(report.step, report.project, report.environment, source_text(report, lang), lang)
    same = shared_causes(report)
    width = check_width(report.step)
    for r in report.results:
        lines.append(status_line(r, lang, width, tty))
        lines.extend(detail_lines(rendered(report, r, lang, same), lang, verbose))
    lines += summary_lines(report, lang)
    if report.sandboxed:
        lines.append(t("sandboxed", lang))
    if report.inconsistent:
        lines.append(t("inconsistent", lang, checks=", ".join(report.inconsistent)))
    return "\n".join(lines)


def as_json(reports: list[StepReport], lang: str) -> str:
    if len(reports) == 1:
        return json.dumps(report_json(reports[0], lang), ensure_ascii=False, indent=2)
    payload = {"passed": all(r.passed for r in reports), "steps": [report_json(r, lang) for r in reports]}
    return json.dumps(payload, ensure_ascii=False, indent=2)


def as_junit(reports: list[StepReport], lang: str, seconds: list[float] | None = None,
             names: list[str] | None = None, thorough: bool = False) -> str:
    """JUnit XML (checker/autograders.py builds it): one <testsuite> per report. `seconds`: each
    run's wall time; without it, the sum of its checks' times stands in."""
    from checker.autograders import Submission, junit

    subs = [
        Submission(r.step, r, (names or [""] * len(reports))[i],
                   seconds[i] if seconds else sum(c.duration_ms for c in r.results) / 1000, thorough=thorough)
        for i, r in enumerate(reports)
    ]
    return junit(subs, load_course(), lang)
