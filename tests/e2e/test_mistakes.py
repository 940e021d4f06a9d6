"""Every broken project of the corpus fails with its declared check and diagnosis (key, causes,
parameters), without a traceback from the checker; and the corpus covers the usual mistakes."""

from __future__ import annotations

import json

import pytest
from conftest import checker_env, run_checker
from mistakes_corpus import build, environment, load_corpus

from checker.course import load_course

CORPUS = load_corpus()
COURSE = load_course()


def needs(mistake) -> list:
    """The markers of what checking this mistake needs beyond Python."""
    marks = []
    built_from = COURSE.steps[mistake.from_step or mistake.step]
    if (COURSE.steps[mistake.step].needs_redis or built_from.needs_redis) and "memory" not in mistake.args:
        marks.append(pytest.mark.redis)
    if COURSE.checks[mistake.check].nature == "suite":
        marks.append(pytest.mark.browser)  # the project's own suite has browser tests
    return marks


def test_corpus_is_large_enough_and_names_known_checks():
    assert len(CORPUS) >= 25
    for mistake in CORPUS:
        assert mistake.check in COURSE.steps[mistake.step].checks, mistake.name
        assert mistake.key, f"{mistake.name}: say which diagnosis key it must get"


def matches(expected, got) -> bool:
    if isinstance(expected, str) and expected.startswith("~"):
        return isinstance(got, str) and expected[1:] in got
    return expected == got


@pytest.fixture
def not_redis_port():
    """A loopback server that greets first, as NATS does: not Redis, whatever the URL says."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                connection.sendall(b'INFO {"server_id":"not-redis"}\r\n')

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    listener.close()


@pytest.mark.parametrize("mistake", [pytest.param(m, marks=needs(m), id=m.name) for m in CORPUS])
def test_mistake_is_diagnosed(tmp_path, request, mistake):
    project = build(mistake, tmp_path)
    args = ["check", str(mistake.step), "--project", str(project), "--only", mistake.check,
            "--format", "json", "--lang", "en", *mistake.checker_args()]
    values = {"not_redis_port": request.getfixturevalue("not_redis_port")} if "{not_redis_port}" in str(mistake.env) else {}
    done = run_checker(*args, env=environment(mistake, checker_env(), **values), timeout=300)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert done.returncode == (0 if mistake.status == "warn" else 1), done.stdout + done.stderr
    report = json.loads(done.stdout)
    result = next(c for c in report["checks"] if c["id"] == mistake.check)
    assert result["status"] in ((mistake.status,) if mistake.status else ("fail", "error")), result
    assert result["key"] == mistake.key, result
    # What else answers (6379, a `make redis`) and how busy the machine is depend on the
    # machine, not on the mistake.
    machine = {"hint-redis-default-answers", "hint-redis-make-answers", "hint-busy-machine"}
    assert [c for c in result["causes"] if c not in machine] == mistake.causes, result
    wrong = {k: result["params"].get(k) for k, v in mistake.params.items() if not matches(v, result["params"].get(k))}
    assert not wrong, f"params differ: {wrong}; expected {mistake.params}"
    assert result["message"] and result["lesson"].startswith("lessons/en/")
