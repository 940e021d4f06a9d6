#!/usr/bin/env python3
"""One Gradescope submission, checked: what run_autograder runs, in the workbook's venv.

    python autograder.py              check /autograder/submission, write results/results.json
    python autograder.py --fallback   print the results.json for "the autograder itself failed"
                                      (setup.sh keeps it beside run_autograder, as a last resort)

It reads autograder.toml beside it (the step, the language, --thorough, the sandbox, a time
limit), starts a Redis of its own on loopback (6379 when free: a student's settings may name it),
runs `python -m checker check STEP --project SUBMISSION --format gradescope --out results.json`
in a session of its own, and stops everything that session started. Whatever goes wrong (a
configuration error, a time-out, a crash of the checker), a results.json is written that says
so, in the assignment's language (the checker's catalogs). The exit status is 0 unless even
that failed: run_autograder then writes its fallback.

Gradescope's layout (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
/autograder/source (our zip), /autograder/submission (the student's files),
/autograder/results/results.json (what Gradescope reads). AUTOGRADER_ROOT moves the root.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
HERE = Path(__file__).resolve().parent
SANDBOX = ("auto", "yes", "no")


def read_config(path: Path, course) -> dict:
    """autograder.toml, checked: ValueError(what is wrong) otherwise."""
    from checker.course import tomllib
    from checker.i18n import LANGS

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path.name}: {exc}") from exc
    config = {"lang": "en", "thorough": False, "sandbox": "auto", "timeout": 600, **data}
    if config.get("step") not in course.steps:
        raise ValueError(f"{path.name}: step = {config.get('step')!r}; the steps are {', '.join(map(str, course.steps))}")
    if config["lang"] not in LANGS:
        raise ValueError(f"{path.name}: lang = {config['lang']!r}; one of {', '.join(LANGS)}")
    if config["sandbox"] not in SANDBOX or not isinstance(config["thorough"], bool):
        raise ValueError(f"{path.name}: sandbox is one of {', '.join(SANDBOX)}, thorough true or false")
    if not isinstance(config["timeout"], (int, float)) or config["timeout"] <= 0:
        raise ValueError(f"{path.name}: timeout = {config['timeout']!r}; a number of seconds")
    return config


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def start_redis(folder: Path):
    """A redis-server of ours on 127.0.0.1 (None when there is none to start: the checks that
    need Redis then fail and say so)."""
    from checker.redis_server import RedisServer

    try:
        return RedisServer(folder, 6379 if port_free(6379) else None).start()
    except (OSError, RuntimeError) as exc:
        print(f"autograder: no Redis of our own: {exc}", flush=True)
        return None


def use_sandbox(choice: str) -> bool:
    if choice == "no":
        return False
    from checker.sandbox import available

    missing = available()
    if missing and choice == "auto":
        print(f"autograder: no sandbox (sandbox = \"auto\"): {missing.splitlines()[0]}", flush=True)
        return False
    return True  # "yes": the checker itself refuses, and says why, when bubblewrap cannot run


def valid(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and isinstance(data.get("tests"), list)


def write(path: Path, results: dict) -> None:
    from checker.autograders import write_atomically

    write_atomically(path, json.dumps(results, ensure_ascii=False, indent=2) + "\n")


def interrupt(process: subprocess.Popen, grace: float = 15) -> None:
    """Stop the checker as Ctrl-C would: it then stops the probes and servers it started (each
    in a session of its own), and only if it does not, is killed with its session."""
    from checker.processes import kill_group

    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=grace)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        kill_group(process.pid)
        process.wait()


def check(course, config: dict, results: Path) -> None:
    """Run the checker on the submission, in a session of its own; write results.json."""
    from checker.autograders import gradescope_crashed, gradescope_timeout
    from checker.processes import kill_group

    step = course.steps[config["step"]]
    command = [sys.executable, "-m", "checker", "check", str(step.number), "--project", str(ROOT / "submission"),
               "--format", "gradescope", "--out", str(results), "--lang", config["lang"]]
    command += ["--thorough"] if config["thorough"] else []
    command += ["--sandbox"] if use_sandbox(config["sandbox"]) else []
    with tempfile.TemporaryDirectory(prefix="autograder-redis-") as folder:
        redis = start_redis(Path(folder)) if step.needs_redis else None
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CHECKER_", "DJANGO_"))}
        if redis is not None:
            env["REDIS_URL"] = redis.url
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        started = time.monotonic()
        print("autograder: " + " ".join(command), flush=True)
        process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
        try:
            status = process.wait(timeout=config["timeout"])
        except subprocess.TimeoutExpired:
            interrupt(process)
            print(f"autograder: the check took longer than {config['timeout']} s: stopped", flush=True)
            write(results, gradescope_timeout(course, step, config["timeout"], config["lang"]))
            return
        finally:
            kill_group(process.pid)  # whatever the submission left running in the session
            if redis is not None:
                redis.stop()
        if not valid(results):
            error = f"the checker ended with exit status {status} and no results.json"
            write(results, gradescope_crashed(course, step, error, config["lang"], time.monotonic() - started))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="autograder.py", description=__doc__.splitlines()[0])
    parser.add_argument("--fallback", action="store_true", help="print the last-resort results.json")
    parser.add_argument("--config", type=Path, default=Path(os.environ.get("AUTOGRADER_CONFIG") or HERE / "autograder.toml"))
    args = parser.parse_args(argv)
    results = ROOT / "results" / "results.json"
    from checker.autograders import gradescope_crashed, gradescope_misconfigured
    from checker.course import load_course

    course = load_course()
    try:
        config = read_config(args.config, course)
    except ValueError as exc:
        print(f"autograder: {exc}", flush=True)
        if args.fallback:
            raise SystemExit(f"autograder: {exc}") from exc
        results.parent.mkdir(parents=True, exist_ok=True)
        write(results, gradescope_misconfigured(str(exc)))
        return 0
    if args.fallback:
        error = "run_autograder ended without a results.json"
        print(json.dumps(gradescope_crashed(course, course.steps[config["step"]], error, config["lang"]),
                         ensure_ascii=False, indent=2))
        return 0
    results.parent.mkdir(parents=True, exist_ok=True)
    results.unlink(missing_ok=True)  # only what this run writes counts
    try:
        check(course, config, results)
    except Exception as exc:  # the autograder's own trouble: still a results.json that says so
        import traceback

        traceback.print_exc()
        write(results, gradescope_crashed(course, course.steps[config["step"]], f"{type(exc).__name__}: {exc}",
                                          config["lang"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
