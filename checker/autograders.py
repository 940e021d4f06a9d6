"""The machine formats of one submission: Gradescope's results.json, GitHub Classroom's grader
result and JUnit XML, built from one StepReport (or from why there is none).

`check N --format gradescope|classroom|junit` writes one of them; `grade` writes them per
submission through `write_formats`. All three read the same cases (`cases`): a check's points
from course.toml (checker/points.py), its visibility, its sentences in the language asked for
(checker/report.py renders them), escaped for the medium (checker/escape.py).

What each format makes of a check's status:

    pass, warn                          passed
    fail                                failed
    error (the project crashed or hung) error: JUnit <error>, Classroom "error", Gradescope "failed"
    skip after an earlier crash, hang   blocked: counted as failed everywhere (JUnit <failure>):
      or failed gate (BLOCKED keys)       the project kept the check from running
    any other skip (not --thorough,     not run: JUnit <skipped>; left out of Gradescope and
      a mode, undecidable)                Classroom when it counts for no points

The formats' own specifications, field by field:

- Gradescope: "Autograder Specifications", https://gradescope-autograders.readthedocs.io/en/latest/specs/
  (its source: github.com/gradescope/autograder_samples, docs/specs.md). Top level: `score`
  (optional when every test has one; it overrides their total, so it is given as exactly their
  total), `execution_time` (seconds), `output`, `output_format`, `test_output_format`,
  `test_name_format` ("text": nothing a submission printed is read as HTML or Markdown),
  `visibility`, `stdout_visibility`, `extra_data`, `tests`. A test: `score`, `max_score`, `status`
  ("passed" | "failed": Gradescope's own, so a 0-point check can show as failed, see
  gradescope/autograder_samples discussion #67), `name`, `name_format`, `number`, `output`,
  `output_format`, `tags`, `visibility` ("visible" | "hidden" | "after_due_date" |
  "after_published"), `extra_data`. There is no top-level `max_score`: Gradescope takes the
  assignment's total from its own settings; ours is in `extra_data`.
- GitHub Classroom: what classroom-resources/autograding-grading-reporter (src/main.js,
  src/notify-classroom.js, src/helpers/test-helpers.js, dist/main.js) reads from the
  environment variable `<RUNNER ID IN CAPITALS>_RESULTS`: base64 of the JSON a grader step
  (classroom-resources/autograding-io-grader, src/main.js) sets as its `result` output:
  `{"version": 1, "status": "pass"|"fail"|"error", "max_score": N, "tests": [{"name", "status",
  "score", "message", "test_code", "filename", "line_no", "duration"}]}`. The reporter fails the
  job on status "fail" or "error", prints each test's name (with " - line N" unless `line_no` is
  0: it must be a number), its `message` for an "error", its `test_code` when not empty, and
  sends Classroom the sum of the tests' `score` over `max_score`. `duration` is in
  milliseconds, as the io-grader measures it (the reporter does not read it).
- JUnit: the schema Jenkins' xUnit plugin validates against, jenkinsci/xunit-plugin
  src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/junit-10.xsd (a copy in
  tests/data/junit-10.xsd): <testsuites name tests failures errors time> (no `skipped` there),
  <testsuite name tests failures errors skipped time> holding <properties>, <testcase>s and
  <system-out>; a <testcase name classname time> holding <failure|error|skipped message type>
  and <system-out>.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from checker import escape, points
from checker.files import write_atomically
from checker.i18n import render, t
from checker.result import PASSED

# A skip that the project caused: an earlier check crashed its process, hung a socket, or a
# gate it needs failed (checker/runner.py settle, checker/probe.py run_all).
BLOCKED = ("skip-after-crash", "skip-after-hang", "skip-after-load", "skip-no-table", "not-corroborated")
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")  # Gradescope's
FILENAMES = {"gradescope": "results.json", "classroom": "classroom-result.b64", "junit": "junit.xml"}
OUTPUT_TAIL = 32 * 1024  # what a JUnit report keeps of what the project printed
SURROGATES = re.compile("[\ud800-\udfff]")  # a lone one cannot be written as UTF-8


def plain(text: str) -> str:
    """Text for a JSON format shown as plain text: no escape sequence, no control character
    (checker/escape.py terminal), nothing UTF-8 cannot encode."""
    return SURROGATES.sub("\ufffd", escape.terminal(text))


@dataclass
class Submission:
    """One submission's run, as the machine formats take it."""

    step: object  # checker.course.Step
    report: object | None = None  # checker.runner.StepReport; None: no report (see `problem`)
    name: str = ""  # the submission's name (grade: its folder); "" for one's own check
    seconds: float = 0.0  # the run's wall time
    problem: str = ""  # why there is no report, in words (already in the report's language)
    problem_key: str = "no-project"  # what kind of trouble, as JUnit's failure type says it
    thorough: bool = False  # --thorough: the long checks count
    project: str = ""  # the folder given, when there is no report to say where it was
    problem_params: dict = field(default_factory=dict)  # problem_key's values, when `problem` is ""

    @classmethod
    def from_row(cls, row, step, thorough: bool | None = None) -> Submission:
        """From one of grade's rows (checker/grade.py Row: student, report, seconds, and why there
        is no report: `problem` a catalog key with its `params`, or else a sentence)."""
        problem = getattr(row, "problem", "") or ""
        params = getattr(row, "params", None)
        thorough = getattr(row, "thorough", False) if thorough is None else thorough
        if params is not None:  # a key: rendered in each format's language
            return cls(step, row.report, row.student, row.seconds, "", problem or "no-report", thorough,
                       problem_params=dict(params))
        return cls(step, row.report, row.student, row.seconds, problem, "no-report", thorough)

    def problem_text(self, lang: str) -> str:
        """Why there is no report, in `lang`."""
        if self.problem:
            return self.problem
        text = render(self.problem_key, lang, self.problem_params, optional=True) if self.problem_key else ""
        return text or t("no-project", lang, detail="?")


