"""The checker's outputs quoted in the lessons are real runs (tools/lesson_outputs.py), shown as
a student's (~/my-chat), and no lesson holds a path of this machine."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from checker import ROOT
from checker.course import load_course

sys.path.insert(0, str(ROOT))
from tools.lesson_outputs import main, markers, mistake_of, parse, project_step  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from mistakes_corpus import build, load_corpus  # noqa: E402

COURSE = load_course()
LESSON_FILES = sorted((ROOT / "lessons").rglob("*.md"))
# Where a path of this machine would come from: the workbook's folder, the home folder, temp
# folders, the interpreter's.
MACHINE = [str(ROOT), str(Path.home()), "/tmp/", sys.prefix, os.path.realpath(sys.executable)]


def test_every_marker_names_a_step_and_a_mistake_of_that_step():
    found = markers()
    assert found, "no quoted output is marked"
    corpus = {m.name: m for m in load_corpus()}
    for marked in found:
        if marked.is_record:
            assert len(marked.args) == 2 and (ROOT / marked.args[1]).is_file(), f"{marked.where()}: {marked.args}"
            continue
        assert marked.step in COURSE.steps, f"{marked.where()}: {marked.args}"
        if marked.mistake:
            assert marked.mistake in corpus, f"{marked.where()}: no tests/mistakes/{marked.mistake}.toml"
            assert corpus[marked.mistake].step == marked.step, marked.where()
        if marked.project:
            assert project_step(marked.project), f"{marked.where()}: {marked.project} is no step's reference project"
        assert marked.body.strip(), f"{marked.where()}: an empty quoted output"


def test_every_edit_of_a_marker_applies(tmp_path):
    """A marker's `edit:` replaces text that occurs exactly once in its project's file, and its
    `delete:` names a file that is there: the project is built as a run builds it (the mistakes
    corpus's build, which refuses both), without running anything."""
    for n, marked in enumerate(m for m in markers() if m.edits):
        try:
            build(mistake_of(marked), tmp_path / str(n))
        except (AssertionError, FileNotFoundError) as exc:
            pytest.fail(f"{marked.where()}: {exc}")


def test_marker_fields():
    lesson = ROOT / "lessons" / "ru" / "03-room.md"
    marked = parse(lesson, 'check 3 --only ws-not-served-yet; project: steps/04-echo/; '
                           'edit: chat/a.py "x = 1" "x = 2\\\\ny = 3"; env: REDIS_URL=redis://127.0.0.1:1/0; '
                           'venv: "django>=5.2,<5.3" channels; delete: chat/tests.py', "x\n", 0, 1)
    assert (marked.args, marked.project, marked.env) == (
        ["check", "3", "--only", "ws-not-served-yet"], "steps/04-echo", {"REDIS_URL": "redis://127.0.0.1:1/0"})
    assert marked.edits == [{"file": "chat/a.py", "old": "x = 1", "new": "x = 2\ny = 3"},
                            {"file": "chat/tests.py", "delete": True}]
    assert marked.venv == ["django>=5.2,<5.3", "channels"]
    assert project_step("steps/04-echo") == 4 and project_step("steps/99-none") is None
    for wrong in ("check 3; projct: steps/04-echo", "check 3; edit: a.py only-two",
                  "check 3; env: NOVALUE", "check 3; mistake: no-accept; project: steps/04-echo"):
        with pytest.raises(ValueError):
            parse(lesson, wrong, "x\n", 0, 1)


@pytest.mark.parametrize("lesson", LESSON_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_path_of_this_machine_in_a_lesson(lesson):
    text = lesson.read_text(encoding="utf-8")
    found = [p for p in MACHINE if p and p != "/" and p in text]
    found += re.findall(r"/(?:root|home/\w+|Users/\w+)/[\w.-]+", text)
    assert not found, f"{lesson.relative_to(ROOT)} holds {found}"


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.browser
def test_every_quoted_output_is_what_a_run_prints_now():
    """`make outputs` writes them; this runs each again and compares (timings, ports, random
    room tags masked)."""
    assert main(["--check", "--jobs", "2"]) == 0


def test_outputs_held_to_a_committed_record():
    """A benchmark run too long for a test (`record` markers): the lesson quotes what the
    benchmark prints from the committed record, and a figure changed in the lesson is caught."""
    from tools.lesson_outputs import Marked, holds, run

    found = [m for m in markers() if m.is_record]
    assert found, "no lesson quotes a recorded run"
    for marked in found:
        printed = run(marked)
        assert holds(marked, printed), marked.where()
        changed = marked.body.replace("1.00x", "1.01x", 1)
        assert changed != marked.body and not holds(Marked(**{**marked.__dict__, "body": changed}), printed)


# Quoted outputs no run holds, each with why (none now: the last, the reliability appendix's outage timeline,
# is a run with `drop:` for its clock's ticks).
UNHELD: set[tuple[str, str]] = set()


@pytest.mark.parametrize("lesson", LESSON_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_quoted_output_is_marked(lesson):
    """A ```text block is an output a student will compare theirs with: a marker says which run
    prints it (checker, own command, tree, record), or UNHELD says why none can."""
    lines = lesson.read_text(encoding="utf-8").split("\n")
    bare = [f"{lesson.name}:{n + 1}: {lines[n + 1]!r}" for n, line in enumerate(lines)
            if line == "```text" and not (n and lines[n - 1].startswith("<!-- output: "))
            and (lesson.name, lines[n + 1]) not in UNHELD]
    assert not bare, "quoted outputs no marker holds:\n" + "\n".join(bare)
