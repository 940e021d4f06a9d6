"""Which interpreter runs a student's project, and how versions are compared (in process)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from checker.environment import InterpreterNotFound, find, release, satisfies


def fake_venv(folder: Path) -> Path:
    (folder / "bin").mkdir(parents=True)
    (folder / "pyvenv.cfg").write_text("home = /usr/bin\n")
    python = folder / "bin" / "python"
    python.symlink_to(sys.executable)
    return python


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    root = tmp_path / "my-chat"
    root.mkdir()
    (root / "manage.py").write_text("")
    return root


def test_the_order_option_active_project_workbook(project, tmp_path, monkeypatch):
    assert find(project).source == "workbook"
    beside = fake_venv(project / ".venv")
    assert find(project) == find(project.parent / "my-chat")
    assert (find(project).python, find(project).source) == (str(beside), "project")
    other = fake_venv(tmp_path / "elsewhere")
    monkeypatch.setenv("VIRTUAL_ENV", str(other.parent.parent))
    assert (find(project).python, find(project).source) == (str(other), "active")
    assert find(project, str(beside)).source == "option"
    assert find(project, str(project / ".venv")).python == str(beside)  # a venv folder will do
    with pytest.raises(InterpreterNotFound):
        find(project, str(tmp_path / "nowhere"))


def test_a_venv_above_the_project_and_one_of_any_name(project, tmp_path):
    named = fake_venv(tmp_path / "django-env")  # above manage.py, not one of the usual names
    assert (find(project).python, find(project).source) == (str(named), "project")


def test_the_workbooks_own_venv_counts_as_the_workbook(monkeypatch):
    from checker import ROOT

    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    assert find(ROOT / "steps" / "01-index").source == "workbook"


@pytest.mark.parametrize(
    "version, spec, ok",
    [("5.2.19", ">=4.2,<6.1", True), ("4.1.13", ">=4.2,<6.1", False), ("6.1", ">=4.2,<6.1", False),
     ("8.1.0", ">=4.5,<8", False), ("7.4.1", ">=4.5,<8", True), ("6.0rc1", ">=4.2,<6.1", True),
     ("3.13.0", ">=3.10,<3.14", True), ("3.9.18", ">=3.10,<3.14", False)],
)
def test_versions(version, spec, ok):
    assert satisfies(version, spec) is ok


def test_release_numbers():
    assert release("4.2.16") == (4, 2, 16) and release("5.0rc1") == (5, 0) and release("x") == ()
