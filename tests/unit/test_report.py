"""The reports render keys in the language asked for: text, JSON, JUnit (in process)."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from checker.course import load_course
from checker.failures import carry_unawaited
from checker.report import as_json, as_junit, as_text, fix_first, hint, lesson_of, shared_causes
from checker.result import CheckResult
from checker.runner import StepReport

COURSE = load_course()


def report(*results) -> StepReport:
    return StepReport(COURSE.steps[4], Path("/home/student/my-chat"), list(results),
                      repro="python -m checker check 4 --project ~/my-chat")


FAILED = CheckResult(
    "project-loads", "fail", "load-failed",
    {"what": "chatsite.asgi.application", "error": "ModuleNotFoundError: No module named 'chat.comsumer'",
     "where": "chat/routing.py:3", "module": "chat.comsumer", "suggestion": "chat.consumers"},
    ["hint-module-typo"], 12,
)
SKIPPED = CheckResult("ws-echo", "skip", "skip-after-load", {"check": "project-loads"})


def test_text_in_russian_and_english():
    ru = as_text(report(FAILED, SKIPPED), "ru", tty=False)
    assert "Шаг 04 · Эхо-потребитель WebSocket" in ru
    assert "  ✘ project-loads" in ru and "где: chat/routing.py:3" in ru
    assert "почему: " in ru and "chat.consumers" in ru and "урок: lessons/ru/01-index.md#project" in ru
    assert "повторить: python -m checker check 4 --project ~/my-chat --only project-loads -v" in ru
    assert "Итог шага 04: пройдено 0 из 1, пропущено: 1" in ru
    en = as_text(report(FAILED, SKIPPED), "en", tty=False)
    assert "where: chat/routing.py:3" in en and "skipped: it needs what project-loads checks" in en


def test_json_carries_keys_params_and_causes_beside_the_sentences():
    payload = json.loads(as_json([report(FAILED, SKIPPED)], "en"))
    first = payload["checks"][0]
    assert (first["key"], first["causes"], first["params"]["where"]) == ("load-failed", ["hint-module-typo"], "chat/routing.py:3")
    assert first["message"].startswith("The project does not import") and "chat.consumers" in first["hint"]
    assert payload["passed"] is False and payload["checks"][1]["status"] == "skip"


def test_what_python_observed_leads_the_hint():
    result = CheckResult("group-broadcast", "fail", "broadcast-missing",
                         {"missing": "bob", "received": "—", "warning": "coroutine 'x' was never awaited"},
                         ["hint-never-awaited"])
    text = hint(result, "en")
    assert text.startswith("Python warned: coroutine 'x' was never awaited.")
    assert "group_add" in text  # broadcast-missing's own hint follows


def test_one_missing_await_is_told_once_with_its_line():
    """A group_send without async_to_sync fails every check that sends: the first tells the cause
    (Python's warning and the line the probe saw it come from), the rest point to it, and the
    servers' check, whose Daphne logs swallow the warning, gets the same cause."""
    warning = {"warning": "coroutine 'RedisChannelLayer.group_send' was never awaited", "where": "chat/consumers.py:23"}
    echo = CheckResult("ws-echo", "fail", "ws-no-reply", {"name": "alice", "sent": "{}",
                                                        **warning}, ["hint-never-awaited"])
    broadcast = CheckResult("group-broadcast", "fail", "broadcast-missing",
                            {"missing": "bob", "received": "—", **warning}, ["hint-never-awaited"])
    servers = CheckResult("two-servers", "fail", "two-servers-no-delivery", {"first": ":1", "second": ":2"})
    carry_unawaited({r.id: r for r in (echo, broadcast, servers)})
    assert servers.causes == ["hint-never-awaited"] and servers.params["where"] == "chat/consumers.py:23"
    step = report(echo, broadcast, servers)
    assert shared_causes(step) == {"group-broadcast": "ws-echo", "two-servers": "ws-echo"}
    assert fix_first(step, "en") == ("Fix first: ws-echo: coroutine 'RedisChannelLayer.group_send' was never "
                                     "awaited (chat/consumers.py:23)")
    ru = as_text(step, "ru", tty=False)
    assert ru.count("где: chat/consumers.py:23") == 1 and ru.count("та же причина, что у ws-echo") == 2
    # A failure that did not come with a missing await keeps its own cause.
    alone = CheckResult("two-servers", "fail", "two-servers-no-delivery", {"first": ":1", "second": ":2"})
    carry_unawaited({"two-servers": alone})
    assert alone.causes == [] and "where" not in alone.params


def test_junit_is_valid_xml():
    root = ET.fromstring(as_junit([report(FAILED, SKIPPED, CheckResult("ws-connect", "pass"))], "en"))
    suite = root.find("testsuite")
    # ws-echo was skipped because project-loads failed: the project kept it from running, a failure
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "2", "0")
    assert "No module named" in suite.find("testcase/failure").get("message") + suite.find("testcase/failure").text