@dataclass
class Case:
    """One check of a submission as every machine format shows it."""

    id: str
    title: str
    status: str  # the checker's: pass | warn | fail | error | skip
    outcome: str  # passed | failed | error | blocked | not-run
    score: float
    max_score: float
    counted: bool  # it counts in this run's points
    message: str  # its first sentence
    text: str  # message, why, lesson, same cause: the whole of it, unescaped
    key: str = ""
    duration_ms: int = 0
    where: str = ""  # "chat/routing.py:3" when a line of the project is to blame
    visibility: str = "visible"
    nature: str = ""
    decided: str = ""
    thorough: bool = False


def outcome(status: str, key: str) -> str:
    if status in PASSED:
        return "passed"
    if status == "skip":
        return "blocked" if key in BLOCKED else "not-run"
    return "failed" if status == "fail" else "error"


def number(value: float) -> int | float:
    """2.0 -> 2, 1.5 -> 1.5: points as JSON a person reads."""
    return int(value) if float(value).is_integer() else round(float(value), 4)


def cases(sub: Submission, course, lang: str) -> list[Case]:
    """The submission's checks in report order; without a report, one failed case that says why."""
    if sub.report is None:
        possible = points.possible(course, sub.step, sub.thorough)
        problem = sub.problem_text(lang)
        return [Case("submission", t("autograder-submission", lang), "error", "failed", 0.0, possible, True,
                     problem.splitlines()[0], problem, key=sub.problem_key)]
    from checker.report import rendered, shared_causes

    report = sub.report
    counted = set(points.counted(course, report.step, sub.thorough))
    same = shared_causes(report)
    found = []
    for result in report.results:
        spec = course.checks[result.id]
        shown = rendered(report, result, lang, same)
        kind = outcome(result.status, result.key)
        lines = [shown["message"]] if shown["message"] else []
        if result.status in ("warn", "fail", "error") or kind == "blocked":
            if shown["hint"]:
                lines.append(t("label-why", lang) + ": " + shown["hint"])
            lines.append(t("label-lesson", lang) + ": " + shown["lesson"])
        if shown["same_as"]:
            lines.append(t("same-cause", lang, check=shown["same_as"]))
        is_counted = result.id in counted
        where = result.params.get("where")
        found.append(Case(
            result.id, shown["title"], result.status, kind,
            points.earned_by(course, result.id, result.status) if is_counted else 0.0,
            spec.points if is_counted else 0.0, is_counted,
            (shown["message"].splitlines() or [""])[0], "\n".join(lines), result.key, result.duration_ms,
            where if isinstance(where, str) and where not in ("", "?") else "",
            spec.visibility, spec.nature, result.decided, spec.thorough,
        ))
    return found


def shown_cases(sub: Submission, course, lang: str) -> list[Case]:
    """What Gradescope and Classroom list: every case but a check not run that counts for nothing
    (a long check without --thorough): a "passed" 0 of 0 would say it was checked."""
    return [c for c in cases(sub, course, lang) if c.counted or c.outcome != "not-run"]


