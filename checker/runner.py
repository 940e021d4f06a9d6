"""Running the checks of one step on one project.

Django configures itself once per process, and a student's project may not import, may hang
or may crash: the checks run in a probe process of the project's own (checker/probe.py), and
the runner only reads what it reported. Each check has its own time limit; a probe that is
still inside a check its limit (plus a grace) later is stopped, that check is reported as
hung, and a fresh probe runs the checks that remain: a hang costs its check, not the run.
Checks of nature "servers" run here, against the project's Daphne processes.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from checker import ROOT, overlay
from checker.course import CheckSpec, Course, Step
from checker.i18n import N_
from checker.options import Options, ProbeJob
from checker.processes import kill_group
from checker.project import Project
from checker.result import CheckResult

# Starting the probe: Python, Django, Channels, the project, its migrations. A slow machine
# (or a test that wants a hang to end sooner) sets CHECKER_STARTUP_SECONDS.
STARTUP_SECONDS = float(os.environ.get("CHECKER_STARTUP_SECONDS", 20))
# After a check's own limit: the probe's own time-out answers first, this only stops a
# process the project blocked altogether (time.sleep in async code).
GRACE_SECONDS = float(os.environ.get("CHECKER_GRACE_SECONDS", 3))
TAIL_LINES = 8


@dataclass
class StepReport:
    step: Step
    project: Path
    results: list[CheckResult]
    repro: str = ""  # the command that checks this project again
    output: str = ""  # what the project printed

    @property
    def passed(self) -> bool:
        return all(r.status in ("pass", "skip") for r in self.results) and any(
            r.status == "pass" for r in self.results
        )


def selected_checks(course: Course, step: Step, options: Options) -> list[str]:
    ids = list(step.checks)
    if options.only:
        ids = [c for c in ids if c in options.only or course.checks[c].gate]
    return ids


def repro_command(step: Step, project: Project | None, options: Options) -> str:
    command = f"python -m checker check {step.number}"
    if project is not None:
        command += f" --project {shlex.quote(str(project.root))}"
    if options.layer == "memory":
        command += " --layer memory"
    return command


def probe_environment(project: Project, tmp: Path, options: Options) -> dict:
    module = overlay.write(
        tmp, project.settings, private_databases=True,
        layer=overlay.MEMORY_LAYER if options.layer == "memory" else None,
    )
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=module,
        # The student's own PYTHONPATH stays, after the project and before the checker.
        PYTHONPATH=os.pathsep.join(
            [str(tmp), str(project.root)]
            + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])
            + [str(ROOT)]
        ),
        PYTHONDONTWRITEBYTECODE="1",  # no __pycache__ in the student's folders
        CHECKER_TMP=str(tmp),
    )
    return env


# --- one probe process -------------------------------------------------------------------
@dataclass
class ProbeRun:
    """What one probe process reported before it ended."""

    results: dict[str, CheckResult] = field(default_factory=dict)
    ready: dict | None = None  # the "ready" event: the project imported
    current: str | None = None  # the check that had started and not finished
    connecting: bool = False  # ... inside a socket connect
    stuck: bool = False  # the probe said the project took its process with it
    killed: bool = False  # we stopped it (past a deadline)
    tail: str = ""


class Events:
    """The probe's JSON lines, read as they are written; a line that is not JSON is ignored."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = 0
        self.pending = b""

    def new(self) -> list[dict]:
        try:
            with open(self.path, "rb") as events:
                events.seek(self.offset)
                data = events.read()
        except FileNotFoundError:
            return []
        self.offset += len(data)
        *lines, self.pending = (self.pending + data).split(b"\n")
        found = []
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a line cut short by a kill
            if isinstance(event, dict):
                found.append(event)
        return found


def result_from(event: dict) -> CheckResult | None:
    fields = {k: v for k, v in event.items() if k in CheckResult.__dataclass_fields__}
    try:
        return CheckResult(**fields)
    except TypeError:
        return None


