"""What a report is worth: the points of course.toml, earned and possible, in one place.

Every format that shows a score (grade's tables, Gradescope, GitHub Classroom, JUnit) reads it
from here, so partial credit and totals agree everywhere.
"""

from __future__ import annotations

from checker.result import PASSED


def counted(course, step, thorough: bool = False) -> list[str]:
    """The step's checks that count: all of them, less the long ones unless asked for."""
    return [c for c in step.checks if thorough or not course.checks[c].thorough]


def possible(course, step, thorough: bool = False) -> float:
    return sum(course.checks[c].points for c in counted(course, step, thorough))


def earned_by(course, check_id: str, status: str) -> float:
    return course.checks[check_id].points if status in PASSED else 0.0


def earned(course, report, thorough: bool = False) -> float:
    """A missing report (no project, the grader's own trouble) earns nothing."""
    if report is None:
        return 0.0
    ids = set(counted(course, report.step, thorough))
    return sum(earned_by(course, r.id, r.status) for r in report.results if r.id in ids)


def shown(value: float) -> str:
    """2.0 -> "2", 1.5 -> "1.5": points as a person writes them."""
    return f"{value:g}"
