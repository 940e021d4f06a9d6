"""Projects that do not import, do not start, exit or hang get a diagnosis, never a traceback
from the checker, and the checker always finishes. A hang costs its check, not the run."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import checker_env, run_checker

from checker.course import load_course

COURSE = load_course()


def broken(tmp_path, number: int, file: str, old: str, new: str):
    project = tmp_path / "p"
    shutil.copytree(COURSE.steps[number].path, project, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    path = project / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return project


def by_id(report) -> dict:
    return {c["id"]: c for c in report["checks"]}


def check(project, *extra, step: int = 1, env=None):
    done = run_checker("check", str(step), "--project", str(project), "--format", "json", "--lang", "en", *extra, env=env)
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else None


@pytest.mark.parametrize(
    "file, old, new, error, where",
    [
        ("chatsite/settings.py", "DEBUG = True", "DEBUG = True\nraise RuntimeError('half-written settings')",
         "RuntimeError: half-written settings", "chatsite/settings.py:"),
        ("chatsite/urls.py", "urlpatterns = [", "urlpatterns = undefined_name + [", "NameError", "chatsite/urls.py:"),
        ("chat/views.py", "class IndexView", "class IndexView(\n", "SyntaxError", "chat/views.py:"),
    ],
    ids=["settings-raise", "urls-nameerror", "views-syntax"],
)
def test_project_that_does_not_import(tmp_path, file, old, new, error, where):
    code, report = check(broken(tmp_path, 1, file, old, new))
    assert code == 1
    loads = by_id(report)["project-loads"]
    assert (loads["status"], loads["key"]) == ("fail", "load-failed")
    assert loads["params"]["error"].startswith(error) and loads["params"]["where"].startswith(where), loads
    assert [c["key"] for c in report["checks"][2:]] == ["skip-after-load"] * 2


def test_project_that_exits_while_starting(tmp_path):
    project = broken(tmp_path, 1, "chatsite/settings.py", "DEBUG = True", "DEBUG = True\nimport sys\nsys.exit(3)")
    code, report = check(project)
    assert code == 1
    first = by_id(report)["project-loads"]
    assert (first["status"], first["key"]) == ("error", "probe-crashed"), first
    assert all(c["status"] == "skip" for c in report["checks"][2:])


def test_project_that_hangs_while_starting(tmp_path):
    project = broken(tmp_path, 1, "chatsite/settings.py", "DEBUG = True", "DEBUG = True\nwhile True:\n    pass")
    code, report = check(project, "--only", "index-page", env=checker_env(CHECKER_STARTUP_SECONDS="2"))
    assert code == 1
    first = by_id(report)["project-loads"]
    assert (first["status"], first["key"], first["params"]["seconds"]) == ("error", "probe-timeout", 2), first


def test_view_that_hangs_is_stopped_and_the_rest_still_reported(tmp_path):
    project = broken(
        tmp_path, 1, "chat/views.py", 'template_name = "index.html"',
        'template_name = "index.html"\n\n    def get(self, request):\n        import time\n\n        time.sleep(600)',
    )
    code, report = check(project)
    assert code == 1
    got = {c["id"]: c for c in report["checks"]}
    assert (got["index-page"]["status"], got["index-page"]["key"]) == ("error", "timeout")
    assert got["unknown-404"]["status"] == "pass"  # an HTTP check that opens no socket still runs


def test_async_code_that_blocks_the_whole_process_costs_its_check_only(tmp_path):
    """time.sleep in an async receive(): the probe's own event loop stops, its time-outs never
    fire. The runner stops it past the check's limit and a fresh probe runs the rest."""
    project = broken(
        tmp_path, 7, "chat/consumers.py", "    async def receive(self, text_data=None, bytes_data=None):\n",
        "    async def receive(self, text_data=None, bytes_data=None):\n"
        "        import time\n\n        time.sleep(60)\n",
    )
    code, report = check(project, "--only", "ws-connect,ws-echo,own-tests-exist", "--layer", "memory", step=7,
                         env=checker_env(CHECKER_GRACE_SECONDS="1"))
    got = {c["id"]: c for c in report["checks"]}
    assert got["ws-connect"]["status"] == "pass", got["ws-connect"]
    # ws-echo sends a message: the whole process blocks inside that check.
    assert (got["ws-echo"]["status"], got["ws-echo"]["key"]) == ("error", "blocked-process"), got["ws-echo"]
    assert got["own-tests-exist"]["status"] == "pass"  # ran in a fresh probe, after the hang
    assert code == 1


