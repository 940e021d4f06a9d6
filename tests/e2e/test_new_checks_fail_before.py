"""A check that cannot fail is a defect: every check a step adds fails on the step before it.

Step 01's checks run on what `django-admin startproject chatsite` writes; step N's on the
reference step N-1. Checks marked `previous = "pass"` in course.toml are regression guards
and must pass there instead.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import check_json, step_needs

from checker.course import load_course

COURSE = load_course()




@pytest.fixture(scope="module")
def bare_project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bare") / "chatsite"
    folder.mkdir()
    subprocess.run(
        [sys.executable, "-m", "django", "startproject", "chatsite", str(folder)], check=True
    )
    return folder


@pytest.mark.parametrize("number", [pytest.param(n, marks=step_needs(n), id=f"step{n:02d}") for n in sorted(COURSE.steps)])
def test_new_checks_fail_on_the_previous_step(bare_project, number):
    previous = bare_project if number == 1 else COURSE.steps[number - 1].path
    args = [str(number), "--project", str(previous)]
    if any(COURSE.checks[c].thorough for c in COURSE.new_checks(number)):
        args.append("--thorough")
    code, report = check_json(*args)
    assert code == 1, "the previous step must not pass this step"
    got = {c["id"]: c for c in report["checks"]}
    for check_id in COURSE.new_checks(number):
        spec = COURSE.checks[check_id]
        status = got[check_id]["status"]
        if spec.previous == "pass":
            assert status == "pass", got[check_id]
        else:
            assert status in ("fail", "error"), f"{check_id} did not fail on the previous step: {got[check_id]}"
            assert got[check_id]["key"] and got[check_id]["message"] and got[check_id]["lesson"], got[check_id]
