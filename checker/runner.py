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
import re
import shlex
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from checker import ROOT, overlay
from checker.course import CheckSpec, Course, Step
from checker.environment import Interpreter
from checker.failures import carry_unawaited, closes_gate
from checker.i18n import N_
from checker.options import Options, ProbeJob
from checker.project import Project
from checker.result import PASSED, STATUSES, CheckFailed, CheckResult

# Starting the probe: Python, Django, Channels, the project, its migrations. A slow machine
# (or a test that wants a hang to end sooner) sets CHECKER_STARTUP_SECONDS.
STARTUP_SECONDS = float(os.environ.get("CHECKER_STARTUP_SECONDS", 20))
# After a check's own limit: the probe's own time-out answers first, this only stops a
# process the project blocked altogether (time.sleep in async code).
GRACE_SECONDS = float(os.environ.get("CHECKER_GRACE_SECONDS", 3))
# Between one check's end and the next one's start the probe only tidies up (closes clients,
# lets consumers finish): on a machine at load 7 that took over 3 s now and then, and a probe
# stopped there was reported as a project that never answered. A hang inside a check is still
# bounded by that check's own limit plus GRACE_SECONDS.
BETWEEN_SECONDS = float(os.environ.get("CHECKER_BETWEEN_SECONDS", 15))
TAIL_LINES = 8


@dataclass
class StepReport:
    step: Step
    project: Path
    results: list[CheckResult]
    repro: str = ""  # the command that checks this project again
    output: str = ""  # what the project printed
    environment: dict = field(default_factory=dict)  # {"python", "source", "versions"}
    inconsistent: list[str] = field(default_factory=list)  # checks whose inside and outside disagree
    sandboxed: bool = False

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
    bad_lines: int = 0  # lines of its file that were not results we could trust
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
                data = events.read(4 << 20)  # at most 4 MiB a poll: a flood of lines waits its turn
        except FileNotFoundError:
            return []
        self.offset += len(data)
        *lines, self.pending = (self.pending + data).split(b"\n")
        self.pending = self.pending[-(1 << 20):]  # a "line" of a gigabyte is no line
        found = []
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a line cut short by a kill
            if isinstance(event, dict):
                found.append(event)
        return found


LIMITS = {"key": 120, "text": 16_000, "params": 40, "causes": 8, "frames": 400}
KEY = re.compile(r"^[a-z0-9][a-z0-9.-]{0,119}$")


def result_from(event: dict, expected: set[str]) -> CheckResult | None:
    """A result line of the probe's, if it is one: the probe runs the project's code, which may
    write anything into that file. Unknown checks and statuses, keys that are not keys, non-string
    texts and oversized values make the line count as bad (None); nothing else of it is trusted
    either (`decided` is ours to say)."""
    try:
        check_id, status, key = event["id"], event["status"], event.get("key", "")
        params, causes = event.get("params", {}), event.get("causes", [])
        duration, frames = event.get("duration_ms", 0), event.get("frames", [])
        if check_id not in expected or status not in STATUSES or not isinstance(key, str) or (key and not KEY.match(key)):
            return None
        if not isinstance(params, dict) or len(params) > LIMITS["params"]:
            return None
        clean = {}
        for name, value in params.items():
            if not isinstance(name, str) or not name.isidentifier():
                return None
            if isinstance(value, str):
                value = value[: LIMITS["text"]]
            elif not isinstance(value, (int, float, bool)) and value is not None:
                return None
            clean[name] = value
        if not isinstance(causes, list) or len(causes) > LIMITS["causes"] or not all(isinstance(c, str) and KEY.match(c) for c in causes):
            return None
        if not isinstance(duration, int) or isinstance(duration, bool):
            return None
        frames = [f[:500] for f in frames[: LIMITS["frames"]] if isinstance(f, str)] if isinstance(frames, list) else []
        return CheckResult(check_id, status, key, clean, causes, max(0, duration), frames)
    except (KeyError, TypeError):
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
                    deadline = time.monotonic() + BETWEEN_SECONDS
                    if on_ready:
                        on_ready(event)
                elif kind == "start":
                    run.current = event.get("id")
                    deadline = time.monotonic() + timeouts.get(run.current, 5) + GRACE_SECONDS
                elif kind == "result":
                    result = result_from(event, set(timeouts))
                    if result is None:
                        run.bad_lines += 1
                    elif result.id not in run.results:  # the first word on a check is the one
                        run.results[result.id] = result
                        if on_result:
                            on_result(result)
                    run.current, run.connecting = None, False
                    deadline = time.monotonic() + BETWEEN_SECONDS
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
    if run.killed:  # loaded, then silent before its first check: not a start-up problem
        first, *rest = left
        results[first.id] = CheckResult(first.id, "error", N_("probe-stalled"),
                                        {"seconds": int(BETWEEN_SECONDS), "tail": run.tail})
        for spec in rest:
            results[spec.id] = CheckResult(spec.id, "skip", N_("skip-after-stall"), {"check": first.id})
        return Settlement(results, again=False)
    # It ended between two checks without a word: nothing a fresh probe would do better.
    for spec in left:
        results[spec.id] = CheckResult(spec.id, "skip", "skip-after-crash")
    return Settlement(results, again=False)


