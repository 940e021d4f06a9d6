"""The command line: listing, exit codes, output formats, usage errors."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from conftest import run_checker

from checker import ROOT
from checker.course import load_course

COURSE = load_course()


def test_list_names_every_step_and_check():
    done = run_checker("list", "--lang", "en")
    assert done.returncode == 0
    for step in COURSE.steps.values():
        assert step.title("en") in done.stdout
    for check_id in COURSE.checks:
        assert check_id in done.stdout


def test_list_json():
    done = run_checker("list", "--format", "json")
    steps = json.loads(done.stdout)
    assert [s["step"] for s in steps] == sorted(COURSE.steps)
    assert steps[4]["checks"] == list(COURSE.steps[5].checks)


def test_text_output_has_a_line_per_check_and_a_summary():
    done = run_checker("check", "1", "--lang", "en")
    assert done.returncode == 0, done.stdout + done.stderr
    for check_id in COURSE.steps[1].checks:
        assert f"✔ {check_id}" in done.stdout
    assert "Step 01: 4 of 4 passed" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_language_follows_the_locale_russian_first():
    from conftest import checker_env

    clear = {"LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": ""}
    russian = run_checker("check", "1", env=checker_env(**clear, LANG="C.UTF-8"))
    assert "Итог шага 01: пройдено 4 из 4" in russian.stdout
    english = run_checker("check", "1", env=checker_env(**clear, LANG="en_GB.UTF-8"))
    assert "Step 01: 4 of 4 passed" in english.stdout


def test_junit_is_valid_xml():
    done = run_checker("check", "2", "--format", "junit")
    suite = ET.fromstring(done.stdout).find("testsuite")
    assert suite.get("tests") == str(len(COURSE.steps[2].checks))
    assert suite.get("failures") == "0"


def test_a_failing_project_exits_1_with_a_lesson_link(tmp_path):
    done = run_checker("check", "2", "--project", str(COURSE.steps[1].path), "--lang", "ru")
    assert done.returncode == 1
    assert "✘ daphne-runserver" in done.stdout
    assert "lessons/ru/02-asgi.md#daphne" in done.stdout
    assert "-m checker check 2 --project" in done.stdout and "повторить: " in done.stdout


def test_usage_errors_exit_2(tmp_path):
    assert run_checker("check", "10").returncode == 2
    assert run_checker("check", "two").returncode == 2
    assert run_checker("check", "1", "--only", "no-such-check").returncode == 2
    assert run_checker("frobnicate").returncode == 2
    missing = run_checker("check", "1", "--project", str(tmp_path / "nowhere"), "--lang", "en")
    assert missing.returncode == 2 and "No Django project found" in missing.stderr
    empty = run_checker("check", "1", "--project", str(tmp_path), "--lang", "en")
    assert empty.returncode == 2 and "no manage.py" in empty.stderr


def test_only_runs_the_named_check():
    done = run_checker("check", "3", "--only", "room-page", "--format", "json")
    ids = [c["id"] for c in json.loads(done.stdout)["checks"]]
    assert ids == ["environment", "project-loads", "room-page"]  # the gates always run


def test_diff_shows_what_the_step_changes():
    done = run_checker("diff", "6")
    assert done.returncode == 0
    assert "+++ 06-async/chat/consumers.py" in done.stdout
    assert "+class ChatConsumer(AsyncWebsocketConsumer):" in done.stdout
    assert "\033[" not in done.stdout  # no colour when not on a terminal
    first = run_checker("diff", "1")  # the first step: every file is new
    assert first.returncode == 0 and "+++ 01-index/chat/views.py" in first.stdout
    assert run_checker("diff", "10").returncode == 2


def test_checker_leaves_no_files_in_the_project():
    before = {p for p in (ROOT / "steps" / "04-echo").rglob("*")}
    run_checker("check", "4")
    after = {p for p in (ROOT / "steps" / "04-echo").rglob("*")}
    assert after == before
