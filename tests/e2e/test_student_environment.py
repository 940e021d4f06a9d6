"""A student's project runs on the student's own interpreter: what it lacks fails `environment`
with the install command for it, and the report names the interpreter it used."""

from __future__ import annotations

import json
import shutil

from conftest import checker_env, run_checker

from checker.course import load_course
from tools.venvs import venv

COURSE = load_course()
DJANGO = ["django>=5.2,<5.3"]


def student_project(tmp_path, packages):
    project = tmp_path / "my-chat"
    shutil.copytree(COURSE.steps[2].path, project, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    (project / ".venv").symlink_to(venv("student", packages).parent.parent, target_is_directory=True)
    return project


def check(project):
    env = checker_env()
    env.pop("VIRTUAL_ENV", None)
    done = run_checker("check", "2", "--project", str(project), "--format", "json", "--lang", "en", env=env)
    return done.returncode, json.loads(done.stdout)


def test_a_venv_with_only_django_fails_environment_naming_channels_daphne(tmp_path):
    project = student_project(tmp_path, DJANGO)
    code, report = check(project)
    assert code == 1
    first = report["checks"][0]
    assert (first["id"], first["key"]) == ("environment", "env-missing"), first
    assert first["params"]["missing"] == "channels, daphne"
    assert first["params"]["command"].endswith('-m pip install "channels[daphne]"')
    assert report["environment"]["source"] == "project"
    assert report["environment"]["python"].startswith(str(project / ".venv"))
    assert all(c["status"] == "skip" for c in report["checks"][1:])
    assert "--python ~/" in first["repro"] or f"--python {project}" in first["repro"]


def test_after_the_install_it_passes_on_that_interpreter(tmp_path):
    project = student_project(tmp_path, [*DJANGO, "channels[daphne]>=4.3,<4.4"])
    code, report = check(project)
    assert code == 0, [c for c in report["checks"] if c["status"] != "pass"]
    assert report["environment"]["source"] == "project"
    assert report["environment"]["versions"]["channels"].startswith("4.3")