# --- a step ------------------------------------------------------------------------------
class StepRun:
    """The probes and servers of one step's run on one project, in one temp folder."""

    def __init__(self, course: Course, step: Step, project: Project, options: Options, tmp: Path,
                 interpreter: Interpreter, start=None, on_result=None, sandbox=None):
        self.start, self.on_result, self.sandbox = start, on_result, sandbox
        self.servers_count = 1
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
        self.application = ""
        self.ready: dict | None = None

    def on_ready(self, event: dict):
        self.ready = self.ready or event
        application = event.get("application")
        if not application and (self.project.root / self.project.package.replace(".", "/") / "asgi.py").is_file():
            application = f"{self.project.package}.asgi.application"  # step 01: startproject's asgi.py
        if not (self.want_servers and self.servers is None and isinstance(application, str) and application):
            return
        self.application = application
        self.start_servers()

    def start_servers(self):
        application = self.application
        try:
            if self.sandbox is not None:
                from checker.sandbox import SandboxServers

                self.servers = SandboxServers(self.sandbox, application, self.servers_count, self.env, self.project.root)
            else:
                from checker.daphne import DaphnePair

                self.servers = DaphnePair.start(application, count=self.servers_count, python=self.python,
                                                cwd=self.project.root, env=self.env)
        except OSError:
            self.servers = None

    def live_context(self):
        from checker.live import LiveContext

        origin = str((self.ready or {}).get("origin") or "http://localhost")
        ctx = LiveContext(root=self.project.root, layer=self.options.layer, host=origin.partition("://")[2] or "localhost",
                          endpoints=[], redis_socket=self.sandbox.redis_socket if self.sandbox else None)
        ctx.servers, ctx.thorough, ctx.settings_module = self.servers, self.options.thorough, self.project.settings
        ctx.scratch, ctx.python, ctx.spawn = self.tmp, self.python, self.spawn
        return ctx

    def spawn(self, argv: list[str], cwd, env: dict, output: Path):
        """A process of the project's, beside its probe: in its sandbox when it has one."""
        if self.sandbox is not None:
            return self.sandbox.spawn(argv, cwd, env, output)
        from checker.launch import Spawned

        clean = {k: v for k, v in os.environ.items() if not k.startswith("CHECKER_")}
        return Spawned(self.python, None, cwd, {**clean, **env}, output, argv=argv)

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

    def run_outside(self, specs: list[CheckSpec], closed: str, hung: str = "") -> dict[str, CheckResult]:
        import asyncio

        from checker.checks import load_all
        from checker.outside import run_check

        registry = load_all()
        results = {}
        for spec in specs:
            if closed:
                results[spec.id] = CheckResult(spec.id, "skip", "skip-after-load", {"check": closed})
                continue
            if hung and self.step.checks.index(spec.id) > self.step.checks.index(hung):
                # A connect that hung inside hangs both live servers the same way (and a blocking
                # one leaves them stuck for the verdicts): the cause is told once, at that check.
                results[spec.id] = CheckResult(spec.id, "skip", N_("skip-after-hang"), {"check": hung})
                continue
            results[spec.id] = asyncio.run(run_check(spec, registry[spec.id], self.live_context(), self.options.verbose))
            if self.on_result:
                self.on_result(results[spec.id])
        return results

    async def quiet_logs(self, quiet: float = 0.05, limit: float = 1.5) -> int:
        """The servers' tracebacks so far, once their logs stopped growing: what a client's
        disconnect makes a server log arrives a moment after the check."""
        import asyncio

        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        count = self.servers.exceptions()
        while loop.time() < deadline:
            await asyncio.sleep(quiet)
            again = self.servers.exceptions()
            if again == count:
                break
            count = again
        return count

    def run_verdicts(self, specs: list[CheckSpec], sockets_hang: str = "") -> dict[str, CheckResult]:
        """What the checks with an outside verdict (course.toml `verify`) decide against the
        project's live server, its Redis and its source: nothing the submission can write."""
        import asyncio

        from checker.checks import VERIFIERS, load_all
        from checker.failures import diagnose_line
        from checker.outside import run_check

        registry = load_all()

        async def all_verdicts():
            verdicts = {}
            if self.servers is None:
                return verdicts
            try:
                endpoints = await self.servers.ready(timeout=30)
            except RuntimeError:
                endpoints = []
            logged = await self.quiet_logs() if endpoints else 0
            nonlocal sockets_hang  # the check whose connect hung: later sockets would hang the same way
            for spec in specs:
                ctx = self.live_context()
                function = VERIFIERS[spec.id] if spec.verify == "own" else registry[spec.id]
                static = function.__module__ == "checker.checks.source"
                if not static and endpoints and not await self.responsive(endpoints):
                    # A check before (two-servers, or a connect that blocks the event loop) left
                    # the servers stuck: the next verdict gets fresh ones, as the probe would.
                    endpoints = await self.restart_servers()
                    logged = await self.quiet_logs() if endpoints else 0
                ctx.endpoints = endpoints[:1]
                if not endpoints and not static:
                    verdicts[spec.id] = CheckResult(spec.id, "fail", "live-http-failed",
                                                    {"path": "/", "error": "the project's server did not start"})
                    continue
                order = self.step.checks.index
                if sockets_hang and spec.nature == "asgi" and not static and order(spec.id) > order(sockets_hang):
                    # As in the probe: every socket would hang the same way; the cause is told once.
                    verdicts[spec.id] = CheckResult(spec.id, "skip", N_("skip-after-hang"), {"check": sockets_hang})
                    continue
                verdict = await run_check(spec, function, ctx, self.options.verbose)
                if verdict.key in ("ws-connect-hangs", "blocked-process-connect"):
                    sockets_hang = sockets_hang or spec.id
                before, logged = logged, await self.quiet_logs()
                crashed = self.servers.exception(self.project.root) if logged > before else ""
                if verdict.status in PASSED and not ctx.refusals and crashed:
                    # The client saw nothing wrong, and the server crashed all the same. (A
                    # traceback with no exception line yet is not counted: it says nothing.)
                    cause, params = diagnose_line(crashed.splitlines()[0], self.project.root)
                    verdict = CheckResult(spec.id, "error", N_("server-logged-exception"),
                                          {"log": crashed, **params}, [cause] if cause else [],
                                          verdict.duration_ms)
                verdicts[spec.id] = verdict
            return verdicts

        return asyncio.run(all_verdicts())

    async def responsive(self, endpoints, seconds: float = 2.0) -> bool:
        """Whether the first server still answers a plain GET (any status) within `seconds`."""
        import asyncio

        ctx = self.live_context()
        ctx.endpoints = endpoints[:1]
        try:
            await asyncio.wait_for(asyncio.to_thread(ctx.http_get, "/", seconds), seconds + 1)
        except (asyncio.TimeoutError, CheckFailed):
            return False
        return True

    async def restart_servers(self) -> list:
        self.servers.stop()
        self.servers = None
        self.start_servers()
        if self.servers is None:
            return []
        try:
            return await self.servers.ready(timeout=30)
        except RuntimeError:
            return []

    def stop(self):
        if self.servers is not None:
            self.servers.stop()


