"""Every reference step passes its own checks: the course works on today's versions."""

from __future__ import annotations

import pytest
from conftest import check_json, statuses

from checker.course import load_course

COURSE = load_course()


@pytest.fixture(scope="module")
def all_steps(redis_url):
    code, payload = check_json("all")
    return code, {step["step"]: step for step in payload["steps"]}


def test_check_all_exits_zero(all_steps):
    code, _ = all_steps
    assert code == 0


@pytest.mark.parametrize("number", sorted(COURSE.steps))
def test_reference_step_passes_its_checks(all_steps, number):
    _, steps = all_steps
    report = steps[number]
    assert report["passed"], report
    assert [c["id"] for c in report["checks"]] == list(COURSE.steps[number].checks)
    for check in report["checks"]:
        spec = COURSE.checks[check["id"]]
        expected = "skip" if spec.thorough else "pass"
        assert check["status"] == expected, check


def test_step_07_own_suite_ran_browser_tests_too(all_steps):
    _, steps = all_steps
    own = next(c for c in steps[7]["checks"] if c["id"] == "own-tests-pass")
    # 4 communicator tests and 2 browser tests, none skipped (Chromium is required here).
    assert own["message"] == "6 tests, 0 skipped", own


@pytest.mark.parametrize("number", [5, 6])
def test_idle_client_survives_on_reference(redis_url, number):
    code, report = check_json(str(number), "--thorough", "--only", "idle-survives")
    assert code == 0 and statuses(report)["idle-survives"] == "pass", report


def test_json_contract(all_steps):
    _, steps = all_steps
    report = steps[5]
    assert set(report) == {"step", "project", "passed", "checks"}
    for check in report["checks"]:
        assert {"id", "title", "status", "message", "hint", "lesson", "duration_ms"} <= set(check)
        assert check["status"] in ("pass", "fail", "error", "skip")
        assert check["lesson"].startswith("lessons/en/05-groups.md#") or check["lesson"].startswith("lessons/en/0")
