"""`python -m checker.sandbox_agent`: the first process inside a submission's sandbox.

It starts the submission's private Redis, then starts, watches and stops the processes the
runner asks for (a probe, Daphne servers), each in a session of its own with the sandbox's
limits. Requests on stdin and answers on stdout, one JSON line each:

    {"op": "spawn", "argv": [...], "cwd": ..., "env": {...}, "output": PATH} -> {"pid": N}
    {"op": "alive", "pid": N}                             -> {"alive": bool, "returncode": N | None}
    {"op": "kill", "pid": N}                                                 -> {"killed": N}

The agent runs the submission's code in nothing of its own; whatever that code does, it stays
inside the sandbox (its own pid, network and mount namespaces), and the verdicts are decided
outside. Only the standard library here.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys

# Set by the sandbox (checker/sandbox.py) through the environment, per process.
LIMITS = {
    "CHECKER_LIMIT_NOFILE": resource.RLIMIT_NOFILE,
    "CHECKER_LIMIT_FSIZE": resource.RLIMIT_FSIZE,
    "CHECKER_LIMIT_CPU": resource.RLIMIT_CPU,
    "CHECKER_LIMIT_NPROC": resource.RLIMIT_NPROC,
    "CHECKER_LIMIT_DATA": resource.RLIMIT_DATA,
}


def not_dumpable():
    """No process of the same uid may read this one's memory or open its descriptors (the
    pipes to the runner) through /proc."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except Exception:
        pass


def limited():
    """In the child, before exec: a session of its own and the sandbox's limits."""
    os.setsid()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for name, which in LIMITS.items():
        value = os.environ.get(name)
        if value:
            try:
                resource.setrlimit(which, (int(value), int(value)))
            except (ValueError, OSError):
                pass


def main():
    not_dumpable()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    children: dict[int, subprocess.Popen] = {}
    redis = os.environ.get("CHECKER_SANDBOX_REDIS")
    if redis:
        children[-1] = subprocess.Popen(json.loads(redis), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        preexec_fn=limited)
    for line in sys.stdin:
        try:
            request = json.loads(line)
            op = request.get("op")
            if op == "spawn":
                with open(request["output"], "ab") as out:
                    process = subprocess.Popen(
                        request["argv"], cwd=request["cwd"], env=request["env"], stdout=out,
                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=limited,
                    )
                children[process.pid] = process
                answer = {"pid": process.pid}
            elif op == "alive":
                process = children.get(int(request["pid"]))
                code = process.poll() if process else None
                answer = {"alive": bool(process and code is None), "returncode": code}
            elif op == "kill":
                pid = int(request["pid"])
                try:
                    os.killpg(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                if pid in children:
                    children.pop(pid).wait()
                answer = {"killed": pid}
            else:
                answer = {"error": f"unknown op {op!r}"}
        except Exception as exc:  # a bad request must not end the agent
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(answer), flush=True)
    # The runner closed our stdin: the sandbox ends, and every process in it with it.


if __name__ == "__main__":
    main()