@pytest.mark.redis
def test_a_blocking_and_an_awaiting_connect_hang_score_the_same(tmp_path, redis_url):
    """The same mistake, a connect() that never accepts, written two ways: time.sleep blocks the
    whole process (the runner kills the probe), an await only that consumer (the probe's own
    time-out). Every check gets the same status, and the live checks after the hang, two-servers
    included, are skipped rather than hung again (each would cost its own limit)."""
    connect = "        await self.accept()"
    reports = {}
    for kind, new in (("blocking", "        import time\n\n        while True:\n            time.sleep(1)"),
                      ("awaiting", "        import asyncio\n\n        await asyncio.Event().wait()")):
        project = broken(tmp_path / kind, 6, "chat/consumers.py", connect, new)
        code, report = check(project, step=6, env=checker_env(CHECKER_GRACE_SECONDS="1"))
        assert code == 1
        reports[kind] = by_id(report)
    blocking, awaiting = reports["blocking"], reports["awaiting"]
    assert blocking["ws-connect"]["key"] == "blocked-process-connect", blocking["ws-connect"]
    assert awaiting["ws-connect"]["key"] == "ws-connect-hangs", awaiting["ws-connect"]
    assert {i: c["status"] for i, c in blocking.items()} == {i: c["status"] for i, c in awaiting.items()}
    for got in (blocking, awaiting):
        assert (got["two-servers"]["key"], got["two-servers"]["params"]) == ("skip-after-hang", {"check": "ws-connect"})
        assert got["async-consumer"]["status"] == "pass"  # a source check after the hang still counts


def test_manage_py_without_settings_module(tmp_path):
    project = broken(tmp_path, 1, "manage.py", 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatsite.settings")', "")
    done = run_checker("check", "1", "--project", str(project), "--lang", "en")
    assert done.returncode == 2 and "DJANGO_SETTINGS_MODULE is not set" in done.stderr


def test_error_raised_inside_channels_points_at_the_students_consumer(tmp_path, redis_url):
    """No handler for an event type is raised by Channels, not by the student's code: the
    diagnosis still names the consumer class to open."""
    project = broken(tmp_path, 5, "chat/consumers.py", "def chat_message(", "def chat_msg(")
    code, report = check(project, "--only", "group-broadcast", step=5)
    result = by_id(report)["group-broadcast"]
    assert (result["key"], result["causes"]) == ("app-crashed", ["hint-no-handler"]), result
    assert result["params"]["where"].startswith("chat/consumers.py:") and "(class ChatConsumer)" in result["params"]["where"]


def test_settings_without_databases_are_legal(tmp_path):
    """Django's default DATABASES is {}: nothing the checker adds may fail such a project."""
    project = broken(tmp_path, 4, "chatsite/settings.py", "DATABASES = {", "_NOT_DATABASES = {")
    code, report = check(project, step=4)
    assert code == 0, [c for c in report["checks"] if c["status"] not in ("pass", "warn")]


def test_an_immediate_exception_is_told_at_once_and_the_sockets_still_checked(tmp_path):
    """A router without "http" (a Channels 2 habit): Daphne answers 500 at once; so does the
    checker, and the WebSocket checks run as usual."""
    project = broken(tmp_path, 4, "chatsite/asgi.py", '        "http": django_asgi_app,\n', "")
    code, report = check(project, step=4)
    got = by_id(report)
    serves = got["asgi-serves-index"]
    assert (serves["key"], serves["causes"]) == ("http-crashed", ["hint-no-http-protocol"]), serves
    assert serves["duration_ms"] < 2000, serves
    assert got["ws-connect"]["status"] in ("pass", "warn") and got["ws-echo"]["status"] == "pass"


@pytest.mark.redis
def test_a_project_that_prints_megabytes_at_import_still_gets_its_two_servers(tmp_path, redis_url):
    project = broken(tmp_path, 5, "chatsite/settings.py", "DEBUG = True",
                     'DEBUG = True\nprint("x" * (18 * 1024 * 1024), flush=True)')
    code, report = check(project, "--only", "two-servers", step=5)
    assert by_id(report)["two-servers"]["status"] == "pass", by_id(report)["two-servers"]
