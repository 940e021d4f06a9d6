"""One cause is told once; where the project stands across steps; and when Redis does not
answer, where its URL came from and what does answer."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from conftest import checker_env, run_checker
from mistakes_corpus import build, load_corpus

from checker.course import load_course
from checker.processes import free_port
from checker.redis_server import RedisServer

COURSE = load_course()
STUDENTS = COURSE.steps[1].path.parent.parent / "tests" / "students"


def copy_step(number, tmp_path):
    project = tmp_path / "my-chat"
    shutil.copytree(COURSE.steps[number].path, project, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    return project


def check(*args, env=None):
    done = run_checker("check", *args, "--format", "json", "--lang", "en", env=env)
    return done.returncode, json.loads(done.stdout)


def told(report) -> list[str]:
    """The failing checks that tell their cause in full (the others point at one of them)."""
    return [c["id"] for c in report["checks"] if c["status"] in ("fail", "error") and not c["same_as"]]


@pytest.mark.redis
def test_no_channel_layers_is_told_once(tmp_path):
    project = copy_step(5, tmp_path)
    settings = project / "chatsite" / "settings.py"
    settings.write_text(re.sub(r"CHANNEL_LAYERS = \{.*?\n\}\n", "", settings.read_text(), flags=re.S))
    code, report = check("5", "--project", str(project))
    assert code == 1
    assert told(report) == ["redis-layer"], [(c["id"], c["key"], c["same_as"]) for c in report["checks"]]
    assert sum(c["same_as"] == "redis-layer" for c in report["checks"]) >= 6
    assert report["fix_first"].startswith("Fix first: redis-layer:") and "chatsite/settings.py" in report["fix_first"]
    text = run_checker("check", "5", "--project", str(project), "--lang", "en").stdout
    assert text.count("why:") == 1 and "same cause as redis-layer" in text


@pytest.mark.redis
@pytest.mark.browser
def test_a_forgotten_makemigrations_is_told_once(tmp_path):
    mistake = next(m for m in load_corpus() if m.name == "forgot-makemigrations")
    code, report = check("9", "--project", str(build(mistake, tmp_path)))
    shown = told(report)
    assert shown[0] == "ws-echo" and len(shown) <= 2, [(c["id"], c["key"], c["causes"], c["same_as"]) for c in report["checks"]]
    grouped = [c["id"] for c in report["checks"] if c["same_as"] == "ws-echo"]
    assert {"history", "sender-name", "two-servers", "bad-frames"} <= set(grouped)
    # The own suite would fail on the same missing table after a minute of time-outs: skipped,
    # naming the check that told it, and counted as failed by the graders (BLOCKED).
    suite = next(c for c in report["checks"] if c["id"] == "own-tests-pass")
    assert (suite["status"], suite["key"], suite["params"]) == ("skip", "skip-no-table", {"check": "ws-echo"}), suite


@pytest.mark.redis
def test_redis_provenance_a_stale_exported_url_and_the_make_redis_that_answers(tmp_path):
    """The student ran `make redis`, exported its URL, stopped it, ran `make redis` again (a
    new port): the old URL still wins. The diagnosis says so, and where Redis does answer."""
    state = tmp_path / "state"
    server = RedisServer(state).start()
    try:
        (state / "url").write_text(server.url + "\n")
        (state / "redis.pid").write_text(str(server.pid))
        stale = f"redis://127.0.0.1:{free_port()}/0"
        env = checker_env(REDIS_URL=stale, WORKBOOK_REDIS_STATE=str(state))
        code, report = check("5", "--only", "redis-layer", env=env)
    finally:
        server.stop()
    layer = next(c for c in report["checks"] if c["id"] == "redis-layer")
    assert layer["key"] == "redis-down", layer
    assert layer["causes"][:2] == ["hint-redis-from-environment", "hint-redis-make-answers"], layer
    assert layer["params"]["redis_url"] == stale and layer["params"]["redis_make"] == server.url
    assert f"export REDIS_URL={server.url}" in layer["hint"]


@pytest.mark.redis
def test_progress_of_the_independent_student_project_and_a_half_finished_one(tmp_path):
    done = run_checker("progress", "--project", str(STUDENTS / "mysite-05"), "--format", "json", "--lang", "en")
    assert done.returncode == 1
    progress = json.loads(done.stdout)
    assert progress["first_failing_step"] == 6
    steps = {s["step"]: s for s in progress["steps"]}
    assert all(steps[n]["passed"] for n in range(1, 6))
    assert steps[6]["first_failing"]["id"] == "async-consumer" and not steps[7]["checked"]

    half = copy_step(4, tmp_path)  # step 04 done, the groups of step 05 not begun
    text = run_checker("check", "all", "--project", str(half), "--lang", "en").stdout
    assert re.search(r"✔ 04 .* 12/12", text) and re.search(r"✘ 05 .*redis-layer", text), text
    assert "not checked: step 05 first" in text and "Fix first: redis-layer" in text
