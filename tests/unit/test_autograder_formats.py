"""The machine formats of one submission (checker/autograders.py), from hand-built reports:
Gradescope's results.json field by field, GitHub Classroom's grader result as the reporter
decodes it, JUnit against Jenkins' schema (tests/data/junit-10.xsd)."""

from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path

import pytest
from junit_xsd import validate

from checker import escape, points
from checker.autograders import (
    BLOCKED,
    Submission,
    cases,
    classroom,
    classroom_encoded,
    gradescope,
    gradescope_crashed,
    gradescope_misconfigured,
    gradescope_timeout,
    junit,
    outcome,
    render_format,
    write_formats,
)
from checker.course import load_course
from checker.report import as_junit
from checker.result import CheckResult
from checker.runner import StepReport

COURSE = load_course()
STEP = COURSE.steps[5]
NASTY = "\x1b[31mred\x1b[0m\x07\x0b\x00\x9b2J <b>&\"'\ud800"
GRADESCOPE_VISIBILITY = {"visible", "hidden", "after_due_date", "after_published"}


def results(**special) -> list[CheckResult]:
    """Every check of step 05 passes but those given ({id: CheckResult})."""
    out = []
    for check_id in STEP.checks:
        if check_id in special:
            out.append(special[check_id])
        elif COURSE.checks[check_id].thorough:
            out.append(CheckResult(check_id, "skip", "thorough-only"))
        else:
            out.append(CheckResult(check_id, "pass", duration_ms=12))
    return out


def report(*found, output: str = "", sandboxed: bool = False) -> StepReport:
    return StepReport(STEP, Path("/home/student/my chat"), list(found) or results(),
                      repro="python -m checker check 5 --project ~/my-chat", output=output,
                      environment={"python": "/usr/bin/python3", "source": "workbook"}, sandboxed=sandboxed)


MIXED = results(**{
    "ws-echo": CheckResult("ws-echo", "fail", "ws-no-route", {"path": "/ws/chat/lobby/", "routes": NASTY,
                                                               "where": "chat/routing.py:7"}, duration_ms=40),
    "redis-layer": CheckResult("redis-layer", "error", "probe-crashed", {"tail": NASTY}, duration_ms=900),
    "group-broadcast": CheckResult("group-broadcast", "skip", "skip-after-crash"),
    "group-isolation": CheckResult("group-isolation", "warn", "broadcast-missing",
                                   {"missing": "bob", "received": "—"}, duration_ms=5),
})


def sub(found=None, **kw) -> Submission:
    return Submission(STEP, report(*(found or MIXED), **{k: v for k, v in kw.items() if k in ("output", "sandboxed")}),
                      "anna", 7.25, **{k: v for k, v in kw.items() if k in ("thorough",)})


@pytest.mark.parametrize(("status", "key", "expected"), [
    ("pass", "", "passed"), ("warn", "route-too-narrow", "passed"), ("fail", "ws-no-route", "failed"),
    ("error", "probe-crashed", "error"), ("skip", "skip-after-crash", "blocked"), ("skip", "skip-after-hang", "blocked"),
    ("skip", "skip-after-load", "blocked"), ("skip", "skip-no-table", "blocked"), ("skip", "thorough-only", "not-run"), ("skip", "layer-memory-mode", "not-run"),
])
def test_each_status_has_one_outcome(status, key, expected):
    assert outcome(status, key) == expected


def test_a_skip_after_a_crash_is_told_apart_from_a_mode_by_its_key():
    # The keys the runner and the probe give a check an earlier crash, hang or failed gate kept
    # from running, or an inside-only check grade cannot count because what it leans on failed;
    # a check skipped by a mode (--thorough, --layer memory) has a key of its own.
    # skip-no-table: the own suite, after a check met a model without its table.
    assert set(BLOCKED) == {"skip-after-crash", "skip-after-hang", "skip-after-load", "skip-no-table",
                            "not-corroborated"}
    assert "thorough-only" not in BLOCKED


