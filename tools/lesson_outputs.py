"""`make outputs`: the checker's outputs quoted in the lessons, produced by real runs.

    python -m tools.lesson_outputs              regenerate every marked block in lessons/
    python -m tools.lesson_outputs --check      exit 1 when a block is not what a run prints now
    python -m tools.lesson_outputs --list       the markers, without running anything

A quoted output is marked in the lesson by a comment on the line before its fence:

    <!-- output: check 8 --only bad-frames; mistake: no-validation -->
    ```text
    ...
    ```

`check 8 --only bad-frames` are the checker's arguments; `mistake: NAME` names the broken project
tests/mistakes/NAME.toml makes from its step (without it: the reference step itself). The run is
the student's: the project at ~/my-chat with a venv of its own beside it, the workbook at
~/channels-workbook, under a scratch HOME, so that no path of this machine reaches a lesson.
Timings, random room tags and the checker's temp folders differ from run to run: --check
compares with those masked.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import venv as venv_module
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from checker import ROOT

LESSONS = ROOT / "lessons"
MARKER = re.compile(
    r"^<!-- output: (?P<args>[^;>]+?)(?:; mistake: (?P<mistake>[\w-]+))? -->\n```text\n(?P<body>.*?)^```",
    re.M | re.S,
)
# What differs between two runs of the same project, masked when comparing.
VARYING = [
    (re.compile(r"\b\d+\.\d\d s$", re.M), "#.## s"),
    (re.compile(r"\b(room|test-)[0-9a-f]{8,}\b"), r"\1<tag>"),
    (re.compile(r"/tmp/checker-[\w-]+"), "/tmp/checker-<tmp>"),
    (re.compile(r"\bload average [\d., ]+"), "load average <load>"),
    (re.compile(r":[1-6]\d{4}\b"), ":<port>"),  # the ports the OS gave the servers
    # How much of a burst a too-small layer dropped depends on timing; that it dropped does not.
    (re.compile(r"(получил только|got only) \d+"), r"\1 <n>"),
]


@dataclass
class Marked:
    lesson: Path
    args: list[str]
    mistake: str | None
    body: str
    start: int  # where the body starts in the lesson's text
    end: int

    @property
    def lang(self) -> str:
        return self.lesson.parent.name

    @property
    def step(self) -> int:
        return int(self.args[1]) if self.args[:1] == ["check"] and self.args[1:2] and self.args[1].isdigit() else 0

    def where(self) -> str:
        line = self.lesson.read_text(encoding="utf-8").count("\n", 0, self.start)
        return f"{self.lesson.relative_to(ROOT)}:{line}"


def markers(paths=None) -> list[Marked]:
    found = []
    for lesson in paths or sorted(LESSONS.glob("*/*.md")):
        text = lesson.read_text(encoding="utf-8")
        for m in MARKER.finditer(text):
            found.append(Marked(lesson, shlex.split(m["args"]), m["mistake"], m["body"], m.start("body"), m.end("body")))
    return found


def masked(text: str) -> str:
    for pattern, replacement in VARYING:
        text = pattern.sub(replacement, text)
    return text.rstrip("\n")


class StudentHome:
    """A scratch HOME with ~/channels-workbook (a link to this workbook) and ~/my-chat."""

    def __init__(self):
        self.home = Path(tempfile.mkdtemp(prefix="lesson-home-"))
        (self.home / "channels-workbook").symlink_to(ROOT)

    def close(self):
        shutil.rmtree(self.home, ignore_errors=True)


def build_project(home: StudentHome, marked: Marked) -> Path:
    """~/my-chat: the step (and the mistake's edits), with a venv of its own that sees
    the workbook's packages (a student's venv with the same versions)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from mistakes_corpus import Mistake, build, load_corpus

    mistake = (next(m for m in load_corpus() if m.name == marked.mistake) if marked.mistake
               else Mistake(name="reference", title="", step=marked.step, check=""))
    built = build(mistake, home.home / "build")
    project = home.home / "my-chat"
    built.rename(project)
    env_dir = project / ".venv"
    venv_module.create(env_dir, with_pip=False)
    site = next(env_dir.glob("lib/python*/site-packages"))
    workbook_site = next((ROOT / ".venv").glob("lib/python*/site-packages"))
    (site / "workbook.pth").write_text(f"{workbook_site}\n", encoding="utf-8")
    return project


def run(marked: Marked) -> str:
    home = StudentHome()  # one each: every run's project is ~/my-chat
    try:
        return run_in(marked, home)
    finally:
        home.close()


def run_in(marked: Marked, home: StudentHome) -> str:
    project = build_project(home, marked)
    workbook = home.home / "channels-workbook"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "FORCE_COLOR")}
    env.update(HOME=str(home.home), NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [str(workbook / ".venv" / "bin" / "python"), "-m", "checker", *marked.args,
         "--project", str(project), "--lang", marked.lang],
        cwd=workbook, env=env, capture_output=True, text=True, timeout=300,
    )
    text = done.stdout + done.stderr
    # As the student sees it: their project at ~/my-chat.
    text = text.replace(str(project), "~/my-chat").replace(str(home.home), "~")
    return text.rstrip("\n") + "\n"


def regenerate(found: list[Marked], jobs: int) -> dict[int, str]:
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return dict(enumerate(pool.map(run, found)))


def write(found: list[Marked], outputs: dict[int, str]) -> int:
    changed = 0
    for lesson in {m.lesson for m in found}:
        text = lesson.read_text(encoding="utf-8")
        # From the end, so that earlier offsets stay right.
        for i, marked in sorted(((i, m) for i, m in enumerate(found) if m.lesson == lesson), key=lambda x: -x[1].start):
            if masked(outputs[i]) != masked(marked.body):
                changed += 1
            text = text[: marked.start] + outputs[i] + text[marked.end:]
        lesson.write_text(text, encoding="utf-8")
    return changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.lesson_outputs", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    parser.add_argument("--list", action="store_true", help="print the markers")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("lessons", nargs="*", type=Path, help="only these lesson files")
    args = parser.parse_args(argv)
    found = markers([p.resolve() for p in args.lessons] or None)
    if args.list:
        for m in found:
            print(f"{m.where()}: {shlex.join(m.args)}" + (f"; mistake: {m.mistake}" if m.mistake else ""))
        return 0
    outputs = regenerate(found, args.jobs)
    if args.check:
        stale = [m for i, m in enumerate(found) if masked(outputs[i]) != masked(m.body)]
        for m in stale:
            i = found.index(m)
            import difflib

            diff = difflib.unified_diff(masked(m.body).splitlines(), masked(outputs[i]).splitlines(),
                                        "lesson", "run now", lineterm="", n=1)
            print(f"{m.where()}: the quoted output is not what a run prints now\n" + "\n".join(diff))
        print(f"{len(found) - len(stale)} of {len(found)} quoted outputs are what a run prints now")
        return 1 if stale else 0
    changed = write(found, outputs)
    print(f"{len(found)} quoted outputs regenerated, {changed} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
