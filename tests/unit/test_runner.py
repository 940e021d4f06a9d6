"""What the runner decides from a probe's events, whatever the probe did (in process)."""

from __future__ import annotations

from checker.course import load_course
from checker.options import Options
from checker.result import CheckResult
from checker.runner import BETWEEN_SECONDS, Events, ProbeRun, selected_checks, settle

COURSE = load_course()
SPECS = [COURSE.checks[c] for c in ("project-loads", "ws-connect", "ws-echo", "async-consumer")]


def passed(*ids):
    return {i: CheckResult(i, "pass") for i in ids}


def test_a_probe_that_finished_decides_everything():
    done = settle(SPECS, ProbeRun(results=passed(*(s.id for s in SPECS)), ready={}))
    assert not done.again and set(done.results) == {s.id for s in SPECS}


def test_a_probe_that_never_loaded_the_project():
    killed = settle(SPECS, ProbeRun(ready=None, killed=True, tail="..."))
    assert killed.results["project-loads"].key == "probe-timeout"
    assert [killed.results[s.id].key for s in SPECS[1:]] == ["skip-after-load"] * 3
    crashed = settle(SPECS, ProbeRun(ready=None, tail="SystemExit: 3"))
    assert crashed.results["project-loads"].key == "probe-crashed" and not crashed.again


def test_a_process_blocked_inside_a_check_costs_that_check_and_a_fresh_probe_runs_the_rest():
    run = ProbeRun(results=passed("project-loads"), ready={}, current="ws-echo", killed=True)
    done = settle(SPECS, run)
    assert done.results["ws-echo"].key == "blocked-process" and done.again
    assert "async-consumer" not in done.results and not done.sockets_hang


def test_a_process_blocked_inside_a_connect_skips_the_later_sockets():
    run = ProbeRun(results=passed("project-loads"), ready={}, current="ws-connect", connecting=True, killed=True)
    done = settle(SPECS, run)
    assert done.results["ws-connect"].key == "blocked-process-connect"
    assert done.again and done.sockets_hang == "ws-connect"


def test_a_probe_stuck_after_a_hang_is_replaced():
    run = ProbeRun(results=passed("project-loads", "ws-connect"), ready={}, stuck=True)
    assert settle(SPECS, run).again


def test_a_probe_silent_after_loading_is_not_told_it_never_loaded():
    run = ProbeRun(ready={}, killed=True, tail="...")
    done = settle(SPECS, run)
    assert done.results["project-loads"].key == "probe-stalled" and not done.again
    assert done.results["project-loads"].params["seconds"] == int(BETWEEN_SECONDS)
    assert [done.results[s.id].key for s in SPECS[1:]] == ["skip-after-stall"] * 3


def test_a_probe_that_ended_between_checks_without_a_word():
    run = ProbeRun(results=passed("project-loads"), ready={})
    done = settle(SPECS, run)
    assert not done.again and [done.results[s.id].key for s in SPECS[1:]] == ["skip-after-crash"] * 3


def test_events_are_read_as_written_and_garbage_is_ignored(tmp_path):
    path = tmp_path / "events.jsonl"
    events = Events(path)
    assert events.new() == []
    path.write_bytes(b'{"event": "start", "id": "a"}\nnot json\n[1, 2]\n{"event": "res')
    assert events.new() == [{"event": "start", "id": "a"}]
    with open(path, "ab") as f:
        f.write(b'ult", "id": "a", "status": "pass"}\n')
    assert events.new() == [{"event": "result", "id": "a", "status": "pass"}]


def test_only_keeps_the_gates():
    step = COURSE.steps[4]
    assert selected_checks(COURSE, step, Options(only=["ws-echo"])) == ["environment", "project-loads", "ws-echo"]
    assert selected_checks(COURSE, step, Options()) == list(step.checks)


def test_progress_leaves_out_the_checks_a_later_lesson_makes_untrue():
    step = COURSE.steps[3]
    assert "ws-not-served-yet" in selected_checks(COURSE, step, Options())
    assert "ws-not-served-yet" not in selected_checks(COURSE, step, Options(lasting=True))
