"""The probe: runs a step's checks inside a process of the project's own, on its interpreter.

    python -m checker.probe JOB.json

The runner starts it with the settings overlay as DJANGO_SETTINGS_MODULE and the project
first on the path. It writes one JSON line per event to the job's events file:
  {"event": "ready", "application": ..., "origin": ...}  the project imported (Django set up)
  {"event": "start", "id": ...}                           before each check
  {"event": "connecting"} / {"event": "connect-ended"}     around each socket connect
  {"event": "result", ...CheckResult}                      after it
  {"event": "stuck", "id": ...}                            it hung and took the process with it
so the runner knows which check hung if it has to stop the process, and starts a fresh probe
for the checks that remain. Results carry keys, never sentences: the runner renders them.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import traceback
from pathlib import Path

from checker.failures import HANG_KEYS, NEVER_AWAITED, closes_gate, diagnose
from checker.i18n import N_
from checker.options import ProbeJob
from checker.result import CheckFailed, CheckResult, Note

SKIP_AFTER_HANG = N_("skip-after-hang")
SKIP_NO_TABLE = N_("skip-no-table")


class Probe:
    def __init__(self, job: ProbeJob):
        self.job = job
        self.root = Path(job.root)
        self.out = open(job.events, "a", encoding="utf-8")
        self.ctx = None
        self.warnings: list[str] = []
        self.warned_at: dict[str, str] = {}  # a warning -> the project's file:line it came from
        # The check whose connect hung: every later socket would hang the same way.
        self.sockets_hang = job.sockets_hang

    def emit(self, event: dict):
        self.out.write(json.dumps(event, ensure_ascii=False, default=str) + "\n")
        self.out.flush()

    def result(self, check_id, status, key="", params=None, causes=(), started=None) -> CheckResult:
        return CheckResult(
            id=check_id, status=status, key=key, params=dict(params or {}), causes=list(causes),
            duration_ms=int((time.perf_counter() - started) * 1000) if started else 0,
            frames=list(self.ctx.frames) if self.ctx and self.job.verbose else [],
        )

    def failed(self, check_id, failed: CheckFailed, started=None) -> CheckResult:
        return self.result(check_id, failed.status, failed.key, failed.params, failed.causes, started)

    def setup(self) -> bool:
        """Import the project as a server does; False (with project-loads reported) on failure.

        Daphne imports the ASGI module before anything else, so does the probe: an asgi.py
        that imports the routing before get_asgi_application() fails here as it would there.
        """
        try:
            import django
            from django.conf import settings

            overlay_error = getattr(settings, "CHECKER_OVERLAY_ERROR", None)
            if overlay_error:
                raise CheckFailed("checker-overlay-failed", status="error", error=overlay_error)
            asgi_path = getattr(settings, "ASGI_APPLICATION", None)
            if asgi_path:
                self.import_asgi_module(asgi_path)
            django.setup()
            from checker.context import Context

            self.ctx = Context(
                root=self.root, layer=self.job.layer, thorough=self.job.thorough,
                student_settings=self.job.settings, emit=self.emit,
            )
            self.migrate_if_needed()
            self.install_recorder()
            self.emit({"event": "ready", "application": asgi_path, "origin": self.ctx.origin})
            return True
        except CheckFailed as failed:
            outcome = self.failed(self.loading_check, failed)
        except Exception as exc:
            found = self.diagnose(exc)
            outcome = self.result(self.loading_check, "fail", "load-failed",
                                  {"what": "settings", **found.as_params()}, found.causes)
        self.emit({"event": "result", **outcome.to_json()})
        return False

    def diagnose(self, exc: BaseException):
        """diagnose() with what the project's settings tell: INSTALLED_APPS and their file."""
        from checker.context import settings_file

        try:
            from django.conf import settings

            apps = list(settings.INSTALLED_APPS)
        except Exception:  # the settings themselves do not import
            apps = None
        return diagnose(exc, self.root, apps=apps, settings_file=settings_file(self.job.settings, self.root))

    @property
    def loading_check(self) -> str:
        """The check that reports whether the project imports: the job's first static gate."""
        return next(s["id"] for s in self.job.checks if s.get("gate") and s["nature"] == "static")

    def migrate_if_needed(self):
        """A project whose own apps have models gets its tables, in the probe's copy of the DB."""
        from django.apps import apps
        from django.core.management import call_command

        own = [a for a in apps.get_app_configs() if Path(a.path).is_relative_to(self.root)]
        if any(list(a.get_models()) for a in own):
            call_command("migrate", interactive=False, verbosity=0)

    def import_asgi_module(self, asgi_path: str):
        import importlib

        module = asgi_path.rpartition(".")[0]
        try:
            importlib.import_module(module)
        except Exception as exc:
            if isinstance(exc, ModuleNotFoundError) and exc.name and module.startswith(exc.name):
                package = self.job.settings.rpartition(".")[0]
                raise CheckFailed(
                    "asgi-path-missing", path=asgi_path, module=module, package=package,
                    error=f"ModuleNotFoundError: {exc}",
                ) from None
            found = self.diagnose(exc)
            raise CheckFailed(
                "load-failed", causes=found.causes, what=asgi_path, **found.as_params()
            ) from None

    def record_warnings(self):
        """Keep "coroutine ... was never awaited": the usual sign of a missing await."""
        import warnings

        warnings.simplefilter("always", RuntimeWarning)
        shown = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            self.warnings.append(str(message))
            # Where the coroutine was dropped: the student's line with the missing await.
            path = Path(filename)
            if path.is_absolute() and path.is_relative_to(self.root):
                self.warned_at[str(message)] = f"{path.relative_to(self.root).as_posix()}:{lineno}"
            shown(message, category, filename, lineno, file, line)

        warnings.showwarning = show

    def install_recorder(self):
        if "default" in (getattr(self.ctx.settings, "CHANNEL_LAYERS", None) or {}):
            # Only now: a step 01 project has no Channels installed, and needs none.
            from channels.layers import channel_layers

            from checker.recording_layer import RecordingLayer

            try:
                real = channel_layers["default"]
            except Exception as exc:  # a broken layer config: the checks that use it say so
                self.ctx.layer_error = exc
                return
            self.ctx.recorder = RecordingLayer(real)
            channel_layers.backends["default"] = self.ctx.recorder

    async def run_one(self, spec: dict, function) -> CheckResult:
        check_id, timeout = spec["id"], spec["timeout"]
        started = time.perf_counter()
        warned = len(self.warnings)
        self.ctx.frames.clear()
        try:
            if asyncio.iscoroutinefunction(function):
                note = await asyncio.wait_for(function(self.ctx), timeout)
            else:
                note = await asyncio.wait_for(asyncio.to_thread(function, self.ctx), timeout)
            if isinstance(note, Note):
                outcome = self.result(check_id, "pass", note.key, note.params, started=started)
            else:
                outcome = self.result(check_id, "pass", started=started)
        except CheckFailed as failed:
            outcome = self.failed(check_id, failed, started=started)
        except asyncio.TimeoutError:
            outcome = self.result(check_id, "error", "timeout", {"seconds": timeout}, started=started)
        except Exception as exc:  # the student's code failed in a way no check foresaw
            traceback.print_exc()
            found = self.diagnose(exc)
            outcome = self.result(check_id, "error", "unexpected", found.as_params(), found.causes, started)
        finally:
            await self.ctx.close_clients()
        unawaited = [w for w in self.warnings[warned:] if NEVER_AWAITED in w]
        if unawaited and outcome.status in ("fail", "error"):
            # Name the student's layer, not the checker's wrapper around it.
            real = type(self.ctx.recorder.wrapped).__name__ if self.ctx.recorder else "channel_layer"
            outcome.params["warning"] = warning = unawaited[0].replace("RecordingLayer.", f"{real}.")
            if unawaited[0] in self.warned_at:  # the missing await's line beats the check's own guess
                outcome.params["where"] = self.warned_at[unawaited[0]]
            # The consumer's own send/accept/close (only an async consumer has coroutines there),
            # or a layer method (either kind of consumer).
            consumer = "Consumer." in warning and f"{real}." not in warning
            outcome.causes.insert(0, N_("hint-never-awaited-consumer") if consumer else N_("hint-never-awaited"))
        return outcome

    async def run_all(self):
        from checker.checks import load_all

        registry = load_all()
        checks = [s for s in self.job.checks if s["nature"] != "interpreter"]
        closed = ""  # a gate that did not pass: the checks after it need what it checks
        no_table = ""  # a check that met a model without its table
        for index, spec in enumerate(checks):
            check_id = spec["id"]
            self.emit({"event": "start", "id": check_id})
            if closed:
                outcome = self.result(check_id, "skip", "skip-after-load", {"check": closed})
            elif self.sockets_hang and spec["nature"] == "asgi":
                outcome = self.result(check_id, "skip", SKIP_AFTER_HANG, {"check": self.sockets_hang})
            elif no_table and spec["nature"] == "suite":
                # A model without its migration: the test database lacks the table too, and the
                # suite would spend a minute of time-outs to say what that check already said.
                outcome = self.result(check_id, "skip", SKIP_NO_TABLE, {"check": no_table})
                outcome.causes.append(N_("hint-no-table"))
            else:
                outcome = await self.run_one(spec, registry[check_id])
            self.emit({"event": "result", **outcome.to_json()})
            if spec.get("gate") and closes_gate(outcome.status, outcome.key):
                closed = check_id
            if "hint-no-table" in outcome.causes and not no_table:
                no_table = check_id
            if outcome.key in HANG_KEYS:
                if outcome.key == "ws-connect-hangs":
                    self.sockets_hang = check_id
                elif any(s["nature"] == "asgi" for s in checks[index + 1:]) and not await self.sync_thread_answers():
                    # The one thread all sync code shares is stuck in the project: the
                    # remaining checks need a fresh process.
                    self.emit({"event": "stuck", "id": check_id})
                    return

    async def sync_thread_answers(self) -> bool:
        from asgiref.sync import sync_to_async

        try:
            await asyncio.wait_for(sync_to_async(lambda: None)(), 0.5)
            return True
        except asyncio.TimeoutError:
            return False

    def check_interpreter(self) -> bool:
        """The checks of the interpreter itself, before anything imports Django. False when
        one of them leaves nothing to check (Django missing, say)."""
        from checker.checks import load_all
        from checker.environment import survey

        self.emit({"event": "environment", **survey(r["dist"] for r in self.job.requirements)})
        specs = [s for s in self.job.checks if s["nature"] == "interpreter"]
        if not specs:
            return True
        registry = load_all()
        for spec in specs:
            self.emit({"event": "start", "id": spec["id"]})
            started = time.perf_counter()
            try:
                note = registry[spec["id"]](self.job)
                outcome = (self.result(spec["id"], "pass", note.key, note.params, started=started)
                           if isinstance(note, Note) else self.result(spec["id"], "pass", started=started))
            except CheckFailed as failed:
                outcome = self.failed(spec["id"], failed, started=started)
            self.emit({"event": "result", **outcome.to_json()})
            if spec.get("gate") and closes_gate(outcome.status, outcome.key):
                for rest in self.job.checks:
                    if rest["nature"] != "interpreter":
                        skipped = self.result(rest["id"], "skip", "skip-after-load", {"check": spec["id"]})
                        self.emit({"event": "result", **skipped.to_json()})
                return False
        return True

    def main(self):
        self.record_warnings()
        try:
            if not self.check_interpreter():
                return
            if self.setup():
                # Not asyncio.run(): it would wait for worker threads, and a thread stuck
                # in the student's code (a hung view) must not keep the probe alive.
                loop = asyncio.new_event_loop()
                asyncio.set_event_loop(loop)
                loop.run_until_complete(self.run_all())
            else:
                for spec in self.job.checks:
                    if spec["id"] != self.loading_check and spec["nature"] != "interpreter":
                        skipped = self.result(spec["id"], "skip", "skip-after-load", {"check": self.loading_check})
                        self.emit({"event": "result", **skipped.to_json()})
        finally:
            self.out.close()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    Probe(ProbeJob.read(Path(argv[0]))).main()
    sys.stdout.flush()
    sys.stderr.flush()
    # A consumer stuck in a worker thread must not keep the process alive.
    os._exit(0)


if __name__ == "__main__":
    main()
