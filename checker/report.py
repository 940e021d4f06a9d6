"""Printing results: a line per check for people, JSON and JUnit XML for programs.

This is where keys become sentences, in the language asked for (checker/i18n.py).
"""

from __future__ import annotations

import json
import sys
from xml.etree import ElementTree as ET

from checker.course import load_course
from checker.failures import OBSERVATIONS
from checker.i18n import render, t
from checker.result import CheckResult
from checker.runner import StepReport

MARKS = {"pass": "✔", "fail": "✘", "error": "‼", "skip": "·"}
COLOURS = {"pass": "32", "fail": "31", "error": "31", "skip": "2"}


def message(result: CheckResult, lang: str) -> str:
    return render(result.key, lang, result.params) if result.key else ""


def hint(result: CheckResult, lang: str) -> str:
    """What usually causes a failure: what Python observed, the message's own hint, the causes
    a diagnosis found (in that order)."""
    if result.status not in ("fail", "error") or not result.key:
        return ""
    first = [c for c in result.causes if c in OBSERVATIONS]
    rest = [c for c in result.causes if c not in OBSERVATIONS]
    parts = [render(c, lang, result.params) for c in first]
    parts.append(render(f"{result.key}.hint", lang, result.params, optional=True))
    parts += [render(c, lang, result.params, optional=c.endswith(".hint")) for c in rest]
    return " ".join(p for p in parts if p).strip()


def rendered(report: StepReport, result: CheckResult, lang: str) -> dict:
    """One check as the JSON contract has it (SPEC.md): sentences beside their key and params."""
    course = load_course()
    failed = result.status in ("fail", "error")
    return {
        "id": result.id,
        "title": course.checks[result.id].title(lang),
        "status": result.status,
        "message": message(result, lang),
        "hint": hint(result, lang),
        "lesson": course.lesson_link(result.id, lang),
        "duration_ms": result.duration_ms,
        "repro": f"{report.repro} --only {result.id} -v" if failed and report.repro else "",
        "frames": result.frames,
        "key": result.key,
        "params": result.params,
        "causes": result.causes,
    }


def report_json(report: StepReport, lang: str) -> dict:
    return {
        "step": report.step.number,
        "project": str(report.project),
        "passed": report.passed,
        "checks": [rendered(report, r, lang) for r in report.results],
    }


def colour(enabled: bool, status: str, s: str) -> str:
    return f"\033[{COLOURS[status]}m{s}\033[0m" if enabled else s


def indent(block: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in block.splitlines())


def as_text(report: StepReport, lang: str, verbose: bool = False, tty: bool | None = None) -> str:
    tty = sys.stdout.isatty() if tty is None else tty
    step = report.step
    lines = [t("heading", lang, number=step.number, title=step.title(lang), project=report.project)]
    checks = [rendered(report, r, lang) for r in report.results]
    why, lesson = t("label-why", lang), t("label-lesson", lang)
    repro, frames = t("label-repro", lang), t("label-frames", lang)
    width = max(len(c["id"]) for c in checks)
    for c in checks:
        status = c["status"]
        seconds = f"{c['duration_ms'] / 1000:.2f} s" if status != "skip" else ""
        head = f"  {MARKS[status]} {c['id']:<{width}}  {c['title']}"
        lines.append(colour(tty, status, head) + (f"  {seconds}" if seconds else ""))
        if c["message"]:
            lines.append(indent(c["message"], "      "))
        if status in ("fail", "error"):
            if c["hint"]:
                lines.append(f"      {why}: {c['hint']}")
            lines.append(f"      {lesson}: {c['lesson']}")
            if c["repro"]:
                lines.append(f"      {repro}: {c['repro']}")
        if verbose and c["frames"]:
            lines.append(f"      {frames}:")
            lines.extend(f"        {frame}" for frame in c["frames"])
    passed = sum(r.status == "pass" for r in report.results)
    skipped = sum(r.status == "skip" for r in report.results)
    skipped_label = t("label-skipped", lang)
    extra = f", {skipped_label}: {skipped}" if skipped else ""
    total = len(report.results) - skipped
    lines.append(t("summary", lang, number=step.number, passed=passed, total=total, extra=extra))
    return "\n".join(lines)


def as_json(reports: list[StepReport], lang: str) -> str:
    if len(reports) == 1:
        return json.dumps(report_json(reports[0], lang), ensure_ascii=False, indent=2)
    payload = {"passed": all(r.passed for r in reports), "steps": [report_json(r, lang) for r in reports]}
    return json.dumps(payload, ensure_ascii=False, indent=2)


def as_junit(reports: list[StepReport], lang: str) -> str:
    suites = ET.Element("testsuites")
    for report in reports:
        results = report.results
        suite = ET.SubElement(
            suites, "testsuite",
            name=f"step {report.step.number:02d} {report.step.slug}",
            tests=str(len(results)),
            failures=str(sum(r.status == "fail" for r in results)),
            errors=str(sum(r.status == "error" for r in results)),
            skipped=str(sum(r.status == "skip" for r in results)),
            time=f"{sum(r.duration_ms for r in results) / 1000:.3f}",
        )
        for r in results:
            c = rendered(report, r, lang)
            case = ET.SubElement(
                suite, "testcase", classname=f"step{report.step.number:02d}", name=r.id,
                time=f"{r.duration_ms / 1000:.3f}",
            )
            if r.status in ("fail", "error"):
                tag = "failure" if r.status == "fail" else "error"
                element = ET.SubElement(case, tag, message=c["message"].splitlines()[0] if c["message"] else r.id)
                element.text = "\n".join(filter(None, [c["message"], c["hint"], c["lesson"], c["repro"]]))
            elif r.status == "skip":
                ET.SubElement(case, "skipped", message=c["message"])
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")
