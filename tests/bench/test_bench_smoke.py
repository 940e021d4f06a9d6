"""The benchmark's smoke run (`make bench-quick`): tiny N, real servers, real Redis.

It asserts only what must hold on any machine: every server delivered every message at the
fixed rate, none twice, and the report was written. The numbers themselves are `make bench`'s.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from conftest import checker_env

from checker import ROOT

pytestmark = pytest.mark.redis


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory, redis_url):
    out = tmp_path_factory.mktemp("bench")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=ROOT, env=checker_env(REDIS_URL=redis_url), capture_output=True, text=True, timeout=60,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 0, f"python -m bench --quick failed:\n{done.stdout}\n{done.stderr}"
    return out, done.stdout, elapsed


def test_quick_bench_prints_its_own_time(quick_run, capsys):
    # How long it took is a figure to print (speed is judged by `make bench`, side by side, never
    # by a timed assertion on a shared machine); what must hold is that it finished and said so.
    _, stdout, elapsed = quick_run
    with capsys.disabled():
        print(f"\n[bench --quick took {elapsed:.1f} s]")
    assert stdout.strip(), "python -m bench --quick printed nothing"


def test_every_server_delivered_every_message_at_the_fixed_rate(quick_run):
    out, stdout, _ = quick_run
    data = json.loads((out / "latest.json").read_text())
    fixed = [r for r in data["results"] if r["load"] == "fixed"]
    servers = {s["key"] for s in data["servers"]}
    assert {r["server"] for r in fixed} == servers and len(servers) >= 2, stdout
    for r in fixed:
        who = f"{r['server']} N={r['clients']}: {r}"
        assert not r.get("error"), who
        assert r["connect_failures"] == 0, who
        assert r["sent"] == r["senders"] * r["messages_per_sender"] > 0, who
        assert r["accepted"] == r["sent"], who  # nothing rejected at the fixed rate
        assert r["expected"] == r["accepted"] * r["clients"], who
        assert r["delivered"] == r["expected"], who
        assert r["lost"] == 0, who
        assert r["duplicated"] == 0, who
        assert r["latency_ms"]["samples"] == r["sent"] * (r["clients"] - 1), who


def test_flat_out_counts_are_reported_not_hidden(quick_run):
    out, _, _ = quick_run
    data = json.loads((out / "latest.json").read_text())
    flat = [r for r in data["results"] if r["load"] == "flat"]
    assert flat
    for r in flat:
        # Whatever a server does flat out, every frame is accounted for.
        assert r["delivered"] + r["lost"] == r["expected"], r
        assert r["accepted"] + sum(r["rejected"].values()) == r["sent"], r
        assert r["deliveries_per_s"] > 0, r


def test_report_files_were_written(quick_run):
    out, stdout, _ = quick_run
    data = json.loads((out / "latest.json").read_text())
    assert data["summary"] and data["checker"]["targets"], data.keys()
    md = (out / "latest.md").read_text()
    assert "| server |" in md and "step06" in md and "raw" in md
    assert (out / "fanout.png").stat().st_size > 10_000
    assert "deliveries/s" in stdout and "x raw" in stdout
