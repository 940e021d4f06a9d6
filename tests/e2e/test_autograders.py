"""The machine formats end to end: `check --format gradescope|classroom|junit` on reference steps
and broken copies of them, and Gradescope's run_autograder in a temporary tree laid out like
Gradescope's (source/ from the zip pack.py builds, submission/, results/; setup.sh is not run:
the workbook's own interpreter stands in for its venv)."""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile

import pytest
from conftest import checker_env, run_checker
from junit_xsd import validate

from checker import ROOT, points
from checker.course import load_course

COURSE = load_course()
GRADESCOPE = ROOT / "grading" / "gradescope"
NASTY = "\\x1b[31mred\\x1b[0m\\x07\\x0b"  # as Python source: ANSI colours, BEL, vertical tab
VISIBILITY = {"visible", "hidden", "after_due_date", "after_published"}


def copy_step(number: int, folder):
    shutil.copytree(COURSE.steps[number].path, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def pack_module():
    spec = importlib.util.spec_from_file_location("gradescope_pack", GRADESCOPE / "pack.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gradescope_tree(tmp_path, step: int, submission=None, **config):
    """/autograder as Gradescope lays it out, from the zip an instructor uploads."""
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    archive = pack_module().pack(tmp_path / "autograder.zip", step, **config)
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
        zipped.extractall(root / "source")
    assert {"setup.sh", "run_autograder", "autograder.py", "autograder.toml"} <= set(names)  # at the root
    assert "workbook/checker/autograders.py" in names and "workbook/course.toml" in names
    if submission is not None:
        shutil.copytree(submission, root / "submission")
    else:
        (root / "submission").mkdir()
    return root


def run_autograder(root, timeout: float = 300) -> tuple[subprocess.CompletedProcess, dict]:
    env = checker_env(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done, json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def assert_gradescope_results(data: dict) -> None:
    """Gradescope's specification, field by field (types, the score's sum, visibility values)."""
    assert isinstance(data["score"], (int, float)) and isinstance(data["execution_time"], (int, float))
    assert isinstance(data["output"], str) and data["visibility"] in VISIBILITY
    assert data["stdout_visibility"] in VISIBILITY and data["output_format"] == "text"
    assert isinstance(data["tests"], list) and data["tests"]
    for test in data["tests"]:
        assert isinstance(test["name"], str) and isinstance(test["output"], str) and isinstance(test["number"], str)
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed") and test["visibility"] in VISIBILITY
        assert test["output_format"] == "text" and isinstance(test["tags"], list)
    assert data["score"] == sum(t["score"] for t in data["tests"])


def test_check_writes_gradescope_results_for_a_reference_step(redis_url, tmp_path):
    out = tmp_path / "results.json"
    done = run_checker("check", "5", "--format", "gradescope", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Step 05: " in done.stdout  # with --out the text report goes to stdout, in English
    data = json.loads(out.read_text(encoding="utf-8"))
    assert_gradescope_results(data)
    step = COURSE.steps[5]
    assert data["score"] == points.possible(COURSE, step) == data["extra_data"]["max_score"]
    listed = [t["extra_data"]["check"] for t in data["tests"]]
    assert listed == [c for c in step.checks if not COURSE.checks[c].thorough]
    assert all(t["status"] == "passed" for t in data["tests"])
    assert not list(tmp_path.glob(".results.json.*"))  # written atomically: no temporary left


def test_run_autograder_grades_a_reference_step_as_gradescope_would(redis_url, tmp_path):
    root = gradescope_tree(tmp_path, 5, COURSE.steps[5].path, sandbox="no")
    done, data = run_autograder(root)
    assert_gradescope_results(data)
    assert data["score"] == points.possible(COURSE, COURSE.steps[5]) and data["extra_data"]["passed"] is True
    assert "Step 05: " in done.stdout  # the instructor's view: the checker's text report


def test_run_autograder_grades_a_broken_submission_and_an_empty_one(redis_url, tmp_path):
    broken = gradescope_tree(tmp_path / "broken", 5, COURSE.steps[4].path, sandbox="no", lang="ru")
    _, data = run_autograder(broken)
    assert_gradescope_results(data)
    failed = {t["extra_data"]["check"]: t for t in data["tests"] if t["status"] == "failed"}
    assert "redis-layer" in failed and "урок: lessons/ru/05-groups.md#redis-layer" in failed["redis-layer"]["output"]
    assert 0 < data["score"] < data["extra_data"]["max_score"]
    empty = gradescope_tree(tmp_path / "empty", 5, sandbox="no")
    (empty / "submission" / "README.txt").write_text("I forgot the project\n")
    _, nothing = run_autograder(empty)
    assert nothing["score"] == 0 and len(nothing["tests"]) == 1
    assert nothing["tests"][0]["status"] == "failed" and "no manage.py" in nothing["tests"][0]["output"]
    assert nothing["tests"][0]["max_score"] == points.possible(COURSE, COURSE.steps[5])


def test_run_autograder_always_writes_results(tmp_path):
    hanging = copy_step(2, tmp_path / "hanging")
    with open(hanging / "chatsite" / "settings.py", "a", encoding="utf-8") as settings:
        settings.write("\nimport time\ntime.sleep(60)\n")
    slow = gradescope_tree(tmp_path / "slow", 2, hanging, sandbox="no", timeout=3)
    started = time.monotonic()
    _, data = run_autograder(slow)
    assert time.monotonic() - started < 30  # stopped at the limit, its probe with it
    assert data["score"] == 0 and "longer than 3 s" in data["tests"][0]["output"]
    wrong = gradescope_tree(tmp_path / "wrong", 2, COURSE.steps[2].path)
    (wrong / "source" / "autograder.toml").write_text("step = 99\n")
    _, data = run_autograder(wrong)
    assert data["score"] == 0 and "step = 99" in data["output"] and data["tests"][0]["status"] == "failed"
    # Not even a Python: run_autograder's own last resort.
    gone = gradescope_tree(tmp_path / "gone", 2, COURSE.steps[2].path)
    env = checker_env(AUTOGRADER_ROOT=str(gone), AUTOGRADER_PYTHON=str(tmp_path / "no-python"))
    done = subprocess.run(["bash", str(gone / "source" / "run_autograder")], env=env, capture_output=True, text=True)
    assert done.returncode == 0
    data = json.loads((gone / "results" / "results.json").read_text())
    assert data["score"] == 0 and data["tests"][0]["status"] == "failed"


def test_classroom_output_decodes_to_what_the_reporter_reads(redis_url, tmp_path):
    done = run_checker("check", "5", "--project", str(COURSE.steps[4].path), "--format", "classroom")
    assert done.returncode == 1
    data = json.loads(base64.b64decode(done.stdout.strip(), validate=True))
    assert (data["version"], data["status"]) == (1, "fail")
    assert data["max_score"] == points.possible(COURSE, COURSE.steps[5])
    for test in data["tests"]:
        assert test["status"] in ("pass", "fail", "error") and isinstance(test["line_no"], int)
        assert isinstance(test["score"], (int, float)) and test["test_code"].startswith("python -m checker check 5 ")
    tests = {t["name"].split(":")[0]: t for t in data["tests"]}
    assert tests["redis-layer"]["status"] == "fail" and tests["ws-echo"]["status"] == "pass"
    assert tests["redis-layer"]["filename"].endswith("settings.py")
    assert sum(t["score"] for t in data["tests"]) < data["max_score"]


def test_junit_survives_a_project_that_prints_and_raises_control_characters(tmp_path):
    printing = copy_step(2, tmp_path / "printing")
    with open(printing / "chatsite" / "settings.py", "a", encoding="utf-8") as settings:
        settings.write(f'\nprint("{NASTY} settings loaded")\n')
    env = checker_env(LANG="C.UTF-8", LC_ALL="", LC_MESSAGES="", LANGUAGE="")  # a Russian default for people
    done = run_checker("check", "2", "--project", str(printing), "--format", "junit", env=env)
    assert done.returncode == 0, done.stderr
    root = validate(done.stdout)
    suite = root.find("testsuite")
    assert suite.get("failures") == "0" and "settings loaded" in suite.find("system-out").text
    for bad in ("\x1b", "\x07", "\x0b"):
        assert bad not in done.stdout
    raising = copy_step(2, tmp_path / "raising")
    with open(raising / "chatsite" / "settings.py", "a", encoding="utf-8") as settings:
        settings.write(f'\nraise RuntimeError("{NASTY} broken on purpose")\n')
    out = tmp_path / "junit.xml"
    done = run_checker("check", "2", "--project", str(raising), "--format", "junit", "--out", str(out), env=env)
    assert done.returncode == 1
    text = out.read_text(encoding="utf-8")
    root = validate(text)
    suite = root.find("testsuite")
    failure = suite.find("testcase[@name='project-loads']/failure")
    assert failure is not None and "broken on purpose" in failure.get("message") + failure.text
    assert "lessons/en/" in failure.text  # machine formats speak English unless --lang says otherwise
    assert int(suite.get("failures")) == len(COURSE.steps[2].checks) - 1  # the rest blocked by the gate
    assert {p.get("name"): p.get("value") for p in suite.iter("property")}["submission"] == "raising"
    for bad in ("\x1b", "\x07", "\x0b"):
        assert bad not in text


def test_junit_is_written_when_no_project_is_found(tmp_path):
    out = tmp_path / "junit.xml"
    done = run_checker("check", "2", "--project", str(tmp_path / "nothing"), "--format", "junit", "--out", str(out))
    assert done.returncode == 2 and "No Django project found" in done.stderr
    suite = validate(out.read_text(encoding="utf-8")).find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("1", "1")
    assert suite.find("testcase/failure").get("type") == "no-project"
    done = run_checker("check", "42", "--format", "junit")  # no such step: still a report
    assert done.returncode == 2
    assert validate(done.stdout).find("testsuite/testcase/failure") is not None


@pytest.mark.skipif(not os.access("/bin/bash", os.X_OK), reason="bash runs the Gradescope scripts")
def test_the_gradescope_scripts_are_executable_and_parse():
    for name in ("setup.sh", "run_autograder"):
        path = GRADESCOPE / name
        assert os.access(path, os.X_OK), name
        assert subprocess.run(["bash", "-n", str(path)]).returncode == 0, name
