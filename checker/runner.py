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
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from checker import ROOT, overlay
from checker.course import CheckSpec, Course, Step
from checker.environment import Interpreter
from checker.failures import closes_gate
from checker.i18n import N_
from checker.options import Options, ProbeJob
from checker.project import Project
from checker.result import PASSED, CheckResult

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
    environment: dict = field(default_factory=dict)  # {"python", "source", "versions"}

    @property
    def passed(self) -> bool:
        return all(r.status in (*PASSED, "skip") for r in self.results) and any(
            r.status in PASSED for r in self.results
        )


def selected_checks(course: Course, step: Step, options: Options) -> list[str]:
    ids = [c for c in step.checks if not (options.lasting and course.checks[c].until)]
    if options.only:
        ids = [c for c in ids if c in options.only or course.checks[c].gate]
    return ids


def shown_path(path) -> str:
    """A path as a student types it: ~ for the home folder, quoted for the shell."""
    text = str(path)
    home = str(Path.home())
    if text == home:
        return "~"
    if text.startswith(home + os.sep):
        return "~/" + shlex.quote(text[len(home) + 1:])  # "~/'my chat'": the shell still expands ~
    return shlex.quote(text)


def repro_command(step: Step, project: Project | None, options: Options, interpreter: Interpreter | None = None) -> str:
    """The command that checks this again, from any folder: the workbook's own interpreter
    runs the checker (the student's has no checker, and needs none)."""
    command = f"{shown_path(sys.executable)} -m checker check {step.number}"
    if project is not None:
        command += f" --project {shown_path(project.root)}"
    if interpreter is not None and not interpreter.workbook:
        command += f" --python {shown_path(interpreter.python)}"
    if options.layer == "memory":
        command += " --layer memory"
    return command


def checker_path(tmp: Path) -> Path:
    """A folder holding only the checker package, for the project's interpreter: the
    workbook's other folders (tools/, bench/) must not shadow anything of the project's."""
    folder = tmp / "lib"
    folder.mkdir(exist_ok=True)
    try:
        (folder / "checker").symlink_to(ROOT / "checker", target_is_directory=True)
        return folder
    except OSError:  # no symlinks (Windows without the privilege): the workbook's folder
        return ROOT


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
            + [str(checker_path(tmp))]
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
    environment: dict | None = None  # the "environment" event: the interpreter and its versions
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
              on_ready=None, on_result=None, start=None) -> ProbeRun:
    """Start a probe for `job` and follow it to its end, stopping it past a deadline."""
    from checker.launch import spawn

    job_path = Path(job.events).with_suffix(".job.json")
    job.write(job_path)
    run = ProbeRun()
    events = Events(Path(job.events))
    process = (start or spawn)(python, job_path, root, env, output)
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while True:
            ended = process.ended(0.05)
            for event in events.new():
                kind = event.get("event")
                if kind == "environment":
                    run.environment = event
                elif kind == "ready":
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
                        if on_result:
                            on_result(result)
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
        process.finish()
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

    def __init__(self, course: Course, step: Step, project: Project, options: Options, tmp: Path,
                 interpreter: Interpreter, start=None, on_result=None):
        self.start, self.on_result = start, on_result
        self.course = course
        self.step = step
        self.project = project
        self.options = options
        self.tmp = tmp
        self.interpreter = interpreter
        self.python = interpreter.python
        self.environment: dict = {}
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
                sockets_hang=sockets_hang, step=self.step.number,
                requirements=[vars(r) for r in self.course.requirements_of(self.step.number)],
                python_supported=self.course.python,
            )
            run = run_probe(job, self.python, self.project.root, self.env, self.output,
                            {s.id: s.timeout for s in remaining}, self.on_ready, self.on_result, self.start)
            if run.environment and not self.environment:
                self.environment = run.environment
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
            if self.on_result:
                self.on_result(results[spec.id])
        return results

    def stop(self):
        if self.servers is not None:
            self.servers.stop()


def explain_redis(results: dict[str, CheckResult]) -> None:
    """Where the Redis URL came from and what does answer, on every failure Redis being down
    caused (the workbook's view: REDIS_URL, `make redis`, 127.0.0.1:6379)."""
    from checker.failures import cause_signature, redis_causes
    from checker.redis_server import survey

    signatures = {r.id: cause_signature(r.status, r.key, r.params, r.causes) for r in results.values()}
    down = [r for r in results.values() if signatures[r.id] in ("redis-down", "not-redis")]
    if not down:
        return
    tried = " ".join(str(r.params.get("hosts") or r.params.get("error") or "") for r in down)
    causes, params = redis_causes(survey(tried), down=signatures[down[0].id] == "redis-down")
    for result in down:
        result.causes = [*causes, *result.causes]
        result.params.update(params)


def run_step(course: Course, step: Step, project: Project, options: Options, reference: bool = False,
             interpreter: Interpreter | None = None, start=None, on_result=None) -> StepReport:
    """`start`: how probes start (checker.launch: spawned, or a zygote's); `on_result` is
    called with each result as it arrives (watch prints them as they come)."""
    interpreter = interpreter or Interpreter(sys.executable, "workbook")
    ids = selected_checks(course, step, options)
    specs = [course.checks[c] for c in ids]
    inside = [s for s in specs if not s.outside]
    outside = [s for s in specs if s.outside]
    with tempfile.TemporaryDirectory(prefix="checker-") as tmp:
        run = StepRun(course, step, project, options, Path(tmp), interpreter, start, on_result)
        run.want_servers = bool(outside) and options.layer != "memory"
        try:
            results = run.run_inside(inside)
            if outside:
                closed = next((s.id for s in inside if s.gate and closes_gate(results[s.id].status, results[s.id].key)), "")
                results.update(run.run_outside(outside, closed))
        finally:
            run.stop()
        output = run.output.read_text(encoding="utf-8", errors="replace") if run.output.exists() else ""
    explain_redis(results)
    found = run.environment
    return StepReport(
        step=step, project=project.root, results=[results[c] for c in ids],
        repro=repro_command(step, None if reference else project, options, interpreter), output=output,
        environment={
            "python": found.get("python") or interpreter.python, "source": interpreter.source,
            "python_version": found.get("python_version", ""), "versions": found.get("versions", {}),
        },
    )
