"""The servers of a benchmark run.

Each Django server runs from a temp copy of its step (the repo's `steps/` stay untouched) with a
migrated database, as ONE process on a free 127.0.0.1 port, and is stopped by its pid. A variant's
channel layer and settings come from the checker's settings overlay (checker/overlay.py) in the
temp dir, so the step itself is never edited; every server starts through checker/daphne.py.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from checker import ROOT, overlay
from checker.daphne import Daphne, ServerProcess
from checker.processes import free_port
from checker.redis_server import current_url

STEPS = ROOT / "steps"
REDIS_URL = current_url()  # REDIS_URL, else `make redis`'s private server, else 127.0.0.1:6379

REDIS_LAYER = "channels_redis.core.RedisChannelLayer"
PUBSUB_LAYER = "channels_redis.pubsub.RedisPubSubChannelLayer"
MEMORY_LAYER = "channels.layers.InMemoryChannelLayer"


@dataclass(frozen=True)
class ServerSpec:
    key: str  # stable id in results: "step06", "step06-uvicorn", ...
    label: str  # what the table shows
    step: str | None  # "06-async"; None for the raw server
    server: str = "daphne"  # "daphne" | "uvicorn" | "raw"
    layer: dict | None = field(default=None, hash=False)  # CHANNEL_LAYERS["default"] override
    loop: str = "asyncio"  # uvicorn only: "asyncio" | "uvloop"
    settings: str = ""  # more settings code for the overlay (Python, run after the step's own)
    patch: str = ""  # a key of PATCHES: edits made to this server's own temp copy of the step
    note: str = ""

    @property
    def frames(self) -> str:
        """The outgoing frame's shape: step 09 adds an id and a user."""
        return "id-user-message" if self.step == "09-history" else "message"


def redis_layer(**config) -> dict:
    return {"BACKEND": REDIS_LAYER, "CONFIG": {"hosts": [REDIS_URL], **config}}


# The standard set, in the order the table shows them.
STANDARD = [
    ServerSpec("step05", "05 sync consumer, Redis layer, Daphne", "05-groups"),
    ServerSpec("step06", "06 async consumer, Redis layer, Daphne", "06-async"),
    ServerSpec("step09", "09 (history), Redis layer, Daphne", "09-history"),
    ServerSpec("step06-pubsub", "06 + Redis PubSub layer", "06-async",
               layer={"BACKEND": PUBSUB_LAYER, "CONFIG": {"hosts": [REDIS_URL]}}),
    ServerSpec("step06-memory", "06 + in-memory layer", "06-async",
               layer={"BACKEND": MEMORY_LAYER}),
    ServerSpec("step06-uvicorn", "06 under Uvicorn (asyncio loop)", "06-async", server="uvicorn"),
    # Step 09's code as it is, deployed with the two choices that measured fastest for step 06.
    ServerSpec("step09-tuned", "09 under Uvicorn + uvloop, Redis PubSub layer", "09-history",
               server="uvicorn", loop="uvloop",
               layer={"BACKEND": PUBSUB_LAYER, "CONFIG": {"hosts": [REDIS_URL]}},
               note="server and layer changed, the step's code not"),
    ServerSpec("raw", "raw websockets broadcast (the limit)", None, server="raw"),
]

# Settings that might raise everyone's throughput, measured flat out only.
EXTRAS = [
    ServerSpec("step06-cap1000", "06 + Redis layer capacity=1000", "06-async",
               layer=redis_layer(capacity=1000), note="the layer's capacity 100 -> 1000"),
    ServerSpec("step09-cap100", "09 with the layer's default capacity (100)", "09-history",
               layer=redis_layer(), note="the layer's capacity 1000 -> 100"),
    ServerSpec("step06-uvicorn-uvloop", "06 under Uvicorn + uvloop", "06-async", server="uvicorn",
               loop="uvloop", note="uvloop instead of the asyncio loop"),
]

# What step 09 changed for speed (its dispatch override, CONN_MAX_AGE), and the edits that take it
# back out: measured on temp copies, never made in steps/. `python -m bench --step09` compares them.
def _without(rel: str, lines: str) -> tuple[str, str, str]:
    """An edit that removes `lines` (found once in steps/09-history/<rel>) from a copy."""
    return rel, lines, ""