def summary(sub: Submission, course, lang: str, found: list[Case]) -> str:
    """The submission's own lines: the step's summary, what to fix first, its points."""
    from checker.report import fix_first, summary_lines

    score = sum(c.score for c in found)
    possible = sum(c.max_score for c in found)
    lines = [t("autograder-heading", lang, number=sub.step.number, title=sub.step.title(lang))]
    if sub.report is None:
        lines.append(sub.problem_text(lang))
    else:
        lines += summary_lines(sub.report, lang)[:1]
        first = fix_first(sub.report, lang)
        if first:
            lines.append(first)
    lines.append(t("autograder-points", lang, score=points.shown(score), possible=points.shown(possible)))
    if sub.report is not None and sub.report.sandboxed:
        lines.append(t("sandboxed", lang))
    if sub.report is not None and sub.report.inconsistent:
        lines.append(t("inconsistent", lang, checks=", ".join(sub.report.inconsistent)))
    return "\n".join(lines)


# --- Gradescope --------------------------------------------------------------------------
def gradescope(sub: Submission, course, lang: str = "en") -> dict:
    """results.json for Gradescope (the specification's fields: see this module's docstring)."""
    found = shown_cases(sub, course, lang)
    tests = []
    for index, c in enumerate(found, 1):
        tags = [f"step-{sub.step.number:02d}", c.nature or "submission", c.outcome]
        tests.append({
            "name": f"{c.id}: {c.title}",
            "name_format": "text",
            "number": f"{sub.step.number}.{index}",
            "score": number(c.score),
            "max_score": number(c.max_score),
            "status": "passed" if c.outcome == "passed" else "failed",
            "output": plain(c.text),
            "output_format": "text",
            "tags": tags + (["thorough"] if c.thorough else []),
            "visibility": c.visibility if c.visibility in VISIBILITIES else "visible",
            "extra_data": {"check": c.id, "status": c.status, "key": c.key, "duration_ms": c.duration_ms,
                           "decided": c.decided, "counted": c.counted},
        })
    report = sub.report
    return {
        "score": number(sum(c.score for c in found)),
        "execution_time": max(0, round(sub.seconds)),
        "output": plain(summary(sub, course, lang, found)),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",  # run_autograder's stdout: the text report, for instructors
        "extra_data": {
            "step": sub.step.number, "max_score": number(sum(c.max_score for c in found)),
            "passed": bool(report.passed) if report is not None else False,
            "sandboxed": bool(report.sandboxed) if report is not None else False,
            "inconsistent": list(report.inconsistent) if report is not None else [],
            "thorough": sub.thorough, "lang": lang,
        },
        "tests": tests,
    }


def gradescope_problem(course, step, problem: str, lang: str = "en", key: str = "grade-crashed",
                       seconds: float = 0.0) -> dict:
    """results.json when no report could be had (the autograder's own trouble, a time-out)."""
    return gradescope(Submission(step, None, "submission", seconds, problem, key), course, lang)


def gradescope_crashed(course, step, error: str, lang: str = "en", seconds: float = 0.0) -> dict:
    """The checker ended without its results.json (it crashed, or was killed)."""
    return gradescope_problem(course, step, t("grade-crashed", lang, error=error), lang, "grade-crashed", seconds)


def gradescope_timeout(course, step, limit: float, lang: str = "en") -> dict:
    """The whole check took longer than the autograder's limit."""
    problem = t("autograder-timeout", lang, seconds=int(limit), step=step.number)
    return gradescope_problem(course, step, problem, lang, "autograder-timeout", limit)


def gradescope_misconfigured(detail: str, lang: str = "en") -> dict:
    """The autograder's own configuration is wrong (no step to grade): a 0 the student sees
    explained, and the instructor's stdout says the rest."""
    problem = t("autograder-misconfigured", lang if lang in ("en", "ru") else "en", detail=detail)
    return {
        "score": 0, "execution_time": 0, "output": plain(problem), "output_format": "text",
        "visibility": "visible", "stdout_visibility": "hidden",
        "tests": [{"name": "autograder", "name_format": "text", "score": 0, "max_score": 0, "status": "failed",
                   "output": plain(problem), "output_format": "text", "visibility": "visible"}],
    }


# --- GitHub Classroom --------------------------------------------------------------------
def test_command(step_number: int, check_id: str) -> str:
    """What runs this check again by hand, as the workflow ran it (the workbook installed)."""
    return f"python -m checker check {step_number} --project . --only {check_id} -v"


def classroom(sub: Submission, course, lang: str = "en") -> dict:
    """The grader result that autograding-grading-reporter reads (see this module's docstring)."""
    found = shown_cases(sub, course, lang)
    tests = []
    for c in found:
        filename, _, line = c.where.rpartition(":")
        if not line.isdigit():
            filename, line = c.where, "0"
        tests.append({
            "name": f"{c.id}: {c.title}",
            "status": {"passed": "pass", "error": "error"}.get(c.outcome, "fail"),
            "score": number(c.score),
            "message": plain(c.text),
            "test_code": test_command(sub.step.number, c.id) if c.id != "submission" else "",
            "filename": plain(filename),
            "line_no": int(line),
            "duration": c.duration_ms,
        })
    if sub.report is None:
        status = "error"
    elif any(c.outcome in ("failed", "blocked", "error") for c in found):
        status = "fail"
    else:
        status = "pass"
    return {"version": 1, "status": status, "max_score": number(sum(c.max_score for c in found)), "tests": tests}


