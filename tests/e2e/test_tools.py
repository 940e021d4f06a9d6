"""The front door's tools: `make run-step` with and without Redis, `make redis`."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from checker import ROOT
from checker import redis_server as redis_state
from checker.processes import free_port
from tools import redis_server


def start_run_step(step: int, port: int, redis_url: str) -> subprocess.Popen:
    env = dict(os.environ, REDIS_URL=redis_url, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "tools.run_step", str(step), "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )


def wait_for_page(url: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def stop(process: subprocess.Popen) -> str:
    os.killpg(process.pid, signal.SIGTERM)  # runserver's autoreloader has a child
    output, _ = process.communicate(timeout=15)
    return output


async def broadcast_reaches_both(port: int) -> bool:
    from websockets.asyncio.client import connect

    url = f"ws://127.0.0.1:{port}/ws/chat/lobby/"
    async with connect(url, origin="http://127.0.0.1") as a, connect(url, origin="http://127.0.0.1") as b:
        await a.send(json.dumps({"message": "hi"}))
        got = await asyncio.wait_for(b.recv(), 5)
    return json.loads(got) == {"message": "hi"}


def test_run_step_without_redis_uses_the_in_memory_layer_and_says_so():
    port = free_port()
    process = start_run_step(6, port, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    try:
        page = wait_for_page(f"http://127.0.0.1:{port}/chat/")
        assert 'id="room-name-input"' in page
        assert asyncio.run(broadcast_reaches_both(port))
    finally:
        output = stop(process)
    assert "runs on the in-memory channel layer" in output
    assert "Starting ASGI/Daphne" in output


def test_run_step_with_redis_uses_it(redis_url):
    port = free_port()
    process = start_run_step(5, port, redis_url=redis_url)
    try:
        wait_for_page(f"http://127.0.0.1:{port}/chat/lobby/")
        assert asyncio.run(broadcast_reaches_both(port))
    finally:
        output = stop(process)
    assert f"channel layer on Redis at {redis_url}" in output


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed")
def test_make_redis_starts_and_stops_a_private_server(tmp_path, monkeypatch):
    monkeypatch.setattr(redis_state, "STATE", tmp_path)
    assert redis_server.start() == 0
    url = redis_server.saved_url()
    pid = redis_server.running_pid()
    try:
        assert url.startswith("redis://127.0.0.1:") and not url.endswith(":6379/0")
        assert redis_server.ping(url)
    finally:
        redis_server.stop()
    deadline = time.monotonic() + 5
    while redis_server.ping(url) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not redis_server.ping(url)
    assert pid and redis_server.running_pid() is None  # the pid file is gone with it


def test_make_redis_explains_how_to_install_when_missing(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(redis_state, "STATE", tmp_path)
    monkeypatch.setattr(redis_server.shutil, "which", lambda name: None)
    assert redis_server.start() == 1
    err = capsys.readouterr().err
    assert "sudo apt-get install redis-server" in err and "brew install redis" in err and "Memurai" in err
