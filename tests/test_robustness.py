"""Projects that do not import, do not start, exit or hang get a diagnosis, never a traceback
from the checker, and the checker always finishes."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import checker_env, run_checker

from checker.course import load_course

COURSE = load_course()


def broken_step1(tmp_path, file: str, old: str, new: str):
    project = tmp_path / "p"
    shutil.copytree(COURSE.steps[1].path, project, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    path = project / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return project


def check(project, *extra, env=None):
    done = run_checker("check", "1", "--project", str(project), "--format", "json", "--lang", "en", *extra, env=env)
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else None


@pytest.mark.parametrize(
    "file, old, new, words",
    [
        ("chatsite/settings.py", "DEBUG = True", "DEBUG = True\nraise RuntimeError('half-written settings')", ["RuntimeError: half-written settings", "where: chatsite/settings.py:"]),
        ("chatsite/urls.py", "urlpatterns = [", "urlpatterns = undefined_name + [", ["NameError", "chatsite/urls.py"]),
        ("chat/views.py", "class IndexView", "class IndexView(\n", ["SyntaxError", "chat/views.py"]),
    ],
    ids=["settings-raise", "urls-nameerror", "views-syntax"],
)
def test_project_that_does_not_import(tmp_path, file, old, new, words):
    code, report = check(broken_step1(tmp_path, file, old, new))
    assert code == 1
    loads = report["checks"][0]
    assert loads["id"] == "project-loads" and loads["status"] == "fail"
    for word in words:
        assert word in loads["message"], loads
    assert all(c["status"] == "skip" for c in report["checks"][1:])


def test_project_that_exits_while_starting(tmp_path):
    project = broken_step1(tmp_path, "chatsite/settings.py", "DEBUG = True", "DEBUG = True\nimport sys\nsys.exit(3)")
    code, report = check(project)
    assert code == 1
    first = report["checks"][0]
    assert first["status"] == "error" and "ended without an answer" in first["message"]
    assert all(c["status"] == "skip" for c in report["checks"][1:])


def test_project_that_hangs_while_starting(tmp_path):
    project = broken_step1(tmp_path, "chatsite/settings.py", "DEBUG = True", "DEBUG = True\nwhile True:\n    pass")
    code, report = check(project, "--only", "index-page", env=checker_env(CHECKER_STARTUP_SECONDS="2"))
    assert code == 1
    first = report["checks"][0]
    assert first["status"] == "error" and "did not answer in 12 s" in first["message"], first


def test_view_that_hangs_is_stopped_and_the_rest_still_reported(tmp_path):
    project = broken_step1(
        tmp_path, "chat/views.py", 'template_name = "index.html"',
        'template_name = "index.html"\n\n    def get(self, request):\n        import time\n\n        time.sleep(600)',
    )
    code, report = check(project)
    assert code == 1
    got = {c["id"]: c for c in report["checks"]}
    assert got["index-page"]["status"] == "error" and "did not finish in 5" in got["index-page"]["message"]
    assert got["unknown-404"]["status"] == "pass"  # an HTTP check that opens no socket still runs


def test_manage_py_without_settings_module(tmp_path):
    project = broken_step1(tmp_path, "manage.py", 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatsite.settings")', "")
    done = run_checker("check", "1", "--project", str(project), "--lang", "en")
    assert done.returncode == 2 and "DJANGO_SETTINGS_MODULE is not set" in done.stderr


def test_error_raised_inside_channels_points_at_the_students_consumer(tmp_path, redis_url):
    """No handler for an event type is raised by Channels, not by the student's code: the
    diagnosis still names the consumer class to open."""
    project = tmp_path / "p"
    shutil.copytree(COURSE.steps[5].path, project, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    consumers = project / "chat" / "consumers.py"
    consumers.write_text(consumers.read_text().replace("def chat_message(", "def chat_msg("))
    done = run_checker("check", "5", "--project", str(project), "--only", "group-broadcast", "--format", "json", "--lang", "en")
    result = json.loads(done.stdout)["checks"][1]
    assert "where: chat/consumers.py:" in result["message"] and "(class ChatConsumer)" in result["message"], result
