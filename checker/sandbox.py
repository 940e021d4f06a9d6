"""A bubblewrap sandbox for everything that runs a submission's code (its probe, its Daphne
servers, its own test suite): one per submission's run.

What the code inside sees and may do:
  - the system (/usr, a few files of /etc), the interpreter and the checker package, read-only;
  - the submission, read-only; a scratch folder of its own (its database copy, the probe's
    files, the servers' sockets; at the same path inside as outside) and a /tmp, writable;
  - nothing of the instructor's home, the workbook, the other submissions or any report;
  - its own network namespace with loopback only, and its own Redis in it (127.0.0.1:6379);
  - a clean environment; limits on processes, memory, open files, file size and CPU;
  - its own pid namespace: every process it started is gone when the sandbox ends (the agent
    is its first process, and bwrap dies with its parent).

Bubblewrap (Debian's `bubblewrap`, ~40 ms a start, unprivileged) rather than firejail (setuid,
a history of CVEs) or nsjail (no Debian package); systemd-run is not on these machines.
Processes, memory: a cgroup of our own when we may make one (root, or a delegated subtree),
else per-process rlimits (RLIMIT_NPROC counted from what the user already runs).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from checker import ROOT

INSTALL = ("bubblewrap is not installed: it sandboxes each submission while it is graded.\n"
           "  Debian/Ubuntu: sudo apt-get install bubblewrap\n"
           "  Fedora: sudo dnf install bubblewrap   Arch: sudo pacman -S bubblewrap\n"
           "  macOS and WSL1 have none: grade on Linux, or pass --unsafe (no sandbox) at your own risk.")
# Budgets of one submission's run.
PROCESSES = 256  # a probe, two servers, a test suite with a browser: about 60
MEMORY = 3 << 30  # bytes, for the whole sandbox (a cgroup); per process without one
SCRATCH = 512 << 20  # bytes of /tmp
FILE_SIZE = 256 << 20  # the largest file a process may write
OPEN_FILES = 1024
CPU_SECONDS = 600  # per process
ETC = ("passwd", "group", "hosts", "nsswitch.conf", "localtime", "ld.so.cache", "ld.so.conf", "ld.so.conf.d",
       "ssl", "ca-certificates", "fonts", "alternatives", "chromium", "chromium.d", "mime.types")


def available() -> str:
    """"" when bubblewrap runs here; else why not (the install line)."""
    if sys.platform != "linux" or shutil.which("bwrap") is None:
        return INSTALL
    done = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent",
                           sys.executable, "-c", ""], capture_output=True, text=True)
    if done.returncode:
        return (f"bubblewrap is installed but does not run here: {done.stderr.strip()}\n"
                "  It needs unprivileged user namespaces: sudo sysctl -w kernel.unprivileged_userns_clone=1\n"
                "  (Ubuntu 24.04: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0),\n"
                "  or pass --unsafe (no sandbox) at your own risk.")
    return ""


class Cgroup:
    """A pids + memory cgroup of our own (v2, or v1's pids and memory), when we may make one."""

    def __init__(self, name: str):
        self.paths: list[Path] = []
        v2 = Path("/sys/fs/cgroup/cgroup.controllers")
        bases = [Path("/sys/fs/cgroup")] if v2.exists() else [Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup/memory")]
        for base in bases:
            folder = base / f"checker-{name}"
            try:
                folder.mkdir()
            except OSError:
                continue
            self.paths.append(folder)
        limits = {"pids.max": str(PROCESSES), "memory.max": str(MEMORY), "memory.limit_in_bytes": str(MEMORY),
                  "memory.memsw.limit_in_bytes": str(MEMORY), "memory.swap.max": "0"}
        for folder in self.paths:
            for name_, value in limits.items():
                try:
                    (folder / name_).write_text(value)
                except OSError:
                    pass

    @property
    def limits_pids(self) -> bool:
        return any((p / "pids.max").exists() for p in self.paths)

    def join(self):
        """In the bwrap process before it execs: it and all it starts belong to the cgroup."""
        for folder in self.paths:
            try:
                (folder / "cgroup.procs").write_text(str(os.getpid()))
            except OSError:
                pass

    def remove(self):
        for folder in self.paths:
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except OSError:  # processes still leaving
                    time.sleep(0.02)


def user_processes() -> int:
    uid = os.getuid()
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += 1
            except OSError:
                pass
    return count


class Sandbox:
    """One submission's sandbox: `start` has the shape of checker.launch.spawn."""

    def __init__(self, project: Path, python: str):
        self.project = Path(project).resolve()
        self.python = python
        self.folder = Path(tempfile.mkdtemp(prefix="checker-box-"))
        self.run = self.folder / "run"  # the same path inside: writable by the submission
        self.run.mkdir()
        self.cgroup = Cgroup(self.folder.name)
        limits = {
            "CHECKER_LIMIT_NOFILE": OPEN_FILES, "CHECKER_LIMIT_FSIZE": FILE_SIZE, "CHECKER_LIMIT_CPU": CPU_SECONDS,
        }
        if not self.cgroup.limits_pids:  # RLIMIT_NPROC counts all of the user's processes
            limits["CHECKER_LIMIT_NPROC"] = user_processes() + PROCESSES
            limits["CHECKER_LIMIT_DATA"] = MEMORY
        self.limits = {k: str(v) for k, v in limits.items()}
        redis = shutil.which("redis-server")
        redis_argv = [redis, "--port", "6379", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                      "--dir", "/tmp", "--unixsocket", str(self.run / "redis.sock"), "--unixsocketperm", "777",
                      "--maxmemory", "256mb"] if redis else None
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
               **self.limits, **({"CHECKER_SANDBOX_REDIS": json.dumps(redis_argv)} if redis_argv else {})}
        setenv = [arg for name, value in env.items() for arg in ("--setenv", name, value)]
        self.process = subprocess.Popen(
            self.command() + setenv + [python, "-m", "checker.sandbox_agent"], env={"PATH": "/usr/bin:/bin"}, cwd="/",
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            preexec_fn=self.cgroup.join, start_new_session=True,
        )
        self.redis_socket = self.run / "redis.sock"
        deadline = time.monotonic() + 10
        while redis_argv and not self.redis_socket.exists() and time.monotonic() < deadline:
            time.sleep(0.02)

    def command(self) -> list[str]:
        """bwrap and its mounts (see the module's docstring)."""
        command = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
                   "--clearenv", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/dev/shm",
                   "--size", str(SCRATCH), "--tmpfs", "/tmp"]
        command += ["--ro-bind", "/usr", "/usr"]
        for link in ("bin", "lib", "lib64", "sbin"):
            if Path("/" + link).is_symlink():
                command += ["--symlink", os.readlink("/" + link), "/" + link]
            elif Path("/" + link).is_dir():
                command += ["--ro-bind", "/" + link, "/" + link]
        for name in ETC:
            if Path("/etc", name).exists():
                command += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
        # The interpreter (its base installation and the venv), the checker, the submission.
        for folder in dict.fromkeys([Path(sys.base_prefix), Path(sys.prefix), self.interpreter_prefix()]):
            if folder and not str(folder).startswith("/usr"):
                command += ["--ro-bind", str(folder), str(folder)]
        command += ["--ro-bind", str(ROOT / "checker"), str(ROOT / "checker")]
        command += ["--ro-bind", str(self.project), str(self.project)]
        command += ["--bind", str(self.run), str(self.run), "--chdir", str(self.run)]
        return command

    def interpreter_prefix(self) -> Path | None:
        """The environment `python` belongs to (a student's venv), when it is not ours."""
        path = Path(self.python)
        if (path.parent.parent / "pyvenv.cfg").exists():
            return path.parent.parent.resolve()
        return None

    def ask(self, request: dict) -> dict:
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            return json.loads(self.process.stdout.readline() or "{}")
        except (OSError, ValueError):
            return {}

    def environment(self, env: dict) -> dict:
        """The clean environment a process inside gets: only what the checker means it to."""
        keep = {"DJANGO_SETTINGS_MODULE", "PYTHONPATH", "CHECKER_TMP", "CHECKER_LAYER"}
        clean = {k: v for k, v in env.items() if k in keep}
        return {**clean, "PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
                "REDIS_URL": "redis://127.0.0.1:6379/0", "TMPDIR": "/tmp", **self.limits}

    def spawn(self, argv: list[str], cwd, env: dict, output: Path) -> SandboxedProcess:
        answer = self.ask({"op": "spawn", "argv": argv, "cwd": str(cwd), "env": self.environment(env),
                           "output": str(output)})
        return SandboxedProcess(self, answer.get("pid"))

    def start(self, python, job_path, cwd, env, output):
        """A probe inside (the shape of checker.launch.spawn)."""
        return self.spawn([self.python, "-m", "checker.probe", str(job_path)], cwd, env, output)

    def close(self):
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait()
        self.cgroup.remove()
        shutil.rmtree(self.folder, ignore_errors=True)


