"""The course manifest (course.toml): steps, their checks and where the lessons explain them."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from checker import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

LANGS = ("ru", "en")


@dataclass(frozen=True)
class CheckSpec:
    id: str
    step: int
    section: str
    title: dict[str, str]
    previous: str = "fail"
    thorough: bool = False
    timeout: float = 5.0


@dataclass(frozen=True)
class Step:
    number: int
    slug: str
    title: dict[str, str]
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

    def lesson_link(self, lang: str, section: str) -> str:
        return f"lessons/{lang}/{self.lesson}#{section}"


@dataclass(frozen=True)
class Course:
    steps: dict[int, Step]
    checks: dict[str, CheckSpec]

    def step(self, number: int) -> Step:
        return self.steps[number]

    def lesson_link(self, check_id: str, lang: str) -> str:
        spec = self.checks[check_id]
        return self.steps[spec.step].lesson_link(lang, spec.section)

    def new_checks(self, number: int) -> list[str]:
        """The checks step `number` adds to the step before it."""
        before = set(self.steps[number - 1].checks) if number - 1 in self.steps else set()
        return [c for c in self.steps[number].checks if c not in before]


@cache
def load_course(path: Path = ROOT / "course.toml") -> Course:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    checks = {c["id"]: CheckSpec(**c) for c in data["check"]}
    steps = {}
    for s in data["step"]:
        unknown = [c for c in s["checks"] if c not in checks]
        if unknown:
            raise ValueError(f"course.toml: step {s['number']} names unknown checks {unknown}")
        steps[s["number"]] = Step(**{**s, "checks": tuple(s["checks"]), "changes": tuple(s.get("changes", ()))})
    return Course(steps=steps, checks=checks)
