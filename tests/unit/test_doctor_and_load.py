"""A timing verdict taken on a busy machine says so (issue: steady under load)."""

from checker.checks import groups


def test_a_busy_machine_is_named_as_a_cause(monkeypatch):
    monkeypatch.setattr(groups.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(groups.os, "getloadavg", lambda: (9.6, 8.0, 7.0))
    assert groups.busy_machine() == ["hint-busy-machine"]
    assert groups.load_now() == {"load": "9.6", "cores": 2}
    monkeypatch.setattr(groups.os, "getloadavg", lambda: (2.9, 2.0, 2.0))
    assert groups.busy_machine() == []