def run_probe(job: ProbeJob, python: str, root: Path, env: dict, output: Path, timeouts: dict,
              on_ready=None) -> ProbeRun:
    """Start a probe for `job` and follow it to its end, stopping it past a deadline."""
    job_path = Path(job.events).with_suffix(".job.json")
    job.write(job_path)
    run = ProbeRun()
    events = Events(Path(job.events))
    with open(output, "ab") as out:
        process = subprocess.Popen(
            [python, "-m", "checker.probe", str(job_path)], cwd=root, env=env, stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        try:
            while True:
                try:
                    process.wait(timeout=0.05)
                    ended = True
                except subprocess.TimeoutExpired:
                    ended = False
                for event in events.new():
                    kind = event.get("event")
                    if kind == "ready":
                        run.ready = event
                        deadline = time.monotonic() + GRACE_SECONDS
                        if on_ready:
                            on_ready(event)
                    elif kind == "start":
                        run.current = event.get("id")
                        deadline = time.monotonic() + timeouts.get(run.current, 5) + GRACE_SECONDS
                    elif kind == "result":
                        result = result_from(event)
                        if result is not None:
                            run.results[result.id] = result
                        run.current, run.connecting = None, False
                        deadline = time.monotonic() + GRACE_SECONDS
                    elif kind == "connecting":
                        run.connecting = True
                    elif kind == "connect-ended":
                        run.connecting = False
                    elif kind == "stuck":
                        run.stuck = True
                if ended:
                    break
                if time.monotonic() > deadline:
                    run.killed = True
                    break
        finally:
            # The probe's group holds any test suite or browser it started.
            kill_group(process.pid)
            process.wait()
    text = output.read_text(encoding="utf-8", errors="replace") if output.exists() else ""
    run.tail = "\n".join(text.strip().splitlines()[-TAIL_LINES:]) or "—"
    return run


@dataclass
class Settlement:
    results: dict[str, CheckResult]  # decided by this round, the probe's own and ours
    again: bool  # start a fresh probe for what remains
    sockets_hang: str = ""  # a connect hung: the next probe skips the socket checks


def settle(remaining: list[CheckSpec], run: ProbeRun) -> Settlement:
    """What a probe's round decided, including for the checks it left without a result."""
    results = dict(run.results)
    left = [s for s in remaining if s.id not in results]
    if not left:
        return Settlement(results, again=False)
    if run.ready is None:  # the project never finished loading
        key = N_("probe-timeout") if run.killed else N_("probe-crashed")
        first, *rest = left
        results[first.id] = CheckResult(first.id, "error", key, {"seconds": int(STARTUP_SECONDS), "tail": run.tail})
        for spec in rest:
            results[spec.id] = CheckResult(spec.id, "skip", "skip-after-load", {"check": first.id})
        return Settlement(results, again=False)
    if run.current in {s.id for s in left}:  # it hung or ended inside this check
        spec = next(s for s in left if s.id == run.current)
        if run.killed:
            key = N_("blocked-process-connect") if run.connecting else N_("blocked-process")
            results[spec.id] = CheckResult(spec.id, "error", key, {"seconds": spec.timeout})
        else:
            results[spec.id] = CheckResult(spec.id, "error", "probe-crashed", {"tail": run.tail})
        return Settlement(results, again=True, sockets_hang=spec.id if run.connecting else "")
    if run.stuck or (run.killed and run.results):
        return Settlement(results, again=True)
    # It ended between two checks without a word: nothing a fresh probe would do better.
    for spec in left:
        results[spec.id] = CheckResult(spec.id, "skip", "skip-after-crash")
    return Settlement(results, again=False)


# --- a step ------------------------------------------------------------------------------
class StepRun:
    """The probes and servers of one step's run on one project, in one temp folder."""

    def __init__(self, course: Course, project: Project, options: Options, tmp: Path):
        self.course = course
        self.project = project
        self.options = options
        self.tmp = tmp
        self.python = sys.executable
        self.env = probe_environment(project, tmp, options)
        self.output = tmp / "output.txt"
        self.want_servers = False
        self.servers = None
        self.ready: dict | None = None

    def on_ready(self, event: dict):
        self.ready = self.ready or event
        if self.want_servers and self.servers is None and event.get("application"):
            from checker.daphne import DaphnePair

            try:
                self.servers = DaphnePair.start(
                    event["application"], python=self.python, cwd=self.project.root, env=self.env,
                )
            except OSError:
                self.servers = None

    def run_inside(self, specs: list[CheckSpec]) -> dict[str, CheckResult]:
        results: dict[str, CheckResult] = {}
        remaining, sockets_hang, rounds = list(specs), "", 0
        while remaining:
            rounds += 1
            job = ProbeJob(
                root=str(self.project.root), settings=self.project.settings,
                checks=[{"id": s.id, "timeout": s.timeout, "nature": s.nature, "gate": s.gate} for s in remaining],
                events=str(self.tmp / f"events-{rounds}.jsonl"), layer=self.options.layer,
                thorough=self.options.thorough, verbose=self.options.verbose,
                sockets_hang=sockets_hang,
            )
            run = run_probe(job, self.python, self.project.root, self.env, self.output,
                            {s.id: s.timeout for s in remaining}, self.on_ready)
            settled = settle(remaining, run)
            results.update(settled.results)
            left = [s for s in remaining if s.id not in results]
            if len(left) == len(remaining):  # no progress: a fresh probe would do the same
                for spec in left:
                    results[spec.id] = CheckResult(spec.id, "skip", "skip-after-crash")
                break
            remaining = left
            sockets_hang = settled.sockets_hang or sockets_hang
            if not settled.again:
                break
        return results

    def run_outside(self, specs: list[CheckSpec], closed: str) -> dict[str, CheckResult]:
        import asyncio

        from checker.checks import load_all
        from checker.outside import OutsideContext, run_check

        registry = load_all()
        results = {}
        for spec in specs:
            if closed:
                results[spec.id] = CheckResult(spec.id, "skip", "skip-after-load", {"check": closed})
                continue
            ctx = OutsideContext(
                root=self.project.root, layer=self.options.layer,
                origin=(self.ready or {}).get("origin", "http://localhost"), servers=self.servers,
            )
            results[spec.id] = asyncio.run(run_check(spec, registry[spec.id], ctx, self.options.verbose))
        return results

    def stop(self):
        if self.servers is not None:
            self.servers.stop()


def run_step(course: Course, step: Step, project: Project, options: Options, reference: bool = False) -> StepReport:
    ids = selected_checks(course, step, options)
    specs = [course.checks[c] for c in ids]
    inside = [s for s in specs if not s.outside]
    outside = [s for s in specs if s.outside]
    with tempfile.TemporaryDirectory(prefix="checker-") as tmp:
        run = StepRun(course, project, options, Path(tmp))
        run.want_servers = bool(outside) and options.layer != "memory"
        try:
            results = run.run_inside(inside)
            if outside:
                closed = next((s.id for s in inside if s.gate and results[s.id].status != "pass"), "")
                results.update(run.run_outside(outside, closed))
        finally:
            run.stop()
        output = run.output.read_text(encoding="utf-8", errors="replace") if run.output.exists() else ""
    return StepReport(
        step=step, project=project.root, results=[results[c] for c in ids],
        repro=repro_command(step, None if reference else project, options), output=output,
    )
