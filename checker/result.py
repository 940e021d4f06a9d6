"""What one check produces, and how a check says it failed or what it found.

Results carry keys and parameters, never sentences: the probe runs in the student's
interpreter, which has no catalogs, and the report renders them in the language asked for
(checker/i18n.py). Only the standard library here: the probe imports this module.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# "warn": it passes, with advice (a route too narrow for some room names): counts as passed.
# "skip": the check could not apply (a mode, a step's earlier failure). "error": the project
# crashed or hung while being checked. "fail": it does not do what the lesson asks.
STATUSES = ("pass", "warn", "fail", "error", "skip")
PASSED = ("pass", "warn")


@dataclass
class CheckResult:
    id: str
    status: str
    key: str = ""  # the message's key; "" for a pass with nothing to say
    params: dict = field(default_factory=dict)
    causes: list[str] = field(default_factory=list)  # hint-* keys found for it
    duration_ms: int = 0
    frames: list[str] = field(default_factory=list)  # the WebSocket traffic, shown with -v
    decided: str = ""  # "outside" (a verdict the submission cannot write) or "inside"; "" when not graded

    def to_json(self) -> dict:
        return asdict(self)


class CheckFailed(Exception):
    """Raised by a check: `key` names the message and hint, `params` fill them, `causes` are
    the hint-* keys a diagnosis found. status "fail", "error" or "skip" as in STATUSES."""

    def __init__(self, key: str, /, status: str = "fail", causes: list[str] | tuple = (), **params):
        super().__init__(key)
        self.key = key
        self.status = status
        self.causes = list(causes)
        self.params = params


class Note:
    """What a passing check says about what it found: a key and its parameters."""

    def __init__(self, key: str, /, **params):
        self.key = key
        self.params = params
