"""The mistakes corpus: broken projects made by small edits of the reference steps.

Each tests/mistakes/NAME.toml says which step to break (or `from_step`: a whole other
reference step to check as `step`), the edits, the check that must fail, and what the
diagnosis must be: its `key`, the `causes` found (hint-* keys, in order) and `params`
(each given parameter must have that value; "~text" means it must contain the text). Edits:
    old/new       replace text that must occur exactly once
    text          write the whole file
    delete        remove the file
    copy_from     copy another file of the same project here ("steps/..." : of the workbook)
Optional: `status` (fail|error), `args` (extra checker arguments), `env` (environment),
`unset` (environment variables to remove), `pip` (packages installed with pip --target into
.cache/ and put on PYTHONPATH), `venv`
(the project runs on a virtualenv of its own holding just these packages: tests/venvs.py).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from checker import ROOT
from checker.course import load_course, tomllib

CORPUS = ROOT / "tests" / "mistakes"
PIP_CACHE = ROOT / ".cache" / "pip-target"


@dataclass
class Mistake:
    name: str
    title: str
    step: int
    check: str
    key: str = ""
    causes: list[str] = field(default_factory=list)
    params: dict = field(default_factory=dict)
    edits: list[dict] = field(default_factory=list)
    from_step: int | None = None
    status: str | None = None
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    unset: list[str] = field(default_factory=list)
    pip: list[str] = field(default_factory=list)
    venv: list[str] = field(default_factory=list)

    def checker_args(self) -> list[str]:
        if not self.venv:
            return list(self.args)
        from tools.venvs import venv

        return [*self.args, "--python", str(venv("student", self.venv))]


def load_corpus() -> list[Mistake]:
    mistakes = []
    for path in sorted(CORPUS.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        data["edits"] = data.pop("edit", [])
        mistakes.append(Mistake(name=path.stem, **data))
    return mistakes


def build(mistake: Mistake, into: Path) -> Path:
    course = load_course()
    source = course.steps[mistake.from_step or mistake.step].path
    project = into / mistake.name
    shutil.copytree(source, project, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    for edit in mistake.edits:
        target = project / edit["file"]
        if edit.get("delete"):
            target.unlink()
        elif "copy_from" in edit:
            target.parent.mkdir(parents=True, exist_ok=True)
            source_file = ROOT / edit["copy_from"] if edit["copy_from"].startswith("steps/") else project / edit["copy_from"]
            shutil.copyfile(source_file, target)
        elif "text" in edit:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(edit["text"], encoding="utf-8")
        else:
            text = target.read_text(encoding="utf-8")
            count = text.count(edit["old"])
            if count != 1:
                raise AssertionError(
                    f"{mistake.name}: {edit['file']} holds the text to replace {count} times; "
                    "the reference step changed, update the mistake"
                )
            target.write_text(text.replace(edit["old"], edit["new"]), encoding="utf-8")
    # A broken step may still be a step in its own right: remove what the edits orphaned.
    for name in ("db.sqlite3", "test_db.sqlite3"):
        (project / name).unlink(missing_ok=True)
    return project


def pip_target(packages: list[str]) -> Path:
    """Packages installed apart (say, redis-py 8), reused between runs."""
    folder = PIP_CACHE / hashlib.sha1(" ".join(packages).encode()).hexdigest()[:12]
    if not (folder / ".done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--no-deps", "--target", str(folder), *packages],
            check=True,
        )
        (folder / ".done").touch()
    return folder


def environment(mistake: Mistake, base: dict, **values) -> dict:
    """The checker's environment for this mistake; `values` fill {placeholders} in its env."""
    env = dict(base)
    env.update({k: v.format(**values) for k, v in mistake.env.items()})
    for name in mistake.unset:
        env.pop(name, None)
    if mistake.pip:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pip_target(mistake.pip)), env.get("PYTHONPATH")]))
    return env
