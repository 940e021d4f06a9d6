"""The options of a run, declared once, and the one object the probe is handed.

`Options` is built from the command line (checker/cli.py declares the flags once, as argparse
parents). `ProbeJob` is what crosses into the probe's process, as one JSON file: the project,
the checks to run with their time limits, and the options the checks read. Only the standard
library here: the probe reads this module in the student's interpreter.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Options:
    lang: str = "ru"
    layer: str = "redis"  # "redis": the project's own channel layer; "memory": in-memory
    thorough: bool = False
    verbose: bool = False
    only: list[str] = field(default_factory=list)
    python: str | None = None  # --python: the interpreter that runs the project
    # Only the checks that hold at every later step too (progress: a project may be ahead of
    # a step, and a check like "no socket served yet" is then rightly untrue).
    lasting: bool = False
    sandbox: bool = False  # --sandbox (grade's default): every process of the project in bubblewrap
    verdicts: bool = False  # decide from outside the project's process what can be (grade, --sandbox)

    @classmethod
    def from_args(cls, args) -> Options:
        return cls(**{name: getattr(args, name) for name in cls.__dataclass_fields__ if hasattr(args, name)})


@dataclass
class ProbeJob:
    root: str  # the folder that holds manage.py
    settings: str  # the project's own settings module ("mysite.settings")
    checks: list[dict]  # [{"id", "timeout", "nature"}] in the order to run them
    events: str  # where the probe writes its JSON lines
    layer: str = "redis"
    thorough: bool = False
    verbose: bool = False
    sockets_hang: str = ""  # a check whose connect hung an earlier probe: skip the socket checks
    step: int = 0
    requirements: list[dict] = field(default_factory=list)  # [{"dist", "step", "supported", "install"}]
    python_supported: str = ""

    def write(self, path: Path) -> None:
        Path(path).write_text(json.dumps(asdict(self)), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> ProbeJob:
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))
