"""What one check produces, and how a check says it failed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

STATUSES = ("pass", "fail", "error", "skip")


@dataclass
class CheckResult:
    id: str
    title: str
    status: str
    message: str = ""
    hint: str = ""
    lesson: str = ""
    duration_ms: int = 0
    repro: str = ""
    frames: list[str] = field(default_factory=list)  # the WebSocket traffic, shown with -v

    def to_json(self) -> dict:
        return asdict(self)


class CheckFailed(Exception):
    """Raised by a check: `key` names the message and hint in texts.py, `params` fill them.

    status "fail" means the project does not do what the lesson asks; "error" means the
    project crashed or hung while being checked; "skip" means the check could not apply.
    """

    def __init__(self, key: str, status: str = "fail", **params):
        super().__init__(key)
        self.key = key
        self.status = status
        self.params = params
