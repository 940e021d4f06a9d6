"""Printing results: a line per check for people, JSON and JUnit XML for programs."""

from __future__ import annotations

import json
import sys
from xml.etree import ElementTree as ET

from checker.runner import StepReport
from checker.texts import text

MARKS = {"pass": "✔", "fail": "✘", "error": "‼", "skip": "·"}
COLOURS = {"pass": "32", "fail": "31", "error": "31", "skip": "2"}


def colour(enabled: bool, status: str, s: str) -> str:
    return f"\033[{COLOURS[status]}m{s}\033[0m" if enabled else s


def indent(block: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in block.splitlines())


def as_text(report: StepReport, lang: str, verbose: bool = False, tty: bool | None = None) -> str:
    tty = sys.stdout.isatty() if tty is None else tty
    step = report.step
    lines = [text("heading", lang, number=step.number, title=step.title[lang], project=report.project)]
    width = max(len(r.id) for r in report.results)
    for r in report.results:
        seconds = f"{r.duration_ms / 1000:.2f} s" if r.status != "skip" else ""
        head = f"  {MARKS[r.status]} {r.id:<{width}}  {r.title}"
        lines.append(colour(tty, r.status, head) + (f"  {seconds}" if seconds else ""))
        if r.status == "skip":
            lines.append(indent(r.message, "      "))
            continue
        if r.status == "pass":
            if r.message:
                lines.append(indent(r.message, "      "))
        else:
            lines.append(indent(r.message, "      "))
            if r.hint:
                lines.append(f"      {text('label-why', lang)}: {r.hint}")
            lines.append(f"      {text('label-lesson', lang)}: {r.lesson}")
            if r.repro:
                lines.append(f"      {text('label-repro', lang)}: {r.repro}")
        if verbose and r.frames:
            lines.append(f"      {text('label-frames', lang)}:")
            lines.extend(f"        {frame}" for frame in r.frames)
    passed = sum(r.status == "pass" for r in report.results)
    skipped = sum(r.status == "skip" for r in report.results)
    extra = f", {text('label-skipped', lang)}: {skipped}" if skipped else ""
    total = len(report.results) - skipped
    lines.append(text("summary", lang, number=step.number, passed=passed, total=total, extra=extra))
    return "\n".join(lines)


def as_json(reports: list[StepReport]) -> str:
    if len(reports) == 1:
        return json.dumps(reports[0].to_json(), ensure_ascii=False, indent=2)
    payload = {"passed": all(r.passed for r in reports), "steps": [r.to_json() for r in reports]}
    return json.dumps(payload, ensure_ascii=False, indent=2)


def as_junit(reports: list[StepReport]) -> str:
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
            case = ET.SubElement(
                suite, "testcase", classname=f"step{report.step.number:02d}", name=r.id,
                time=f"{r.duration_ms / 1000:.3f}",
            )
            if r.status in ("fail", "error"):
                tag = "failure" if r.status == "fail" else "error"
                element = ET.SubElement(case, tag, message=r.message.splitlines()[0] if r.message else r.id)
                element.text = "\n".join(filter(None, [r.message, r.hint, r.lesson, r.repro]))
            elif r.status == "skip":
                ET.SubElement(case, "skipped", message=r.message)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")
