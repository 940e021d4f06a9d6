"""The probe: runs inside a separate process, with the student's project on sys.path.

The runner starts it with the settings overlay as DJANGO_SETTINGS_MODULE. It writes one
JSON line per event to --out ({"event": "start", "id": ...} before a check, then the
result), so the runner knows which check hung if it has to kill the process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import traceback
from pathlib import Path

from checker.course import load_course
from checker.diagnose import diagnose
from checker.result import CheckFailed, CheckResult
from checker.texts import text

# Checks that open no WebSocket: still worth running after a consumer hung.
STATIC_CHECKS = {
    "project-loads", "index-page", "unknown-404", "asgi-application", "daphne-runserver",
    "room-page", "room-name-escaped", "async-consumer", "own-tests-exist", "test-db-safe",
    "origin-refused",
    "own-tests-pass",
}
HANG_KEYS = {"ws-connect-hangs", "ws-disconnect-hangs", "timeout"}
# Run after the others (the Daphne pair it needs boots meanwhile).
LAST = {"two-servers"}


class Probe:
    def __init__(self, args):
        self.args = args
        self.course = load_course()
        self.root = Path(args.root)
        self.out = open(args.out, "a", encoding="utf-8")
        self.ctx = None
        self.stop_reason = None  # "load" or "hang": why later checks are skipped

    def emit(self, event: dict):
        self.out.write(json.dumps(event, ensure_ascii=False) + "\n")
        self.out.flush()

    def result(self, check_id, status, key=None, params=None, note="", started=None) -> CheckResult:
        lang = self.args.lang
        spec = self.course.checks[check_id]
        params = dict(params or {})
        hint_key = params.pop("hint_key", None)
        message = text(key, lang, **params) if key else note
        hint = ""
        if status in ("fail", "error"):
            parts = [text(f"{key}.hint", lang, default="", **params) if key else ""]
            if hint_key:
                parts.append(text(hint_key, lang, default="", **params))
            hint = " ".join(p for p in parts if p)
        return CheckResult(
            id=check_id,
            title=spec.title[lang],
            status=status,
            message=message,
            hint=hint.strip(),
            lesson=self.course.lesson_link(check_id, lang),
            duration_ms=int((time.perf_counter() - started) * 1000) if started else 0,
            repro=f"{self.args.repro} --only {check_id} -v" if status in ("fail", "error") else "",
            frames=list(self.ctx.frames) if self.ctx and self.args.verbose else [],
        )

    def setup(self):
        """Import the project as a server does; False (with project-loads reported) on failure.

        Daphne imports the ASGI module before anything else, so does the probe: an asgi.py
        that imports the routing before get_asgi_application() fails here as it would there.
        """
        import django
        from django.conf import settings

        try:
            asgi_path = getattr(settings, "ASGI_APPLICATION", None)
            if asgi_path:
                self.import_asgi_module(asgi_path)
            django.setup()
            from checker.context import Context

            self.ctx = Context(
                root=self.root, lang=self.args.lang, layer=self.args.layer,
                thorough=self.args.thorough, verbose=self.args.verbose,
            )
            self.ctx.student_settings = self.args.student_settings
            self.migrate_if_needed()
            self.install_recorder()
            return True
        except CheckFailed as failed:
            self.emit({"event": "result", **self.result(
                "project-loads", "fail", failed.key, failed.params).to_json()})
        except Exception as exc:
            found = diagnose(exc, self.root)
            params = {"what": "settings", "hint_key": found.hint, **found.as_params()}
            self.emit({"event": "result", **self.result(
                "project-loads", "fail", "load-failed", params).to_json()})
        self.stop_reason = "load"
        return False

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
                package = self.args.student_settings.rpartition(".")[0]
                raise CheckFailed(
                    "asgi-path-missing", path=asgi_path, module=module, package=package,
                    error=f"ModuleNotFoundError: {exc}",
                ) from None
            found = diagnose(exc, self.root)
            raise CheckFailed(
                "load-failed", what=asgi_path, hint_key=found.hint, **found.as_params()
            ) from None

    def record_warnings(self):
        """Keep "coroutine ... was never awaited": the usual sign of a missing await."""
        import warnings

        self.warnings: list[str] = []
        warnings.simplefilter("always", RuntimeWarning)
        shown = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            self.warnings.append(str(message))
            shown(message, category, filename, lineno, file, line)

        warnings.showwarning = show

    def install_recorder(self):
        from channels.layers import channel_layers

        from checker.recording_layer import RecordingLayer

        if "default" in (getattr(self.ctx.settings, "CHANNEL_LAYERS", None) or {}):
            try:
                real = channel_layers["default"]
            except Exception as exc:  # a broken layer config: the checks that use it say so
                self.ctx.layer_error = exc
                return
            self.ctx.recorder = RecordingLayer(real)
            channel_layers.backends["default"] = self.ctx.recorder

    async def run_one(self, check_id, function):
        spec = self.course.checks[check_id]
        started = time.perf_counter()
        warned = len(self.warnings)
        self.ctx.frames.clear()
        try:
            if asyncio.iscoroutinefunction(function):
                note = await asyncio.wait_for(function(self.ctx), spec.timeout)
            else:
                note = await asyncio.wait_for(asyncio.to_thread(function, self.ctx), spec.timeout)
            outcome = self.result(check_id, "pass", note=note or "", started=started)
        except CheckFailed as failed:
            if failed.key in HANG_KEYS:
                self.stop_reason = "hang"
            outcome = self.result(check_id, failed.status, failed.key, failed.params, started=started)
        except asyncio.TimeoutError:
            self.stop_reason = "hang"
            outcome = self.result(
                check_id, "error", "timeout", {"seconds": spec.timeout}, started=started
            )
        except Exception as exc:  # the student's code failed in a way no check foresaw
            traceback.print_exc()
            found = diagnose(exc, self.root)
            outcome = self.result(
                check_id, "error", "unexpected", {"hint_key": found.hint, **found.as_params()},
                started=started,
            )
        finally:
            await self.ctx.close_clients()
        unawaited = [w for w in self.warnings[warned:] if "never awaited" in w]
        if unawaited and outcome.status in ("fail", "error"):
            # Name the student's layer, not the checker's wrapper around it.
            real = type(self.ctx.recorder.wrapped).__name__ if self.ctx.recorder else "channel_layer"
            warning = unawaited[0].replace("RecordingLayer.", f"{real}.")
            extra = text("hint-never-awaited", self.args.lang, warning=warning)
            outcome.hint = f"{extra} {outcome.hint}".strip()
        if check_id == "project-loads" and outcome.status != "pass":
            self.stop_reason = "load"
        return outcome

    async def run_all(self, check_ids):
        from checker.checks import load_all

        registry = load_all()
        if "two-servers" in check_ids and self.args.layer != "memory":
            from checker.checks.servers import start_pair

            try:
                start_pair(self.ctx)  # boots while the other checks run
            except Exception:
                traceback.print_exc()
        # The Daphne pair boots in the background: its check runs last, when the pair is
        # most likely up, and the report keeps the course's order whatever the run order.
        late = [c for c in check_ids if c in LAST]
        for check_id in [c for c in check_ids if c not in LAST] + late:
            self.emit({"event": "start", "id": check_id})
            if self.stop_reason and not (self.stop_reason == "hang" and check_id in STATIC_CHECKS):
                outcome = self.result(check_id, "skip", f"skip-after-{self.stop_reason}")
            else:
                outcome = await self.run_one(check_id, registry[check_id])
            self.emit({"event": "result", **outcome.to_json()})

    def main(self):
        check_ids = self.args.checks.split(",")
        self.record_warnings()
        try:
            if self.setup():
                # Not asyncio.run(): it would wait for worker threads, and a thread stuck
                # in the student's code (a hung view) must not keep the probe alive.
                loop = asyncio.new_event_loop()
                asyncio.set_event_loop(loop)
                loop.run_until_complete(self.run_all(check_ids))
            else:
                for check_id in check_ids[1:]:
                    self.emit({"event": "result", **self.result(check_id, "skip", "skip-after-load").to_json()})
        finally:
            if self.ctx and self.ctx.servers:
                self.ctx.servers.stop()
            self.out.close()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="checker.probe")
    parser.add_argument("--root", required=True)
    parser.add_argument("--student-settings", required=True)
    parser.add_argument("--checks", required=True)
    parser.add_argument("--lang", default="ru")
    parser.add_argument("--layer", default="redis")
    parser.add_argument("--thorough", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--repro", default="")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    Probe(args).main()
    sys.stdout.flush()
    sys.stderr.flush()
    # A consumer stuck in a worker thread must not keep the process alive.
    os._exit(0)


if __name__ == "__main__":
    main()