DISPATCH = _without("chat/consumers.py", """    async def dispatch(self, message):
        # Before each handler Channels closes stale database connections, on the one
        # thread all sync code shares: a trip to that thread and back for every client
        # and every message in the room. chat_message never uses the database, so it
        # is called directly; connect and receive, which do, still get that check.
        if message["type"] == "chat.message":
            await self.chat_message(message)
        else:
            await super().dispatch(message)

""")
DATABASE = _without("chatsite/settings.py", """        # Keep the connection open. With the default (0) it is closed before the next
        # handler, and each saved message would open the SQLite file again.
        "CONN_MAX_AGE": None,
""")
PATCHES = {
    "no-dispatch": [DISPATCH],
    "no-conn-max-age": [DATABASE],
    "before": [DISPATCH, DATABASE],
}

WAL = ('DATABASES["default"]["OPTIONS"] = '
       '{"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}')

PROFILE_VARIANTS = [
    ServerSpec("step09-channels-dispatch", "09 without its dispatch(): Channels' own, with "
               "close_old_connections before chat_message too", "09-history", patch="no-dispatch"),
    ServerSpec("step09-conn-max-age-0", "09 with CONN_MAX_AGE=0 (Django's default)", "09-history",
               patch="no-conn-max-age"),
    ServerSpec("step09-before", "09 without either speed change", "09-history",
               patch="before"),
    ServerSpec("step09-wal", "09 + SQLite WAL, synchronous=NORMAL (not in the step: breaks the "
               "live-server tests)", "09-history", settings=WAL),
]

QUICK = ["step06", "raw"]

def copy_key(spec: ServerSpec) -> str:
    return spec.step + (f"+{spec.patch}" if spec.patch else "")


