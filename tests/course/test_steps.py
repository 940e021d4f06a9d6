"""The step projects: whole, independent, plain, and each changing only what its lesson says."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from checker.course import load_course
from checker.processes import free_port
from checker.stepdiff import changed_files, project_files

COURSE = load_course()
STEPS = sorted(COURSE.steps)
WHOLE_PROJECT = ["manage.py", "chatsite/settings.py", "chatsite/urls.py", "chatsite/asgi.py", "chatsite/wsgi.py"]


@pytest.mark.parametrize("number", STEPS)
def test_step_is_a_whole_project(number):
    files = project_files(COURSE.steps[number].path)
    assert all(name in files for name in WHOLE_PROJECT)


@pytest.mark.parametrize("number", STEPS)
def test_step_changes_exactly_what_its_lesson_declares(number):
    step = COURSE.steps[number]
    if number == 1:
        assert sorted(project_files(step.path)) == sorted(step.changes)
    else:
        assert changed_files(COURSE.steps[number - 1].path, step.path) == sorted(step.changes)


@pytest.mark.parametrize("number", STEPS)
def test_step_stands_alone(number):
    """No shared helpers: a step imports nothing of the workbook and touches no sys.path."""
    for name, path in project_files(COURSE.steps[number].path).items():
        if path.suffix == ".py":
            source = path.read_text()
            assert not re.search(r"^\s*(from|import) (checker|tools|steps)\b", source, re.M), name
            assert "sys.path" not in source, name


@pytest.mark.parametrize("number", STEPS)
def test_django_system_check_passes(number):
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=COURSE.steps[number].path,
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout


@pytest.mark.parametrize(
    "number, banner",
    [(1, "Starting development server at"), (2, "Starting ASGI/Daphne version 4.2")],
)
def test_runserver_banner(number, banner):
    """Daphne takes over runserver only from step 02, when it is first in INSTALLED_APPS."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{free_port()}"],
        cwd=COURSE.steps[number].path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        seen = ""
        deadline = time.monotonic() + 20
        while banner not in seen and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            seen += line
        assert banner in seen, seen
    finally:
        process.terminate()
        process.wait(timeout=10)
