"""The manifest: a check declared once, the steps' lists derived from it."""

from __future__ import annotations

import pytest

from checker.course import load_course, parse

CHECKS = """
[[check]]
id = "a"
step = 1
section = "s"
nature = "static"
gate = true

[[check]]
id = "own"
step = 2
section = "s"
nature = "suite"
place = "end"

[[check]]
id = "early"
step = 1
until = 2
section = "s"
nature = "asgi"

[[check]]
id = "late"
step = 3
section = "s"
nature = "asgi"
"""
STEPS = """
[[step]]
number = 1
slug = "one"
lesson = "01.md"
needs_redis = false

[[step]]
number = 2
slug = "two"
lesson = "02.md"
needs_redis = false

[[step]]
number = 3
slug = "three"
lesson = "03.md"
needs_redis = true
"""


def test_step_lists_are_derived_in_manifest_order_with_end_checks_last():
    course = parse(CHECKS + STEPS)
    assert course.steps[1].checks == ("a", "early")
    assert course.steps[2].checks == ("a", "early", "own")
    assert course.steps[3].checks == ("a", "late", "own")  # "early" stops at its `until`
    assert course.new_checks(3) == ["late"]
    assert course.checks["a"].gate and not course.checks["late"].outside


def test_a_check_declared_twice_or_of_an_unknown_nature_is_refused():
    with pytest.raises(ValueError, match="declared twice"):
        parse(CHECKS + CHECKS + STEPS)
    with pytest.raises(ValueError, match="unknown nature"):
        parse(CHECKS.replace('nature = "suite"', 'nature = "magic"') + STEPS)


def test_the_real_course_keeps_every_step_starting_with_its_gate():
    course = load_course()
    for step in course.steps.values():
        assert course.checks[step.checks[0]].gate, step.number
    assert [c for c in course.checks.values() if c.outside] == [course.checks["two-servers"]]