def prepare_steps(specs: list[ServerSpec], workdir: Path) -> dict[str, Path]:
    """One temp copy per step (and per patch) with its database migrated, in parallel."""
    copies: dict[str, Path] = {}
    procs = []
    for spec in specs:
        if not spec.step or copy_key(spec) in copies:
            continue
        key = copy_key(spec)
        copy = workdir / key.replace("+", "__")
        shutil.copytree(STEPS / spec.step, copy,
                        ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3*", "tests.py"))
        if spec.patch:
            apply_patch(copy, spec.patch)
        copies[key] = copy
        procs.append((key, subprocess.Popen(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=copy,
            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
    for key, proc in procs:
        out, _ = proc.communicate(timeout=120)
        if proc.returncode:
            raise RuntimeError(f"migrate failed in the copy of {key}:\n{out}")
    return copies


def apply_patch(project: Path, name: str) -> None:
    """Make the edits of PATCHES[name] in a copied project (each anchor must be found once)."""
    for rel, anchor, new in PATCHES[name]:
        path = project / rel
        text = path.read_text()
        if text.count(anchor) != 1:
            raise RuntimeError(f"patch {name!r}: {rel} no longer contains its anchor once:\n"
                               f"{anchor}")
        path.write_text(text.replace(anchor, new))


def patch_diff(step: str, name: str, reverse: bool = False) -> str:
    """The unified diff of PATCHES[name] against steps/<step> (for `git apply`); reverse: the
    diff that undoes those edits, i.e. what the step has that the variant lacks."""
    import difflib

    out = []
    for rel in dict.fromkeys(rel for rel, _, _ in PATCHES[name]):
        before = (STEPS / step / rel).read_text()
        after = before
        for r, anchor, new in PATCHES[name]:
            if r == rel:
                after = after.replace(anchor, new)
        if reverse:
            before, after = after, before
        out += difflib.unified_diff(before.splitlines(keepends=True),
                                    after.splitlines(keepends=True),
                                    f"a/steps/{step}/{rel}", f"b/steps/{step}/{rel}")
    return "".join(out)


def _env(**extra) -> dict:
    env = dict(os.environ, REDIS_URL=REDIS_URL, PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(extra)
    return env


class Server:
    """One running server process, started through checker.daphne's launcher."""

    def __init__(self, spec: ServerSpec, workdir: Path, copies: dict[str, Path],
                 cpu: int | None = None):
        self.spec = spec
        self.port = free_port()
        log_path = workdir / f"{spec.key}.log"
        env = _env()
        if spec.server == "raw":
            self.server = ServerProcess(
                [sys.executable, "-m", "bench.raw_server", "--port", str(self.port)],
                cwd=ROOT, env=env, log_path=log_path)
        else:
            cwd = copies[copy_key(spec)]
            if spec.layer is not None or spec.settings:
                folder = workdir / "overlays" / spec.key.replace("-", "_")
                env["DJANGO_SETTINGS_MODULE"] = overlay.write(
                    folder, "chatsite.settings", layer=spec.layer, extra=spec.settings)
                env["PYTHONPATH"] = os.pathsep.join([str(folder), str(cwd)])
            if spec.server == "daphne":
                self.server = Daphne("chatsite.asgi.application", cwd=cwd, env=env,
                                     port=self.port, log_path=log_path)
            else:
                self.server = ServerProcess(
                    [sys.executable, "-m", "uvicorn", "chatsite.asgi:application",
                     "--host", "127.0.0.1", "--port", str(self.port), "--loop", spec.loop,
                     "--ws", "websockets-sansio", "--lifespan", "off"],
                    cwd=cwd, env=env, log_path=log_path)
        self.cmd = self.server.command
        self.process = self.server.process
        self.pid = self.server.pid
        self.cpu = cpu
        if cpu is not None and hasattr(os, "sched_setaffinity"):
            try:
                os.sched_setaffinity(self.pid, {cpu})
            except OSError:
                self.cpu = None

    def wait_ready(self, timeout: float = 45) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.spec.key} exited with {self.process.returncode}:\n"
                                   f"{self.output()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.spec.key} did not listen on port {self.port} "
                                   f"in {timeout:.0f} s:\n{self.output()[-3000:]}")
            time.sleep(0.05)

    def url(self, room: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/chat/{room}/"

    @property
    def origin(self) -> str:
        # AllowedHostsOriginValidator: a socket without an allowed Origin is refused.
        return f"http://127.0.0.1:{self.port}"

    def rss_mb(self) -> float | None:
        return _proc_status_kb(self.pid, "VmRSS")

    def peak_rss_mb(self) -> float | None:
        return _proc_status_kb(self.pid, "VmHWM")

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the server process so far (from /proc/PID/stat)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None

    def wait_idle(self, quiet_cpu_s: float = 0.01, window_s: float = 0.1,
                  max_s: float = 3.0) -> float:
        """Wait until the process used < quiet_cpu_s of CPU in window_s (its disconnect handlers
        are done), at most max_s: the next server is then measured on a quiet machine."""
        t0 = time.monotonic()
        last = self.cpu_seconds()
        while last is not None and time.monotonic() - t0 < max_s:
            time.sleep(window_s)
            now = self.cpu_seconds()
            if now is None or now - last < quiet_cpu_s:
                break
            last = now
        return time.monotonic() - t0

    def output(self) -> str:
        return self.server.output()

    def stop(self) -> None:
        """SIGTERM by pid, SIGKILL if it does not exit in 10 s."""
        self.server.stop(grace=10)


def _proc_status_kb(pid: int, key: str) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    try:
        import psutil

        info = psutil.Process(pid).memory_info()
        return (info.rss if key == "VmRSS" else getattr(info, "peak_wset", info.rss)) / 2**20
    except Exception:
        return None


def start_all(specs: list[ServerSpec], workdir: Path, cpu: int | None = None) -> list[Server]:
    """Start every server at once (they idle while another one is measured); wait for all."""
    copies = prepare_steps(specs, workdir)
    servers: list[Server] = []
    try:
        for spec in specs:
            servers.append(Server(spec, workdir, copies, cpu=cpu))
        for server in servers:
            server.wait_ready()
    except BaseException:
        stop_all(servers)
        raise
    return servers


def stop_all(servers: list[Server]) -> None:
    for server in servers:
        try:
            server.stop()
        except Exception:  # noqa: BLE001 - stop the others whatever happens to one
            pass
