"""The project's own test suite (step 07): it exists, tests WebSockets, and passes."""

from __future__ import annotations

import asyncio
import collections
import os
import shutil
import sys
import tempfile
from pathlib import Path

from checker.checks import check, verifier
from checker.failures import FAILED_TEST, RAN, SKIPPED, chat_log_read_as_value, own_tests_cause
from checker.i18n import N_
from checker.processes import kill_group
from checker.project import SKIP_DIRS
from checker.result import CheckFailed, Note

WS_TEST_MARKERS = ("WebsocketCommunicator", "ChannelsLiveServerTestCase")


def test_files(root: Path) -> list[Path]:
    found = []
    for path in root.rglob("*.py"):
        parts = set(path.relative_to(root).parts)
        if parts & SKIP_DIRS:
            continue
        if path.name.startswith("test") or "tests" in parts:
            found.append(path)
    return sorted(found)


@check("own-tests-exist")
def own_tests_exist(ctx):
    files = test_files(ctx.root)
    if not files:
        raise CheckFailed("no-tests")
    with_ws = [f for f in files if any(m in f.read_text(errors="replace") for m in WS_TEST_MARKERS)]
    if not with_ws:
        names = ", ".join(str(f.relative_to(ctx.root)) for f in files)
        raise CheckFailed("no-ws-tests", files=names)
    return Note("own-tests-exist-note", files=", ".join(str(f.relative_to(ctx.root)) for f in with_ws))


@check("test-db-safe")
def test_db_safe(ctx):
    """The project's own DATABASES (not the probe's copy): where will the test database live?"""
    import importlib

    databases = importlib.import_module(ctx.student_settings).DATABASES
    db = databases.get("default", {})
    if "sqlite3" not in db.get("ENGINE", ""):
        return None  # other engines create test_<name> beside the real one
    test_name = (db.get("TEST") or {}).get("NAME")
    if not test_name or ":memory:" in str(test_name):
        from checker.checks.source import uses_live_server

        if not uses_live_server(ctx.root):
            return Note("test-db-memory-fine")  # safe, and enough without a live server
        raise CheckFailed("test-db-memory")
    if Path(str(test_name)).resolve() == Path(str(db.get("NAME"))).resolve():
        raise CheckFailed("test-db-same", name=str(test_name))
    shown = Path(str(test_name))
    return Note("test-db-safe-note", name=str(shown.relative_to(ctx.root)) if shown.is_relative_to(ctx.root) else str(shown))


@check("own-tests-pass")
async def own_tests_pass(ctx):
    with tempfile.TemporaryDirectory(prefix="checker-tests-") as tmp:
        # A copy: the suite creates and deletes its test database next to the project.
        copy = Path(tmp) / "project"
        shutil.copytree(ctx.root, copy, ignore=shutil.ignore_patterns(*SKIP_DIRS, "*.pyc"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHECKER_")}
        env["DJANGO_SETTINGS_MODULE"] = ctx.student_settings
        env["PYTHONPATH"] = str(copy)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "manage.py", "test", "--noinput", "-v", "2",
            cwd=copy, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # its browser and live server go with it
        )
        lines: collections.deque[bytes] = collections.deque(maxlen=4000)  # the end of a flood, not all of it

        async def read():
            async for line in process.stdout:
                lines.append(line[:2000])

        reader = asyncio.ensure_future(read())
        try:
            # Wait for the process, not for the end of its output: a browser or server left
            # behind by the suite may hold the pipe open.
            await asyncio.wait_for(process.wait(), 220)
            timed_out = False
        except asyncio.TimeoutError:
            timed_out = True
        finally:
            kill_group(process.pid)
        try:
            await asyncio.wait_for(reader, 2)
        except asyncio.TimeoutError:
            reader.cancel()
        output = b"".join(lines)
        if timed_out:
            tail = "\n".join(output.decode(errors="replace").strip().splitlines()[-8:])
            raise CheckFailed("own-tests-timeout", status="error", seconds=220, tail=tail or "—")
    output = output.decode(errors="replace")
    ran = RAN.search(output)
    if process.returncode != 0 or ran is None:
        # A test with subTests is listed once per failed subTest: name it once.
        found = list(dict.fromkeys(FAILED_TEST.findall(output)))
        failed = [f"{name} ({where})" for name, where in found]
        tail = "\n".join(output.strip().splitlines()[-12:])
        cause, label, error = own_tests_cause(output, found, ctx.root)
        extra = {"error": error} if error else {}
        log_as_value = chat_log_read_as_value(ctx.root, test_files(ctx.root))
        if log_as_value:
            cause, extra = N_("hint-own-tests-chat-log"), log_as_value
        raise CheckFailed(
            "own-tests-failed", causes=[cause], failed=", ".join(failed) or "—", tail=tail,
            code=process.returncode, label=label, **extra,
        )
    if int(ran.group(1)) == 0:
        raise CheckFailed("no-tests")
    skipped = SKIPPED.search(output)
    return Note("own-tests-note", count=int(ran.group(1)), skipped=int(skipped.group(1)) if skipped else 0)


# --- the verdict from outside: do the project's tests notice a broken consumer? -------------
# The grader's mutant: every consumer refuses its socket. A suite that still passes does not
# test the sockets, or its result is not its own (it prints "OK" whatever happens).
MUTANT = """# The checker's mutant (own-tests-pass): every WebSocket consumer refuses its connection.
from channels.generic import websocket as _websocket


def _refuse_sync(self, *args, **kwargs):
    self.close()


async def _refuse_async(self, *args, **kwargs):
    await self.close()


for _name in ("WebsocketConsumer", "JsonWebsocketConsumer"):
    getattr(_websocket, _name).accept = _refuse_sync
for _name in ("AsyncWebsocketConsumer", "AsyncJsonWebsocketConsumer"):
    getattr(_websocket, _name).accept = _refuse_async
"""


@verifier("own-tests-pass")
async def own_tests_pass_live(ctx):
    folder = ctx.scratch / "mutant"
    copy = folder / "project"
    shutil.copytree(ctx.root, copy, ignore=shutil.ignore_patterns(*SKIP_DIRS, "*.pyc", "*.sqlite3"))
    (folder / "lib").mkdir()
    (folder / "lib" / "sitecustomize.py").write_text(MUTANT, encoding="utf-8")
    env = {"DJANGO_SETTINGS_MODULE": ctx.settings_module, "PYTHONPATH": os.pathsep.join([str(folder / "lib"), str(copy)])}
    output = folder / "output.txt"
    process = ctx.spawn([ctx.python, "manage.py", "test", "--noinput", "--failfast"], copy, env, output)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 220
    while not process.ended(0):
        if loop.time() > deadline:
            process.finish()
            raise CheckFailed("own-tests-timeout", status="error", seconds=220, tail="(the grader's mutant)")
        await asyncio.sleep(0.2)
    code = process.returncode()
    process.finish()
    if code == 0:
        tail = "\n".join(output.read_text(errors="replace").strip().splitlines()[-6:])[-2000:]
        raise CheckFailed("own-tests-blind", tail=tail or "—")