def test_grade_csv_has_a_row_per_student():
    import csv
    import io

    from checker import points
    from checker.grade import Grading, Row
    from checker.grade_report import as_csv

    step = COURSE.steps[4]
    base = {"counted": points.counted(COURSE, step), "possible": points.possible(COURSE, step)}
    rows = [Row("anna", report(CheckResult("project-loads", "pass")), **base),
            Row("=vera", None, "no-manage-py", {"count": 3}, **base)]
    text = as_csv(COURSE, Grading(step, rows, sandboxed=True, delimiter=";"), "en")
    assert text.startswith("\ufeff")  # Excel reads UTF-8 (Cyrillic names) only with a BOM
    lines = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert lines[0][:5] == ["entry", "student_id", "name", "email", "environment"]
    assert [r[0] for r in lines[1:]] == ["anna", "'=vera"]  # no formula from a folder's name
    header = lines[0]
    assert lines[1][header.index("points")] == "1" and lines[1][header.index("max_points")] == points.shown(base["possible"])
    assert lines[2][header.index("reason")] == "no manage.py among the submission's 3 files"


def test_a_cause_links_to_where_it_is_taught():
    """ws-echo (lesson 04) is what notices a layer call without async_to_sync, but lesson 05 teaches
    it, and from step 06 on the fix is an await (lesson 06); a cause [causes] does not name keeps
    the check's own section."""
    layer = CheckResult("ws-echo", "fail", "ws-no-reply", {"name": "alice", "sent": "{}",
                        "warning": "coroutine 'RedisChannelLayer.group_send' was never awaited"},
                        ["hint-never-awaited"])
    at = {n: StepReport(COURSE.steps[n], Path("/home/student/my-chat"), [layer]) for n in (5, 6)}
    assert lesson_of(at[5], layer, "ru") == "lessons/ru/05-groups.md#groups"
    assert lesson_of(at[6], layer, "en") == "lessons/en/06-async.md#async-consumer"
    assert json.loads(as_json([at[5]], "en"))["checks"][0]["lesson"] == "lessons/en/05-groups.md#groups"
    crash = CheckResult("ws-connect", "error", "consumer-crashed", {}, ["hint-async-to-sync-in-async"])
    assert lesson_of(at[6], crash, "en") == "lessons/en/06-async.md#async-consumer"
    assert lesson_of(report(SKIPPED), SKIPPED, "en") == "lessons/en/04-echo.md#echo-consumer"
    assert lesson_of(at[5], FAILED, "en") == COURSE.lesson_link("project-loads", "en")


def test_causes_in_the_course_name_a_step_and_a_section():
    from checker import ROOT
    from checker.course import parse

    text = (ROOT / "course.toml").read_text(encoding="utf-8")
    assert COURSE.causes["hint-never-awaited"] == ((5, "groups"), (6, "async-consumer"))
    for wrong in ('"groups"', '"99#groups"', '"5#"'):
        with pytest.raises(ValueError):
            parse(text.replace('hint-group-name = "5#groups"', f"hint-group-name = {wrong}"))
