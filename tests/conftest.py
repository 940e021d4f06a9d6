"""Shared helpers: run the checker as a student would, and insist on a real Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from checker import ROOT
from tools.redis_server import current_url, ping

REDIS_HELP = (
    "These tests need a real Redis server and never fall back to a fake one.\n"
    "Start one with `make redis` (a private redis-server on a free port), or install it:\n"
    "  Debian/Ubuntu: sudo apt-get install redis-server   macOS: brew install redis"
)


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = current_url()
    if not ping(url):
        pytest.fail(f"Redis does not answer at {url}.\n{REDIS_HELP}", pytrace=False)
    return url


def checker_env(**extra) -> dict:
    env = dict(os.environ, REDIS_URL=current_url(), PYTHONDONTWRITEBYTECODE="1")
    env.pop("DJANGO_SETTINGS_MODULE", None)  # each project names its own
    env.update(extra)
    return env


def run_checker(*args: str, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "checker", *args],
        cwd=ROOT, env=env or checker_env(), capture_output=True, text=True, timeout=timeout,
    )


def check_json(*args: str, timeout: float = 300) -> tuple[int, dict]:
    done = run_checker("check", *args, "--format", "json", "--lang", "en", timeout=timeout)
    assert done.stdout.strip(), f"no JSON on stdout; stderr:\n{done.stderr}"
    return done.returncode, json.loads(done.stdout)


def statuses(report: dict) -> dict[str, str]:
    return {c["id"]: c["status"] for c in report["checks"]}
