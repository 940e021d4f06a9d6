"""The course manifest (course.toml): its checks, declared once, and the steps they apply to."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from checker import ROOT
from checker.i18n import LANGS, render

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

__all__ = ["LANGS", "Course", "CheckSpec", "Step", "load_course", "tomllib"]

# What a check needs; see course.toml.
NATURES = ("interpreter", "static", "http", "asgi", "servers", "suite")
# Run by the workbook's own process against live servers, not inside the probe.
OUTSIDE = ("servers",)


VISIBILITIES = ("visible", "hidden", "after_due_date")


@dataclass(frozen=True)
class CheckSpec:
    id: str
    step: int
    section: str
    nature: str
    until: int | None = None
    place: str = ""
    timeout: float = 5.0
    previous: str = "fail"
    thorough: bool = False
    gate: bool = False
    no_mistake: str = ""
    verify: str = ""  # "same" | "own": decided from outside too (grade, --sandbox)
    agrees: tuple[str, ...] = ()  # an inside-only check counts when these verdicts pass
    points: float = 1.0  # what passing it is worth in a grade
    visibility: str = "visible"  # Gradescope's: visible | hidden | after_due_date

    def applies_to(self, number: int) -> bool:
        return self.step <= number <= (self.until or number)

    @property
    def outside(self) -> bool:
        return self.nature in OUTSIDE

    def title(self, lang: str) -> str:
        return render(f"check.{self.id}", lang)


@dataclass(frozen=True)
class Step:
    number: int
    slug: str
    lesson: str
    needs_redis: bool
    checks: tuple[str, ...] = field(default_factory=tuple)
    changes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return f"{self.number:02d}-{self.slug}"

    @property
    def path(self) -> Path:
        return ROOT / "steps" / self.name

    def title(self, lang: str) -> str:
        return render(f"step.{self.number}", lang)

    def lesson_link(self, lang: str, section: str) -> str:
        return f"lessons/{lang}/{self.lesson}#{section}"


@dataclass(frozen=True)
class Requirement:
    dist: str  # as pip and importlib.metadata name it
    step: int  # needed from this step on
    supported: str  # the versions the course supports, e.g. ">=4.2,<6.1"
    install: str  # what `pip install` takes for it


@dataclass(frozen=True)
class Course:
    steps: dict[int, Step]
    checks: dict[str, CheckSpec]
    requirements: tuple[Requirement, ...] = ()
    python: str = ""  # the Python versions supported
    causes: dict[str, tuple[tuple[int, str], ...]] = field(default_factory=dict)  # [causes]: where each is taught

    def points(self, number: int, thorough: bool = False) -> float:
        """What step `number` is worth: the points of the checks that count in it."""
        return sum(self.checks[c].points for c in self.steps[number].checks
                   if thorough or not self.checks[c].thorough)

    def requirements_of(self, number: int) -> list[Requirement]:
        return [r for r in self.requirements if r.step <= number]

    def lesson_link(self, check_id: str, lang: str, causes=(), step: int | None = None) -> str:
        """The lesson section to read: where the first of `causes` that [causes] names is taught
        (by the step checked), else the check's own section."""
        for cause in causes:
            taught = [(n, section) for n, section in self.causes.get(cause, ()) if step is None or n <= step]
            if taught:
                n, section = taught[-1]
                return self.steps[n].lesson_link(lang, section)
        spec = self.checks[check_id]
        return self.steps[spec.step].lesson_link(lang, spec.section)

    def new_checks(self, number: int) -> list[str]:
        """The checks step `number` adds to the step before it."""
        before = set(self.steps[number - 1].checks) if number - 1 in self.steps else set()
        return [c for c in self.steps[number].checks if c not in before]


def step_checks(checks: list[CheckSpec], number: int) -> tuple[str, ...]:
    """The checks of a step in report order: the manifest's, those placed at the end last."""
    applying = [c for c in checks if c.applies_to(number)]
    return tuple(c.id for c in applying if c.place != "end") + tuple(
        c.id for c in applying if c.place == "end"
    )


def parse(text: str) -> Course:
    data = tomllib.loads(text)
    checks = [CheckSpec(**{**c, "agrees": tuple(c.get("agrees", ()))}) for c in data["check"]]
    ids = [c.id for c in checks]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ValueError(f"course.toml: checks declared twice: {twice}")
    odd = [c.id for c in checks if c.nature not in NATURES or c.place not in ("", "end")
           or c.verify not in ("", "same", "own") or (c.verify and c.agrees)
           or c.visibility not in VISIBILITIES or c.points < 0]
    if odd:
        raise ValueError(f"course.toml: checks with an unknown nature, place, verify, visibility or points: {odd}")
    steps = {}
    for s in data["step"]:
        steps[s["number"]] = Step(
            **{**s, "changes": tuple(s.get("changes", ()))},
            checks=step_checks(checks, s["number"]),
        )
    causes = {}
    for cause, places in data.get("causes", {}).items():
        parsed = []
        for place in [places] if isinstance(places, str) else places:
            number, sep, section = place.partition("#")
            if not (sep and number.isdigit() and int(number) in steps and section):
                raise ValueError(f"course.toml: [causes] {cause} = {place!r}: expected \"N#section\" of a step")
            parsed.append((int(number), section))
        causes[cause] = tuple(sorted(parsed))
    return Course(
        steps=steps, checks={c.id: c for c in checks},
        requirements=tuple(Requirement(**r) for r in data.get("requirement", ())),
        python=data.get("python", {}).get("supported", ""), causes=causes,
    )


@cache
def load_course(path: Path = ROOT / "course.toml") -> Course:
    return parse(path.read_text(encoding="utf-8"))