def classroom_encoded(sub: Submission, course, lang: str = "en") -> str:
    """The `result` output of the workflow's checker step: one line of base64."""
    text = json.dumps(classroom(sub, course, lang), ensure_ascii=False)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


# --- JUnit -------------------------------------------------------------------------------
def seconds_text(value: float) -> str:
    return f"{max(0.0, value):.3f}"


def junit_suite(sub: Submission, course, lang: str) -> ET.Element:
    found = cases(sub, course, lang)
    step = sub.step
    report = sub.report
    name = f"step {step.number:02d} {step.slug}"
    suite = ET.Element("testsuite", {
        "name": escape.xml(f"{sub.name}: {name}" if sub.name else name),
        "tests": str(len(found)),
        "failures": str(sum(c.outcome in ("failed", "blocked") for c in found)),
        "errors": str(sum(c.outcome == "error" for c in found)),
        "skipped": str(sum(c.outcome == "not-run" for c in found)),
        "time": seconds_text(sub.seconds),
    })
    properties = ET.SubElement(suite, "properties")
    values = {
        "submission": sub.name or (Path(report.project).name if report is not None else ""),
        "project": str(report.project) if report is not None else sub.project,
        "step": str(step.number),
        "sandboxed": "true" if report is not None and report.sandboxed else "false",
        "thorough": "true" if sub.thorough else "false",
        "python": str(report.environment.get("python", "")) if report is not None else "",
        "score": points.shown(sum(c.score for c in found)),
        "max_score": points.shown(sum(c.max_score for c in found)),
        "lang": lang,
    }
    for key, value in values.items():
        ET.SubElement(properties, "property", name=key, value=escape.xml(value))
    for c in found:
        case = ET.SubElement(suite, "testcase", name=c.id, classname=f"step{step.number:02d}",
                             time=seconds_text(c.duration_ms / 1000))
        first = escape.xml(c.message or c.id)
        text = escape.xml(c.text)
        if report is not None and c.outcome in ("failed", "blocked", "error") and report.repro:
            text += "\n" + escape.xml(t("label-repro", lang) + f": {report.repro} --only {c.id} -v")
        if c.outcome in ("failed", "blocked"):
            ET.SubElement(case, "failure", message=first, type=c.key or c.outcome).text = text
        elif c.outcome == "error":
            ET.SubElement(case, "error", message=first, type=c.key or "error").text = text
        elif c.outcome == "not-run":
            ET.SubElement(case, "skipped", message=first, type=c.key or "skip")
        elif c.text:  # a pass with a note, a warning
            ET.SubElement(case, "system-out").text = text
    if report is not None and report.output.strip():
        ET.SubElement(suite, "system-out").text = escape.xml(report.output[-OUTPUT_TAIL:])
    return suite


def junit(subs: list[Submission], course, lang: str = "en") -> str:
    """One <testsuite> per submission (per step, for `check all`) under <testsuites>."""
    suites = [junit_suite(s, course, lang) for s in subs]
    root = ET.Element("testsuites", {
        "name": "channels-workbook",
        "tests": str(sum(int(s.get("tests")) for s in suites)),
        "failures": str(sum(int(s.get("failures")) for s in suites)),
        "errors": str(sum(int(s.get("errors")) for s in suites)),
        "time": seconds_text(sum(s.seconds for s in subs)),
    })
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --- writing -----------------------------------------------------------------------------
def render_format(kind: str, sub: Submission, course, lang: str = "en") -> str:
    """One submission in one machine format, as the text of its file."""
    if kind == "gradescope":
        return json.dumps(gradescope(sub, course, lang), ensure_ascii=False, indent=2) + "\n"
    if kind == "classroom":
        return classroom_encoded(sub, course, lang) + "\n"
    if kind == "junit":
        return junit([sub], course, lang)
    raise ValueError(f"unknown machine format {kind!r}: one of {', '.join(FILENAMES)}")


def write_formats(sub: Submission, course, folder: Path, formats=tuple(FILENAMES), lang: str = "en") -> list[Path]:
    """grade's per-submission files: FOLDER/results.json, classroom-result.b64, junit.xml."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in formats:
        path = folder / FILENAMES[kind]
        write_atomically(path, render_format(kind, sub, course, lang))
        written.append(path)
    return written
