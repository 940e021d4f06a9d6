"""`checker watch` re-runs on a save and says what changed; `checker grade` makes a class table."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

from conftest import checker_env, run_checker

from checker import ROOT
from checker.course import load_course

COURSE = load_course()


def copy_step(number: int, into):
    shutil.copytree(COURSE.steps[number].path, into, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    return into


def test_watch_reruns_when_a_file_changes(tmp_path):
    project = copy_step(1, tmp_path / "me")
    process = subprocess.Popen(
        [sys.executable, "-m", "checker", "watch", "1", "--project", str(project), "--lang", "en", "--runs", "2"],
        cwd=ROOT, env=checker_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    seen = ""
    deadline = time.monotonic() + 60
    while "Waiting for changes" not in seen and time.monotonic() < deadline:
        seen += process.stdout.readline()
    assert "Step 01: 4 of 4 passed" in seen
    time.sleep(0.5)  # let the watcher settle before the save
    views = project / "chat" / "views.py"
    views.write_text(views.read_text().replace('"index.html"', '"indx.html"'))
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "changed: chat/views.py" in output
    assert "index-page: ✔ → ‼" in output
    assert "TemplateDoesNotExist" in output


def test_grade_table_with_a_broken_and_a_missing_project(tmp_path):
    submissions = tmp_path / "class"
    copy_step(4, submissions / "anna")
    broken = copy_step(4, submissions / "boris")
    consumer = broken / "chat" / "consumers.py"
    consumer.write_text(consumer.read_text().replace("self.accept()", "pass"))
    (submissions / "vera").mkdir(parents=True)  # handed in nothing
    done = run_checker("grade", str(submissions), "--step", "4", "--format", "json", "--lang", "en", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    grades = json.loads(done.stdout)
    rows = {r["entry"]: r for r in grades["rows"]}
    total = len(COURSE.steps[4].checks)
    assert (rows["anna"]["passed"], rows["anna"]["total"]) == (total, total)
    assert rows["anna"]["points"] == rows["anna"]["max_points"] == COURSE.points(4)
    assert rows["boris"]["passed"] < total and rows["boris"]["report"]["passed"] is False
    assert rows["boris"]["reason"].startswith("ws-connect: ")  # the column is "what to fix first" already
    assert rows["vera"]["report"] is None and rows["vera"]["problem"] == "empty"
    assert rows["vera"]["reason"] == "the submission is empty" and rows["vera"]["points"] == 0
    assert grades["counts"]["ws-connect"] == 1 and grades["sandboxed"] is True

    page = tmp_path / "grades.html"
    done = run_checker("grade", str(submissions), "--step", "4", "--format", "html", "--out", str(page), "--lang", "ru", "--jobs", "2")
    assert done.returncode == 0
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>") and "boris" in text and "ws-connect" in text
    assert "Сначала исправьте" not in text and "что исправить первым" in text
    assert "<script src" not in text and "<link" not in text  # self-contained: its script is inline
    assert "ws-connect 1/3" in text or 'title="ws-connect">1/3<' in text  # the class's count per check
