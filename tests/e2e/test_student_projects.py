"""A project built independently from the lecture (tests/students/: package `mysite`, app
`rooms`, templates in the app, AsyncJsonWebsocketConsumer, re_path routes, hashed and uuid
group names, no AuthMiddlewareStack) passes each step's checks: the checker judges behaviour,
not the reference's spelling."""

from __future__ import annotations

import pytest
from conftest import check_json, step_needs

from checker import ROOT
from checker.course import load_course

COURSE = load_course()
STUDENTS = ROOT / "tests" / "students"
SNAPSHOT = {1: "mysite-03", 2: "mysite-03", 3: "mysite-03", 4: "mysite-04", 5: "mysite-05", 6: "mysite-07", 7: "mysite-07"}




# Steps 01-07: the lecture's stages (steps 08 and 09 go beyond the lecture).
@pytest.mark.parametrize("number", [pytest.param(n, marks=step_needs(n), id=f"step{n:02d}") for n in sorted(SNAPSHOT)])
def test_independent_project_passes(number):
    code, report = check_json(str(number), "--project", str(STUDENTS / SNAPSHOT[number]))
    failed = [c for c in report["checks"] if c["status"] not in ("pass", "warn", "skip")]
    assert code == 0 and not failed, failed
    skipped = {c["id"] for c in report["checks"] if c["status"] == "skip"}
    assert skipped <= {c for c in COURSE.checks if COURSE.checks[c].thorough}


def test_checker_writes_nothing_into_student_folders():
    leftovers = [p for p in STUDENTS.rglob("*") if p.name == "__pycache__" or p.suffix == ".sqlite3"]
    assert not leftovers
