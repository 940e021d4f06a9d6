"""make doctor names each missing part with its fix, and fails when one is missing."""

import os
import shutil
import subprocess
import sys

from checker import ROOT
from checker.processes import free_port


def doctor(tmp_path, *, keep=("chromium", "bwrap", "redis-server"), redis_url=None):
    # A PATH that holds only what the test keeps: the rest is "not installed".
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in keep:
        if shutil.which(name):
            (bin_dir / name).symlink_to(shutil.which(name))
    env = {**os.environ, "PATH": str(bin_dir), "REDIS_URL": redis_url or f"redis://127.0.0.1:{free_port()}/0"}
    return subprocess.run([sys.executable, "-m", "tools.doctor", "--lang", "en"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_doctor_names_a_stopped_redis_and_a_missing_chromedriver(tmp_path):
    done = doctor(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "✘ Redis does not answer at redis://127.0.0.1:" in out and "(from the REDIS_URL environment variable)" in out
    assert "Fix: make redis" in out or "apt-get install redis-server" in out
    assert "✘ chromedriver is not on PATH" in out and "Fix: sudo apt-get install chromium chromium-driver" in out
    assert "2 problems: fix them before the class." in out.splitlines()[-1]
    assert "Traceback" not in done.stderr


def test_doctor_is_green_where_everything_answers(tmp_path, redis_url):
    done = doctor(tmp_path, keep=("chromium", "chromedriver", "bwrap", "redis-server"), redis_url=redis_url)
    out = done.stdout
    assert f"answers at {redis_url}" in out, out
    assert "✔ Chromium " in out and "✔ bubblewrap works" in out
    # The load may be high on a shared machine: that is a warning, never a failure.
    assert done.returncode == 0 and out.splitlines()[-1] == "All ready.", out
