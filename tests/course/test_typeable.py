"""A student can type each step from its lesson alone (issue 16): every line the step adds or
changes is in the lesson's listings, and no listing uses a name the lesson defines later."""

from __future__ import annotations

import pytest
from typeable import definitions, missing_lines, used_before_defined

from checker import ROOT
from checker.course import LANGS, load_course

COURSE = load_course()
# Step 01 is what startproject and startapp write plus a few lines; its lesson shows those
# commands and the lines a student edits (held by the listing test).
TYPED = [n for n in sorted(COURSE.steps) if n > 1]


def lesson(lang: str, number: int) -> str:
    return (ROOT / "lessons" / lang / COURSE.steps[number].lesson).read_text(encoding="utf-8")


def previous_dir(number: int):
    return COURSE.steps[number - 1].path if number - 1 in COURSE.steps else None


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("number", TYPED)
def test_every_changed_line_is_in_a_listing(lang, number):
    step = COURSE.steps[number]
    total, missing = missing_lines(lesson(lang, number), step.path, previous_dir(number), step.changes)
    shown = total - len(missing)
    report = "\n".join(f"  {m.path}: {m.line[:100]}" for m in missing[:40])
    assert not missing, f"lesson {number} ({lang}) shows {shown} of {total} changed lines; not shown:\n{report}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("number", TYPED)
def test_listings_define_names_before_using_them(lang, number):
    step = COURSE.steps[number]
    before = previous_dir(number)
    new_names = {}
    for path in step.changes:
        if not path.endswith((".py", ".html")):
            continue
        now = definitions(path, (step.path / path).read_text(encoding="utf-8"))
        old_file = before / path if before else None
        old = definitions(path, old_file.read_text(encoding="utf-8")) if old_file and old_file.is_file() else set()
        if now - old:
            new_names[path] = now - old
    problems = used_before_defined(lesson(lang, number), step.path, new_names)
    assert not problems, "\n".join(problems)
