"""The checker command every lesson prints works exactly as printed, in a student's own setup:
their project in ~/my-chat with its own .venv (holding what the lessons had them install by then),
run from the workbook's folder. The PowerShell line is run as its POSIX spelling."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from conftest import checker_env, step_needs

from checker import ROOT
from checker.course import load_course
from tools.venvs import venv

COURSE = load_course()
# What lessons 01, 02, 05 and 07 have a student install into their own venv.
INSTALLED = {1: ["django>=5.2,<5.3"], 2: ["channels[daphne]>=4.3,<4.4"], 5: ["channels-redis>=4.3,<4.4", "redis<8"],
             7: ["selenium>=4.20"]}


def installed_by(number: int) -> list[str]:
    return [p for step, packages in sorted(INSTALLED.items()) if step <= number for p in packages]


def printed_commands(number: int, lang: str = "ru") -> list[str]:
    text = (ROOT / "lessons" / lang / COURSE.steps[number].lesson).read_text(encoding="utf-8")
    section = text[text.index('<a id="checker"></a>'):]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    shell = [line for line in block.splitlines() if "PROJECT=~/my-chat" in line and "ARGS" not in line]
    powershell = re.search(r"`(\.venv\\Scripts\\python -m checker check \d --project \$HOME\\my-chat)`", section).group(1)
    return shell + [powershell.replace("\\", "/").replace(".venv/Scripts/python", ".venv/bin/python")]


@pytest.mark.parametrize("number", [pytest.param(n, marks=step_needs(n), id=f"step{n:02d}") for n in (1, 2, 4, 5, 7)])
def test_the_lessons_command_works_as_printed(tmp_path, number):
    home = tmp_path / "home"
    project = home / "my-chat"
    shutil.copytree(COURSE.steps[number].path, project, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    student = venv("student", installed_by(number))
    (project / ".venv").symlink_to(student.parent.parent, target_is_directory=True)
    env = checker_env(HOME=str(home))
    env.pop("VIRTUAL_ENV", None)
    commands = printed_commands(number)
    assert len(commands) == 2, commands
    for command in commands:
        # Only the environment check: what this test holds is which interpreter the printed command
        # judges (the whole steps are checked by test_reference_steps), at a tenth of the time.
        extra = " --lang en --only environment" if "make" not in command else ' ARGS="--lang=en --only environment"'
        done = subprocess.run(["bash", "-c", command + extra], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        assert "project: ~/my-chat\n" in done.stdout, done.stdout
        assert "interpreter: ~/my-chat/.venv/bin/python (the virtualenv beside the project)" in done.stdout, done.stdout


def test_every_lesson_prints_the_command():
    for number in COURSE.steps:
        for lang in ("ru", "en"):
            assert len(printed_commands(number, lang)) == 2, (number, lang)
