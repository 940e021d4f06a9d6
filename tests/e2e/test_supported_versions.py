"""The versions README says work, do: reference steps checked on a student's interpreter with
the oldest supported set (Python 3.10, Django 4.2 LTS, Channels 4.0, Daphne 4.0, channels-redis
4.1), with Django 6.0 on Python 3.12, and with today's set on Python 3.13. Each venv is built
once (tests/venvs.py)."""

from __future__ import annotations

import pytest
from conftest import check_json

from checker.course import load_course
from tools.venvs import python_for, venv

# Each set is a venv of its own to build (minutes on a clean checkout): `make test-all` runs them.
pytestmark = pytest.mark.slow
COURSE = load_course()
SETS = {
    "oldest": ("3.10", ["django>=4.2,<4.3", "channels[daphne]>=4.0,<4.1", "daphne>=4.0,<4.1",
                        "channels-redis>=4.1,<4.2", "redis>=5,<6", "selenium>=4.20"], [2, 5, 7]),
    "django6": ("3.12", ["django>=6.0,<6.1", "channels[daphne]>=4.3,<4.4", "channels-redis>=4.3,<4.4",
                         "redis>=7,<8", "selenium>=4.20"], [4, 6, 8]),
    "python313": ("3.13", ["django>=5.2,<5.3", "channels[daphne]>=4.3,<4.4", "channels-redis>=4.3,<4.4",
                           "redis>=7,<8"], [6]),
}
CASES = [pytest.param(name, n, id=f"{name}-step{n:02d}") for name, (_, _, steps) in SETS.items() for n in steps]


@pytest.mark.redis
@pytest.mark.browser
@pytest.mark.parametrize("name, number", CASES)
def test_reference_step_on_a_supported_older_or_newer_set(name, number):
    version, packages, _ = SETS[name]
    base = python_for(version)
    if base is None:
        pytest.skip(f"no Python {version} on this machine")
    python = venv(f"supported-{name}", packages, base)
    code, report = check_json(str(number), "--python", str(python))
    failed = [c for c in report["checks"] if c["status"] not in ("pass", "skip")]
    assert code == 0 and not failed, failed
    assert report["environment"]["source"] == "option"
    assert report["environment"]["python"] == str(python)
    assert report["checks"][0]["params"]["version"].startswith(version)
