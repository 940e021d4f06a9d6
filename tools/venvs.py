"""Virtual environments of a student's kind, built once and kept in .cache/venvs/ (for the tests
and the benchmark).

A student's project runs on the student's own interpreter; these give the tests one with
exactly the packages a lesson has had them install (or an older supported set). Built with
the machine's own pip configuration, reused while the package list stays the same.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from checker import ROOT
from checker.environment import venv_python

FOLDER = ROOT / ".cache" / "venvs"


def python_for(version: str) -> str | None:
    """An interpreter of Python `version` ("3.10") on this machine, or None."""
    found = shutil.which(f"python{version}")
    if found and subprocess.run([found, "-c", "pass"], capture_output=True).returncode == 0:
        return found
    for candidate in sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}")):
        return str(candidate)
    return None


def venv(name: str, packages: list[str], python: str | None = None) -> Path:
    """The python of a venv holding `packages` (pip specs), built on first use."""
    base = python or sys.executable
    tag = hashlib.sha1(" ".join([base, *packages]).encode()).hexdigest()[:10]
    folder = FOLDER / f"{name}-{tag}"
    FOLDER.mkdir(parents=True, exist_ok=True)
    # Tests on several xdist workers may ask for the same venv at once: one builds, the rest wait.
    with open(FOLDER / f".{name}-{tag}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".done").exists():
            build(folder, base, packages)
    return venv_python(folder)


def build(folder: Path, base: str, packages: list[str]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([base, "-m", "venv", str(folder)], check=True)
    done = subprocess.run(
        [str(venv_python(folder)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *packages],
        capture_output=True, text=True,
    )
    if done.returncode:  # pip's notes about this machine's indexes only when it failed
        raise RuntimeError(f"pip install {' '.join(packages)} failed:\n{done.stdout}{done.stderr}")
    (folder / ".done").touch()
