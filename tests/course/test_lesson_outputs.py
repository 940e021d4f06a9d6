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
from tools.lesson_outputs import main, markers  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from mistakes_corpus import load_corpus  # noqa: E402

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
        assert marked.step in COURSE.steps, f"{marked.where()}: {marked.args}"
        if marked.mistake:
            assert marked.mistake in corpus, f"{marked.where()}: no tests/mistakes/{marked.mistake}.toml"
            assert (corpus[marked.mistake].from_step or corpus[marked.mistake].step) == marked.step, marked.where()
        assert marked.body.strip(), f"{marked.where()}: an empty quoted output"


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
