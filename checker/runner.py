"""Running the checks of one step on one project, in a separate probe process.

Django configures itself once per process, and a student's project may not import, may
hang or may crash: the probe takes all of that, the runner only reads what it reported.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from checker import ROOT
from checker.course import Course, Step
from checker.processes import kill_group
from checker.project import Project
from checker.result import CheckResult
from checker.texts import text

OVERLAY = '''"""Settings the checker runs a project with: the project's own, with a private database."""
import copy as _copy
import os as _os
import shutil as _shutil

from {settings} import *  # noqa: F401,F403

# Work on a copy of each SQLite database: the student's own file is never touched.
# (A deep copy, so the project's settings module keeps its own values for the checks.)
DATABASES = _copy.deepcopy(DATABASES)
for _alias, _db in DATABASES.items():
    _name = str(_db.get("NAME") or "")
    if "sqlite3" in str(_db.get("ENGINE", "")) and _name and ":memory:" not in _name:
        _copy = _os.path.join(_os.environ["CHECKER_TMP"], _alias + ".sqlite3")
        if not _os.path.exists(_copy) and _os.path.exists(_name):
            _shutil.copyfile(_name, _copy)
        _db["NAME"] = _copy

if _os.environ.get("CHECKER_LAYER") == "memory":
    CHANNEL_LAYERS = {{"default": {{"BACKEND": "channels.layers.InMemoryChannelLayer"}}}}
'''
OVERLAY_MODULE = "checker_overlay_settings"
# On top of the checks' own time limits: Python, Django, Channels. A slow machine (or a
# test that wants a hang to end sooner) sets CHECKER_STARTUP_SECONDS.
STARTUP_SECONDS = float(os.environ.get("CHECKER_STARTUP_SECONDS", 20))


@dataclass
class Options:
    lang: str = "ru"
    layer: str = "redis"
    thorough: bool = False
    verbose: bool = False
    only: list[str] = field(default_factory=list)


@dataclass
class StepReport:
    step: Step
    project: Path
    results: list[CheckResult]
    output: str = ""  # what the project printed, for a failure to load

    @property
    def passed(self) -> bool:
        return all(r.status in ("pass", "skip") for r in self.results) and any(
            r.status == "pass" for r in self.results
        )

    def to_json(self) -> dict:
        return {
            "step": self.step.number,
            "project": str(self.project),
            "passed": self.passed,
            "checks": [r.to_json() for r in self.results],
        }


def selected_checks(course: Course, step: Step, options: Options) -> list[str]:
    ids = list(step.checks)
    if options.only:
        ids = [c for c in ids if c in options.only or c == "project-loads"]
    return ids


def repro_command(step: Step, project: Project | None, options: Options) -> str:
    command = f"python -m checker check {step.number}"
    if project is not None:
        command += f" --project {shlex.quote(str(project.root))}"
    if options.layer == "memory":
        command += " --layer memory"
    return command


def run_step(
    course: Course, step: Step, project: Project, options: Options, reference: bool = False
) -> StepReport:
    check_ids = selected_checks(course, step, options)
    limit = STARTUP_SECONDS + sum(course.checks[c].timeout for c in check_ids)
    with tempfile.TemporaryDirectory(prefix="checker-") as tmp:
        Path(tmp, f"{OVERLAY_MODULE}.py").write_text(OVERLAY.format(settings=project.settings))
        events_path = Path(tmp, "events.jsonl")
        output_path = Path(tmp, "output.txt")
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE=OVERLAY_MODULE,
            # The student's own PYTHONPATH stays, after the project and before the checker.
            PYTHONPATH=os.pathsep.join(
                [tmp, str(project.root)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []) + [str(ROOT)]
            ),
            PYTHONDONTWRITEBYTECODE="1",  # no __pycache__ in the student's folders
            CHECKER_TMP=tmp,
            CHECKER_LAYER=options.layer,
        )
        command = [
            sys.executable, "-m", "checker.probe",
            "--root", str(project.root),
            "--student-settings", project.settings,
            "--checks", ",".join(check_ids),
            "--lang", options.lang,
            "--layer", options.layer,
            "--out", str(events_path),
            "--repro", repro_command(step, None if reference else project, options),
        ]
        command += ["--thorough"] if options.thorough else []
        command += ["--verbose"] if options.verbose else []
        with open(output_path, "w") as output:
            process = subprocess.Popen(
                command, cwd=project.root, env=env, stdout=output, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
            try:
                process.wait(timeout=limit)
                timed_out = False
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                # The probe's group holds any Daphne or test process it started.
                kill_group(process.pid)
                process.wait()
        events = read_events(events_path)
        output = output_path.read_text(errors="replace")
    results = collect(course, step, check_ids, events, options, timed_out, limit, output)
    return StepReport(step=step, project=project.root, results=results, output=output)


def read_events(path: Path) -> list[dict]:
    events = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                pass  # a line cut short by a kill
    return events


def collect(course, step, check_ids, events, options, timed_out, limit, output) -> list[CheckResult]:
    """Results for every selected check, whatever happened to the probe."""
    lang = options.lang
    done = {e["id"]: e for e in events if e.get("event") == "result"}
    started = [e["id"] for e in events if e.get("event") == "start"]
    hung = started[-1] if started and started[-1] not in done else None
    results = []
    for check_id in check_ids:
        spec = course.checks[check_id]
        if check_id in done:
            fields = {k: v for k, v in done[check_id].items() if k != "event"}
            results.append(CheckResult(**fields))
            continue
        if check_id == hung or (hung is None and not results and not done):
            key = "probe-timeout" if timed_out else "probe-crashed"
            status = "error"
        else:
            key, status = ("skip-after-hang" if timed_out else "skip-after-crash"), "skip"
        tail = "\n".join(output.strip().splitlines()[-8:])
        results.append(CheckResult(
            id=check_id, title=spec.title[lang], status=status,
            message=text(key, lang, seconds=int(limit), tail=tail or "—"),
            hint=text(f"{key}.hint", lang, default="") if status == "error" else "",
            lesson=course.lesson_link(check_id, lang),
        ))
    return results