def test_gradescope_results_follow_the_specification_field_by_field():
    data = json.loads(json.dumps(gradescope(sub(), COURSE, "en")))  # what Gradescope reads
    assert set(data) == {"score", "execution_time", "output", "output_format", "test_output_format",
                         "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests"}
    assert isinstance(data["score"], (int, float)) and isinstance(data["execution_time"], int)
    assert data["execution_time"] == 7  # the run's wall time, in seconds
    assert data["output_format"] == data["test_output_format"] == data["test_name_format"] == "text"
    assert data["visibility"] in GRADESCOPE_VISIBILITY and data["stdout_visibility"] in GRADESCOPE_VISIBILITY
    assert isinstance(data["extra_data"], dict)
    numbers = []
    for test in data["tests"]:
        assert set(test) == {"name", "name_format", "number", "score", "max_score", "status", "output",
                             "output_format", "tags", "visibility", "extra_data"}
        assert isinstance(test["name"], str) and isinstance(test["number"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed") and test["visibility"] in GRADESCOPE_VISIBILITY
        assert all(isinstance(tag, str) for tag in test["tags"])
        numbers.append(test["number"])
    assert numbers == [f"5.{i}" for i in range(1, len(numbers) + 1)]
    # The top-level score overrides the tests' total in Gradescope: it is exactly that total.
    assert data["score"] == sum(t["score"] for t in data["tests"])
    assert data["extra_data"]["max_score"] == sum(t["max_score"] for t in data["tests"])
    assert data["score"] == points.earned(COURSE, sub().report)


def test_gradescope_statuses_scores_and_what_is_left_out():
    tests = {t["extra_data"]["check"]: t for t in gradescope(sub(), COURSE, "en")["tests"]}
    assert "idle-survives" not in tests  # not run without --thorough, worth nothing: not listed
    assert (tests["ws-echo"]["status"], tests["ws-echo"]["score"], tests["ws-echo"]["max_score"]) == ("failed", 0, 1)
    assert (tests["redis-layer"]["status"], tests["redis-layer"]["score"]) == ("failed", 0)
    assert (tests["group-broadcast"]["status"], tests["group-broadcast"]["score"]) == ("failed", 0)  # blocked
    assert (tests["group-isolation"]["status"], tests["group-isolation"]["score"]) == ("passed", 1)  # a warning
    assert (tests["environment"]["status"], tests["environment"]["max_score"]) == ("passed", 0)
    assert "skipped: the project's process ended earlier" in tests["group-broadcast"]["output"]
    assert "lessons/en/04-echo.md#" in tests["ws-echo"]["output"] and "why: " in tests["ws-echo"]["output"]
    assert tests["ws-echo"]["name"] == "ws-echo: " + COURSE.checks["ws-echo"].title("en")
    thorough = {t["extra_data"]["check"]: t for t in gradescope(sub(thorough=True), COURSE, "en")["tests"]}
    assert thorough["idle-survives"]["max_score"] == 1  # with --thorough it counts, and was not run: 0


def test_gradescope_escapes_what_the_submission_wrote_and_speaks_the_language():
    data = gradescope(sub(), COURSE, "ru")
    text = json.dumps(data, ensure_ascii=False)
    assert "\\u001b" not in text and "\\u0007" not in text and "\\u009b" not in text
    assert "Итог шага 05" in data["output"] and "Баллы: 13 из 16" in data["output"]
    english = gradescope(sub(), COURSE, "en")["output"]
    assert english.splitlines()[0] == "Step 05 · " + STEP.title("en") and "Points: 13 of 16" in english
    assert "Fix first: " in english


def test_gradescope_visibility_comes_from_the_course():
    checks = dict(COURSE.checks)
    checks["ws-echo"] = dataclasses.replace(checks["ws-echo"], visibility="hidden")
    checks["two-servers"] = dataclasses.replace(checks["two-servers"], visibility="after_due_date")
    course = dataclasses.replace(COURSE, checks=checks)
    tests = {t["extra_data"]["check"]: t["visibility"] for t in gradescope(sub(), course, "en")["tests"]}
    assert (tests["ws-echo"], tests["two-servers"], tests["ws-connect"]) == ("hidden", "after_due_date", "visible")


def test_gradescope_without_a_report_scores_zero_of_the_step():
    nothing = gradescope(Submission(STEP, None, "vera", 0.1, "No Django project found: no manage.py"), COURSE, "en")
    assert nothing["score"] == 0 and len(nothing["tests"]) == 1
    (test,) = nothing["tests"]
    assert test["status"] == "failed" and test["max_score"] == points.possible(COURSE, STEP)
    assert "no manage.py" in test["output"] and "no manage.py" in nothing["output"]
    timeout = gradescope_timeout(COURSE, STEP, 600, "ru")
    assert timeout["score"] == 0 and "600 с" in timeout["tests"][0]["output"]
    crashed = gradescope_crashed(COURSE, STEP, "exit status -9", "en")
    assert "could not check this submission: exit status -9" in crashed["tests"][0]["output"]
    wrong = gradescope_misconfigured("step = 99", "en")
    assert wrong["score"] == 0 and wrong["tests"][0]["status"] == "failed" and "step = 99" in wrong["output"]


def decoded(encoded: str) -> dict:
    """What autograding-grading-reporter does: Buffer.from(value, "base64"), JSON.parse."""
    return json.loads(base64.b64decode(encoded, validate=True).decode("utf-8"))


def test_classroom_result_is_what_the_reporter_reads():
    encoded = classroom_encoded(sub(), COURSE, "en")
    assert "\n" not in encoded
    data = decoded(encoded)
    assert data == classroom(sub(), COURSE, "en")
    assert (data["version"], data["status"]) == (1, "fail")
    assert data["max_score"] == sum(1 for c in STEP.checks if c not in ("environment", "idle-survives"))
    for test in data["tests"]:
        assert set(test) == {"name", "status", "score", "message", "test_code", "filename", "line_no", "duration"}
        assert test["status"] in ("pass", "fail", "error")
        assert isinstance(test["line_no"], int) and isinstance(test["duration"], int)
        assert isinstance(test["score"], (int, float)) and isinstance(test["message"], str)
    tests = {t["name"].split(":")[0]: t for t in data["tests"]}
    assert (tests["ws-echo"]["filename"], tests["ws-echo"]["line_no"]) == ("chat/routing.py", 7)
    assert tests["ws-echo"]["test_code"] == "python -m checker check 5 --project . --only ws-echo -v"
    assert tests["redis-layer"]["status"] == "error" and tests["group-broadcast"]["status"] == "fail"
    assert tests["group-isolation"]["status"] == "pass" and tests["ws-connect"]["line_no"] == 0
    assert sum(t["score"] for t in data["tests"]) == 13  # what the reporter sends Classroom
    assert "\x1b" not in json.dumps(data, ensure_ascii=False) and "\x07" not in tests["redis-layer"]["message"]


def test_classroom_status_passes_only_when_every_check_does_and_errors_without_a_report():
    assert classroom(sub(results()), COURSE, "en")["status"] == "pass"
    none = classroom(Submission(STEP, None, "", 0, "No Django project found: nothing here"), COURSE, "en")
    assert none["status"] == "error" and none["tests"][0]["status"] == "fail"
    assert none["max_score"] == points.possible(COURSE, STEP) and none["tests"][0]["test_code"] == ""


def test_junit_is_valid_against_jenkins_schema_with_the_submission_in_properties():
    text = junit([sub(output=NASTY * 3, sandboxed=True)], COURSE, "en")
    root = validate(text)
    suite = root.find("testsuite")
    assert suite.get("name") == "anna: step 05 groups"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        str(len(STEP.checks)), "2", "1", "1")  # ws-echo and the blocked group-broadcast; redis-layer; idle-survives
    assert suite.get("time") == "7.250"  # the run's wall time, not the sum of the checks'
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["submission"] == "anna" and props["project"] == "/home/student/my chat"
    assert (props["step"], props["sandboxed"], props["score"], props["max_score"]) == ("5", "true", "13", "16")
    cases_ = {c.get("name"): c for c in suite.iter("testcase")}
    assert cases_["group-broadcast"].find("failure").get("type") == "skip-after-crash"
    assert cases_["idle-survives"].find("skipped").get("type") == "thorough-only"
    assert cases_["redis-layer"].find("error") is not None
    assert cases_["ws-echo"].find("failure").text.endswith("--only ws-echo -v")
    assert cases_["ws-connect"].find("*") is None
    assert "red" in suite.find("system-out").text


def test_junit_strips_what_xml_forbids_and_escape_sequences():
    text = junit([sub(output=NASTY)], COURSE, "en")
    for bad in ("\x1b", "\x07", "\x0b", "\x00", "\x9b", "\ud800"):
        assert bad not in text, repr(bad)
    assert "<b>" not in text and "&lt;b&gt;" in text
    validate(text)
    assert escape.xml("a\x1b[31mb\x1b[0m\x0bc\x9b\ufffe") == "ab\ufffdc\ufffd\ufffd"


def test_junit_in_russian_and_without_a_report():
    ru = junit([sub()], COURSE, "ru")
    assert "урок: lessons/ru/" in ru
    root = validate(junit([Submission(STEP, None, "vera", 0.5, "No Django project found: x", "no-project",
                                      project="/tmp/vera")], COURSE, "en"))
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("1", "1", "0")
    assert suite.find("testcase/failure").get("type") == "no-project"
    assert {p.get("name"): p.get("value") for p in suite.iter("property")}["project"] == "/tmp/vera"


def test_report_as_junit_delegates_and_check_all_gets_a_suite_per_step():
    reports = [report(), report(*MIXED)]
    root = validate(as_junit(reports, "en", seconds=[1.5, 2.0], names=["a", "b"]))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["a: step 05 groups", "b: step 05 groups"]
    assert root.get("time") == "3.500" and root.get("tests") == str(2 * len(STEP.checks))


def test_write_formats_writes_each_file_whole(tmp_path):
    written = write_formats(sub(), COURSE, tmp_path / "anna")
    assert [p.name for p in written] == ["results.json", "classroom-result.b64", "junit.xml"]
    assert json.loads(written[0].read_text())["score"] == 13
    assert decoded(written[1].read_text().strip())["status"] == "fail"
    validate(written[2].read_text())
    assert render_format("junit", sub(), COURSE, "en") == written[2].read_text()
    assert not [p for p in (tmp_path / "anna").iterdir() if p.name.startswith(".")]  # no temporary left
    with pytest.raises(ValueError):
        render_format("tap", sub(), COURSE, "en")


def test_cases_carry_what_every_format_needs():
    found = {c.id: c for c in cases(sub(), COURSE, "en")}
    assert found["ws-echo"].where == "chat/routing.py:7" and found["ws-echo"].counted
    assert not found["idle-survives"].counted and found["idle-survives"].outcome == "not-run"
    assert found["group-broadcast"].outcome == "blocked" and found["group-broadcast"].max_score == 1


def test_a_row_of_grade_becomes_a_submission():
    from types import SimpleNamespace

    keyed = SimpleNamespace(student="vera", report=None, seconds=1.5, problem="no-project",
                            params={"detail": "no manage.py"}, thorough=False)
    data = gradescope(Submission.from_row(keyed, STEP), COURSE, "ru")
    assert "Не найден проект Django: no manage.py" in data["tests"][0]["output"]
    assert data["execution_time"] == 2 and data["score"] == 0
    worded = SimpleNamespace(student="anna", report=report(*MIXED), seconds=3.0, problem="")
    assert Submission.from_row(worded, STEP).name == "anna"
    assert junit([Submission.from_row(worded, STEP)], COURSE, "en").count("<testcase ") == len(STEP.checks)
