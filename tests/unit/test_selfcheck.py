"""The course's self-check finds nothing today, and finds what it is for when it is there."""

from __future__ import annotations

from checker import ROOT
from checker.course import load_course, parse
from checker.selfcheck import problems


def test_the_course_is_consistent():
    assert problems(load_course()) == []


def test_a_check_without_code_texts_lesson_section_or_mistake_is_reported():
    manifest = (ROOT / "course.toml").read_text(encoding="utf-8")
    ghost = '\n[[check]]\nid = "ghost-check"\nstep = 4\nsection = "no-such-section"\nnature = "asgi"\n'
    at = manifest.index("\n[[step]]\n")
    found = "\n".join(problems(parse(manifest[:at] + ghost + manifest[at:])))
    assert "no @check('ghost-check')" in found
    assert "no ru text for 'check.ghost-check'" in found and "no en text for 'check.ghost-check'" in found
    assert "04-echo.md#no-such-section, which does not exist" in found
    assert "'ghost-check': no project in tests/mistakes/ fails it" in found