class SandboxedProcess:
    def __init__(self, sandbox: Sandbox, pid: int | None):
        self.sandbox = sandbox
        self.pid = pid

    def ended(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            if self.pid is None or not self.sandbox.ask({"op": "alive", "pid": self.pid}).get("alive"):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(min(0.02, max(deadline - time.monotonic(), 0)))

    def returncode(self) -> int | None:
        return self.sandbox.ask({"op": "alive", "pid": self.pid}).get("returncode") if self.pid else None

    def finish(self):
        if self.pid is not None:
            self.sandbox.ask({"op": "kill", "pid": self.pid})


class SandboxServers:
    """Daphne processes inside the sandbox, each on a Unix socket in its scratch folder (the
    only way in from outside: the sandbox has a network of its own)."""

    def __init__(self, sandbox: Sandbox, application: str, count: int, env: dict, cwd: Path):
        from checker.daphne import asgi_target

        self.sandbox = sandbox
        self.launched = time.monotonic()
        self.sockets = [sandbox.run / f"daphne-{i}.sock" for i in range(count)]
        self.logs = [sandbox.run / f"daphne-{i}.log" for i in range(count)]
        self.processes = [
            sandbox.spawn([sandbox.python, "-m", "daphne", "-u", str(sock), asgi_target(application)], cwd, env, log)
            for sock, log in zip(self.sockets, self.logs, strict=True)
        ]

    def _log(self, i: int, limit: int = 1 << 20) -> str:
        try:
            with open(self.logs[i], "rb") as log:
                log.seek(max(0, self.logs[i].stat().st_size - limit))
                return log.read().decode("utf-8", "replace")  # written inside: read a bounded tail
        except OSError:
            return ""

    async def ready(self, timeout: float = 30):
        import asyncio

        from checker.live import Endpoint

        while True:
            up = []
            for i, sock in enumerate(self.sockets):
                if sock.exists() and _connects(sock):
                    up.append(Endpoint(unix=str(sock)))
                elif self.processes[i].ended(0):
                    raise RuntimeError("\n".join(self._log(i).strip().splitlines()[-15:]))
            if len(up) == len(self.sockets):
                return up
            if time.monotonic() - self.launched > timeout:
                raise RuntimeError(f"Daphne did not listen within {timeout:g} s of its start")
            await asyncio.sleep(0.05)

    def exceptions(self) -> int:
        """How many tracebacks the servers have logged so far."""
        return sum(self._log(i).count("Traceback (most recent call last)") for i in range(len(self.logs)))

    def exception(self, root: Path) -> str:
        from checker.failures import daphne_error

        return next((e for e in (daphne_error(self._log(i), root) for i in range(len(self.logs))) if e), "")

    def last_error(self, root: Path) -> str:
        return self.exception(root) or "\n".join(
            "\n".join(self._log(i).strip().splitlines()[-5:]) for i in range(len(self.logs)))

    def stop(self):
        for process in self.processes:
            process.finish()


def _connects(path: Path) -> bool:
    import socket

    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            s.connect(str(path))
        return True
    except OSError:
        return False
