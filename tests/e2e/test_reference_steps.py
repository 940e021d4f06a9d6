"""Every reference step passes its own checks: the course works on today's versions."""

from __future__ import annotations

import pytest
from conftest import check_json, shared_once, statuses, step_needs

from checker.course import load_course

COURSE = load_course()




STEPS = [pytest.param(n, marks=step_needs(n), id=f"step{n:02d}") for n in sorted(COURSE.steps)]


@pytest.fixture(scope="session")
def all_steps(tmp_path_factory):
    # One `check all` for every test that reads it, whichever xdist worker runs them.
    code, payload = shared_once(tmp_path_factory, "check-all", lambda _: check_json("all"))
    return code, {step["step"]: step for step in payload["steps"]}


@pytest.mark.redis
@pytest.mark.browser
def test_check_all_exits_zero(all_steps):
    code, steps = all_steps
    assert code == 0 and sorted(steps) == sorted(COURSE.steps)


@pytest.mark.parametrize("number", STEPS)
def test_reference_step_passes_its_checks(request, number):
    if step_needs(number):  # those come from the one `check all` run (`make check`)
        report = request.getfixturevalue("all_steps")[1][number]
    else:  # steps that need nothing more run on their own (make test-fast)
        code, report = check_json(str(number))
        assert code == 0, report
    assert report["passed"], report
    assert [c["id"] for c in report["checks"]] == list(COURSE.steps[number].checks)
    for check in report["checks"]:
        spec = COURSE.checks[check["id"]]
        expected = "skip" if spec.thorough else "pass"
        assert check["status"] == expected, check


@pytest.mark.redis
@pytest.mark.browser
def test_step_07_own_suite_ran_browser_tests_too(all_steps):
    _, steps = all_steps
    own = next(c for c in steps[7]["checks"] if c["id"] == "own-tests-pass")
    # 4 communicator tests and 2 browser tests, none skipped (Chromium is required here).
    assert own["message"] == "6 tests, 0 skipped", own
    assert (own["key"], own["params"]) == ("own-tests-note", {"count": 6, "skipped": 0})


@pytest.mark.parametrize("number", [5, 6])
def test_idle_client_survives_on_reference(redis_url, number):
    code, report = check_json(str(number), "--thorough", "--only", "idle-survives")
    assert code == 0 and statuses(report)["idle-survives"] == "pass", report


def test_json_contract_of_a_failing_run():
    """Step 03's project checked as step 04: every failing check carries its key and params
    beside the rendered sentences (SPEC.md, the checker contract)."""
    code, report = check_json("4", "--project", str(COURSE.steps[3].path))
    assert code == 1
    assert set(report) == {"step", "project", "passed", "environment", "checks", "fix_first", "sandboxed",
                           "inconsistent"}
    assert report["sandboxed"] is False and report["inconsistent"] == []
    assert report["environment"]["source"] == "workbook" and report["environment"]["python"]
    failing = [c for c in report["checks"] if c["status"] in ("fail", "error")]
    assert failing
    for check in report["checks"]:
        assert {"id", "title", "status", "message", "hint", "lesson", "duration_ms", "key", "params", "causes",
                "same_as"} <= set(check)
        assert check["status"] in ("pass", "fail", "error", "skip")
        assert check["lesson"].startswith("lessons/en/0")
    for check in failing:
        assert check["key"] and isinstance(check["params"], dict) and check["message"], check
    connect = next(c for c in failing if c["id"] == "ws-connect")
    assert connect["key"] == "ws-no-protocol"