def tail_of(path: Path, limit: int = 256 * 1024) -> str:
    """The end of what a project printed: read as a bounded tail, decoded with replacement."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as output:
            output.seek(max(0, size - limit))
            return output.read().decode("utf-8", "replace")
    except OSError:
        return ""


def decide(specs: list[CheckSpec], results: dict[str, CheckResult], verdicts: dict[str, CheckResult]) -> list[str]:
    """Merge what the probe reported with the verdicts decided outside it (grade, --sandbox).

    A forged result can only make a project look better, so a failure counts wherever it is
    seen, and a pass only when the outside saw it too: a check with an outside verdict passes
    when both passed; it fails with the probe's diagnosis when the probe failed (it says more),
    else with the verdict's. An inside-only check counts when the verdicts it `agrees` with
    passed. Returns the checks that passed inside and failed outside: a forged result, or a
    project that behaves differently in process and live; the instructor looks."""
    inconsistent = []
    for spec in specs:
        inside = results.get(spec.id)
        if inside is None:
            continue
        if spec.outside:  # nature "servers": decided outside already
            inside.decided = "outside"
            continue
        verdict = verdicts.get(spec.id)
        if verdict is not None and verdict.status != "skip":
            if inside.status in PASSED and verdict.status not in PASSED:
                inconsistent.append(spec.id)
            # The probe's result says more (its note, its diagnosis, a warning) unless the
            # verdict overrules a pass, or the probe never got to the check.
            overruled = inside.status in PASSED and verdict.status not in PASSED
            chosen = verdict if overruled or inside.status == "skip" else inside
            chosen.decided = "outside"
            results[spec.id] = chosen
            continue
        inside.decided = "inside"
        # It counts only when what it agrees with passed, outside where that was decided there.
        missing = [a for a in spec.agrees if (a in verdicts and verdicts[a].status not in PASSED)
                   or (a in results and results[a].status not in (*PASSED, "skip"))]
        if missing and inside.status in PASSED:
            # Not counted (no points), but not a failure of its own to fix first: the check it
            # leans on tells what is wrong.
            results[spec.id] = CheckResult(spec.id, "skip", N_("not-corroborated"), {"checks": ", ".join(missing)},
                                           decided="inside")
    return inconsistent


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
    verified = [s for s in specs if s.verify] if options.verdicts else []
    sandbox = None
    if options.sandbox:
        from checker.sandbox import Sandbox

        sandbox = Sandbox(project.root, interpreter.python)
        start = sandbox.start
    with tempfile.TemporaryDirectory(prefix="checker-") as tmp:
        folder = sandbox.run if sandbox else Path(tmp)
        run = StepRun(course, step, project, options, folder, interpreter, start, on_result, sandbox)
        run.want_servers = (bool(outside) and options.layer != "memory") or bool(verified)
        run.servers_count = 2 if outside and options.layer != "memory" else 1
        try:
            results = run.run_inside(inside)
            # A connect that hung inside hangs outside too: later socket checks are skipped.
            hung = next((r.id for r in results.values() if r.key in ("ws-connect-hangs", "blocked-process-connect")), "")
            if outside:
                closed = next((s.id for s in inside if s.gate and closes_gate(results[s.id].status, results[s.id].key)), "")
                results.update(run.run_outside(outside, closed, hung))
                carry_unawaited(results)
            # A failure inside counts as it is (a forged result can only look better): only what
            # passed, or was never reached, needs the outside's word. A broken project costs less;
            # a suite skipped for a missing table (probe.py) would only time out again outside.
            needed = [s for s in verified if s.id not in results
                      or (results[s.id].status in (*PASSED, "skip") and results[s.id].key != "skip-no-table")]
            inconsistent = decide(specs, results, run.run_verdicts(needed, hung)) if options.verdicts else []
        finally:
            run.stop()
            output = tail_of(run.output)
            if sandbox is not None:
                sandbox.close()
    explain_redis(results)
    found = run.environment
    return StepReport(
        step=step, project=project.root, results=[results[c] for c in ids], inconsistent=inconsistent,
        sandboxed=sandbox is not None,
        repro=repro_command(step, None if reference else project, options, interpreter), output=output,
        environment={
            "python": found.get("python") or interpreter.python, "source": interpreter.source,
            "python_version": found.get("python_version", ""), "versions": found.get("versions", {}),
        },
    )
