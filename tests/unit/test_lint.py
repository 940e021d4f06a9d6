"""ruff over the workbook's own code and the step projects (the settings in pyproject.toml)."""

import subprocess
import sys

from checker import ROOT


def test_ruff_is_clean():
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "checker", "tools", "tests", "steps", "bench"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
