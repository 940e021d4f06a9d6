"""Shared helpers: run the checker as a student would, and insist on a real Redis.

The tests are in layers: unit/ (pure functions, in process), e2e/ (the checker and the tools
as a user runs them), course/ (steps, lessons, notebooks, step 09's reliability), bench/ (the
benchmark's smoke run). Two markers say what a test needs beyond Python: `redis` (a real
Redis server; any test that asks for the `redis_url` fixture gets it) and `browser` (Debian's
Chromium and chromedriver). `make test-fast` runs what needs neither.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from checker import ROOT
from checker.redis_server import current_url, ping

REDIS_HELP = (
    "These tests need a real Redis server and never fall back to a fake one.\n"
    "Start one with `make redis` (a private redis-server on a free port), or install it:\n"
    "  Debian/Ubuntu: sudo apt-get install redis-server   macOS: brew install redis"
)


# `make test` runs on three xdist workers: the tests mostly wait on the subprocesses they
# start. A few fixtures cost a minute or more (grading the hostile class, `check all`): they are
# computed once per run for every worker (shared_once), and the first test that needs each one
# starts first while the others that need it go last, when it is ready, so no worker waits.
SHARED_FIXTURES = ("arena", "all_steps")
FIRST = ("test_progress_of_the_independent_student_project",)  # long on its own: not left for the end


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if "redis_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.redis)
    seen, first, middle, last = set(), [], [], []
    for item in items:
        shared = next((f for f in SHARED_FIXTURES if f in getattr(item, "fixturenames", ())), None)
        if shared and shared not in seen:
            seen.add(shared)
            first.append(item)
        elif shared:
            last.append(item)
        elif any(name in item.nodeid for name in FIRST):
            first.append(item)
        else:
            middle.append(item)
    items[:] = first + middle + last


def shared_once(tmp_path_factory, name: str, produce):
    """produce() -> a JSON value, computed once per test run even across xdist workers: the
    first to ask computes it under a lock in the run's shared temp folder, the others read it."""
    import fcntl

    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    folder = tmp_path_factory.getbasetemp().parent / f"shared-{run}" if run else tmp_path_factory.getbasetemp()
    folder.mkdir(exist_ok=True)
    found = folder / f"{name}.json"
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not found.exists():
            found.write_text(json.dumps(produce(folder / name)))
    return json.loads(found.read_text())


def step_needs(number: int) -> list:
    """The markers of checking step `number`: Redis where the step needs it, Chromium where
    the step runs the project's own suite (its browser tests)."""
    from checker.course import load_course

    course = load_course()
    step = course.steps[number]
    marks = [pytest.mark.redis] if step.needs_redis else []
    if any(course.checks[c].nature == "suite" for c in step.checks):
        marks.append(pytest.mark.browser)
    return marks


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = current_url()
    if not ping(url):
        pytest.fail(f"Redis does not answer at {url}.\n{REDIS_HELP}", pytrace=False)
    return url


def checker_env(**extra) -> dict:
    env = dict(os.environ, REDIS_URL=current_url(), PYTHONDONTWRITEBYTECODE="1")
    env.pop("DJANGO_SETTINGS_MODULE", None)  # each project names its own
    env.update(extra)
    return env


def run_checker(*args: str, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "checker", *args],
        cwd=ROOT, env=env or checker_env(), capture_output=True, text=True, timeout=timeout,
    )


def check_json(*args: str, timeout: float = 300) -> tuple[int, dict]:
    done = run_checker("check", *args, "--format", "json", "--lang", "en", timeout=timeout)
    assert done.stdout.strip(), f"no JSON on stdout; stderr:\n{done.stderr}"
    return done.returncode, json.loads(done.stdout)


def statuses(report: dict) -> dict[str, str]:
    return {c["id"]: c["status"] for c in report["checks"]}
