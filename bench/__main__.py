"""`python -m bench [--quick]`: the workbook's benchmark.

The standard run (< 5 minutes on 2 cores):
  1. starts every server at once, each on a free loopback port from a temp copy of its step;
  2. for N = 10, 50, 200 clients in one room, and for each load ("fixed" rate, then "flat" out),
     measures every server in turn, the order rotating from round to round (servers alternate:
     never all the loads of one server, then all of the next);
  3. the extras: a burst over the layer's capacity (default 100 vs capacity=1000, PubSub,
     in-memory), a flood against step 09's rate limit;
  4. stops the servers by pid, then times the checker: `python -m checker check N` for steps 1-6
     on the reference and on a copy run by a student's virtualenv, `check all` (median of 5), and
     `checker watch` from a save to its first line (bench/watch_reaction.py);
  5. writes bench/results/latest.json, latest.md and fanout.png, and prints the table.

`--quick`: N=5, two servers (step 06 and the raw limit), one checker run of step 1; it writes to a
temp folder unless --out is given (the committed results stay those of a full run).
`--step09`: step 06 vs step 09 vs step 09 without each of its two speed changes, repeated.
`--compare K1,K2`: the same for any servers (uvloop: step06-uvicorn,step06-uvicorn-uvloop).
`--profile KEY`: py-spy on that server's process under a repeated load.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import report
from bench.load import LoadSpec, run_load_sync
from bench.servers import (
    EXTRAS,
    PROFILE_VARIANTS,
    QUICK,
    REDIS_URL,
    STANDARD,
    Server,
    ServerSpec,
    start_all,
    stop_all,
)
from checker import ROOT

RESULTS = ROOT / "bench" / "results"
CLIENTS = (10, 50, 200)
QUICK_CLIENTS = (5,)

# The fixed rate: the room gets about this many deliveries a second (messages x clients), from
# at most 10 senders, none faster than 4 messages a second (step 09 allows 10 at once, then 5/s).
FIXED_DELIVERIES_PER_S = 1000
MAX_SENDERS = 10
MAX_RATE = 4.0
FIXED_SECONDS = 1.5
# Flat out: each sender sends step 09's burst (10) back to back: every server gets the same load
# and step 09's rate limit rejects none of it. The extras go past both limits on purpose.
FLAT_MESSAGES = 10


def fixed_load(n: int, seconds: float = FIXED_SECONDS) -> LoadSpec:
    room_rate = min(MAX_RATE * min(n, MAX_SENDERS), FIXED_DELIVERIES_PER_S / n)
    total = max(2, round(room_rate * seconds))
    senders = max(1, min(n, MAX_SENDERS, total // 2))
    per_sender = math.ceil(total / senders)
    rate = min(MAX_RATE, per_sender / seconds)
    # quiet: how long the room may stay silent before the missing messages count as lost. Only
    # a lossy run waits it out (a complete one ends at its last delivery): be generous.
    return LoadSpec(clients=n, mode="fixed", senders=senders, messages=per_sender, rate=rate,
                    quiet=5.0, deadline=seconds + 20)


def flat_load(n: int) -> LoadSpec:
    return LoadSpec(clients=n, mode="flat", senders=min(n, MAX_SENDERS), messages=FLAT_MESSAGES,
                    quiet=3.0, deadline=30)


# The extras: (name, what it shows, servers, load).
def extra_loads() -> list[tuple[str, str, list[str], LoadSpec]]:
    return [
        ("burst", "30 of 50 clients send 10 at once (300 messages): over the layer's default "
                  "capacity of 100 (step 09 sets 1000), within step 09's rate limit",
         ["step06", "step06-cap1000", "step09", "step09-cap100", "step06-pubsub", "step06-memory"],
         LoadSpec(clients=50, mode="flat", senders=30, messages=10, quiet=1.5, deadline=30)),
        ("flood", "one client of 10 sends 30 at once: step 09's rate limit (10 at once, then 5/s) "
                  "answers the rest with error frames",
         ["step06", "step09"],
         LoadSpec(clients=10, mode="flat", senders=1, messages=30, quiet=1.0, deadline=15)),
    ]


def versions() -> dict:
    out = {"python": platform.python_version()}
    for dist in ("django", "channels", "channels-redis", "daphne", "uvicorn", "uvloop",
                 "websockets", "redis", "twisted"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = None
    try:
        import redis

        out["redis-server"] = redis.Redis.from_url(REDIS_URL).info("server")["redis_version"]
    except Exception:  # noqa: BLE001 - only a label
        out["redis-server"] = None
    return out


def machine() -> dict:
    return {"cpus": os.cpu_count(), "platform": platform.platform(),
            "loadavg": list(os.getloadavg()) if hasattr(os, "getloadavg") else None}


def say(*args) -> None:
    print(*args, flush=True)


def measure(server: Server, spec: LoadSpec, name: str, rooms: list[int]) -> dict:
    """One load against one server, with the server's CPU time and memory around it."""
    rooms[0] += 1
    room = f"bench-{os.getpid()}-{rooms[0]}"
    cpu0 = server.cpu_seconds()

    def probe():
        return {"rss_mb": server.rss_mb(), "cpu_s": server.cpu_seconds()}

    try:
        result = run_load_sync(server.url(room), server.origin, spec, probe=probe).as_dict()
    except Exception as exc:  # noqa: BLE001 - one broken load must not stop the run
        result = {"clients": spec.clients, "mode": spec.mode, "senders": spec.senders,
                  "error": f"{type(exc).__name__}: {exc}"}
    if server.process.poll() is not None:
        result["error"] = (result.get("error") or "") + \
            f" server exited with {server.process.returncode}: {server.output()[-500:]}"
    probe_values = result.pop("probe", None) or {}
    cpu1 = probe_values.get("cpu_s")
    cpu_s = (cpu1 - cpu0) if (cpu0 is not None and cpu1 is not None) else None
    delivered = result.get("delivered") or 0
    result.update(
        server=server.spec.key, load=name,
        messages_per_sender=spec.messages, rate_per_sender=spec.rate,
        server_cpu_s=cpu_s,
        cpu_us_per_delivery=(cpu_s / delivered * 1e6) if (cpu_s is not None and delivered) else None,
        rss_mb=probe_values.get("rss_mb") or server.rss_mb(),
        peak_rss_mb=server.peak_rss_mb(),
    )
    return result


def line(r: dict) -> str:
    lat = r.get("latency_ms") or {}
    rej = sum((r.get("rejected") or {}).values())
    text = (f"  {r['server']:<22} {r['load']:<6} N={r['clients']:<4} "
            f"{r.get('deliveries_per_s', 0):>9,.0f} deliveries/s  "
            f"p50 {lat.get('p50', float('nan')):>7.1f} ms  p99 {lat.get('p99', float('nan')):>7.1f} ms  "
            f"lost {r.get('lost', '?')}  dup {r.get('duplicated', '?')}")
    if rej:
        text += f"  rejected {rej}"
    if r.get("error"):
        text += f"  ERROR {r['error'][:200]}"
    return text


def warm_up(servers: list[Server]) -> None:
    """First connections import and connect lazily (Redis pools, the ORM): not part of a load."""
    for server in servers:
        for i in range(2):
            run_load_sync(server.url(f"warm-up-{i}"), server.origin,
                          LoadSpec(clients=3, mode="flat", senders=3, messages=3, quiet=0.5,
                                   deadline=10))


def fanout(specs: list[ServerSpec], clients: tuple[int, ...], fixed_seconds: float,
           extras: bool, say=say) -> tuple[list[dict], list[dict], list[dict]]:
    """Every load against every server, alternating. Returns (servers, results, extras)."""
    workdir = Path(tempfile.mkdtemp(prefix="channels-bench-"))
    extra_plan = extra_loads() if extras else []
    wanted = {s.key for s in specs}
    for _, _, keys, _ in extra_plan:
        wanted.update(keys)
    all_specs = specs + [s for s in EXTRAS if s.key in wanted and s not in specs]
    all_specs += [s for s in STANDARD if s.key in wanted and s not in all_specs]
    results: list[dict] = []
    extra_results: list[dict] = []
    rooms = [0]
    t0 = time.monotonic()
    servers = start_all(all_specs, workdir)
    try:
        say(f"{len(servers)} servers up in {time.monotonic() - t0:.1f} s: "
            + ", ".join(f"{s.spec.key}:{s.port}" for s in servers))
        warm_up(servers)
        by_key = {s.spec.key: s for s in servers}
        main = [by_key[s.key] for s in specs]
        round_no = 0
        for n in clients:
            for spec in (fixed_load(n, fixed_seconds), flat_load(n)):
                # Rotate the order every round: no server is always measured first.
                order = main[round_no % len(main):] + main[:round_no % len(main)]
                round_no += 1
                for server in order:
                    r = measure(server, spec, spec.mode, rooms)
                    results.append(r)
                    say(line(r))
                    server.wait_idle()
        for name, what, keys, spec in extra_plan:
            say(f"extra '{name}': {what}")
            for key in keys:
                r = measure(by_key[key], spec, name, rooms)
                r["what"] = what
                extra_results.append(r)
                say(line(r))
                by_key[key].wait_idle()
        server_info = [{
            "key": s.spec.key, "label": s.spec.label, "step": s.spec.step,
            "server": s.spec.server, "loop": s.spec.loop if s.spec.server == "uvicorn" else
            ("asyncio (Twisted's asyncio reactor)" if s.spec.server == "daphne" else "asyncio"),
            "layer": (s.spec.layer or {}).get("BACKEND") if s.spec.step else None,
            "layer_config": s.spec.layer, "settings": s.spec.settings or None,
            "note": s.spec.note, "command": " ".join(Path(c).name if i == 0 else c
                                                       for i, c in enumerate(s.cmd)),
            "peak_rss_mb": s.peak_rss_mb(), "standard": s.spec in specs,
        } for s in servers]
        for info in server_info:
            if info["step"] and info["layer"] is None:
                info["layer"] = "channels_redis.core.RedisChannelLayer (the step's own settings)"
    finally:
        stop_all(servers)
        shutil.rmtree(workdir, ignore_errors=True)
    return server_info, results, extra_results


STEP_HEADER = re.compile(r"^\S+ (\d+) · ")  # "Step 05 · ..." / "Шаг 05 · ...": a step's report


STUDENT_PACKAGES = ["django>=5.2,<5.3", "channels[daphne]>=4.3,<4.4", "channels-redis>=4.3,<4.4", "redis>=5,<8",
                    "selenium>=4.20"]


def time_checker(runs: int, standalone: list[int] | None = None, include_all: bool = True,
                 student: bool = True, say=say) -> dict:
    """Wall time of the checker, as a user runs it, median of `runs` rounds (alternating).

    - `python -m checker check all` (= `make check`), whole process;
    - inside each `check all`, each step's share: the checker prints a step's report the moment
      the step is done, so the time between two reports is that step's time (the first includes
      the process start);
    - `python -m checker check N` on its own for the steps in `standalone`, on the reference
      (the workbook's interpreter) and, with `student`, on a copy of the step in a folder of its
      own run by a student's virtualenv (`--python`): what a student's `make check-step` costs.
    """
    from checker.course import load_course
    from tools.venvs import venv

    course = load_course()
    steps = sorted(course.steps)
    standalone = steps if standalone is None else [n for n in standalone if n in steps]
    env = dict(os.environ, REDIS_URL=REDIS_URL, PYTHONDONTWRITEBYTECODE="1")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("VIRTUAL_ENV", None)
    copies = Path(tempfile.mkdtemp(prefix="bench-student-"))
    python = str(venv("bench-student", STUDENT_PACKAGES)) if student and standalone else None
    commands = {}
    for n in standalone:
        commands[(n, "reference")] = [sys.executable, "-m", "checker", "check", str(n)]
        if python:
            copy = copies / f"my-chat-{n}"
            shutil.copytree(course.steps[n].path, copy, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
            commands[(n, "student")] = [sys.executable, "-m", "checker", "check", str(n), "--project",
                                        str(copy), "--python", python]
    alone: dict = {key: [] for key in commands}
    alone_exit: dict = {key: set() for key in commands}
    in_all: dict[int, list[float]] = {n: [] for n in steps}
    all_runs: list[float] = []
    all_exit: set = set()
    for _ in range(runs):
        for key, command in commands.items():
            t = time.perf_counter()
            done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, timeout=600)
            alone[key].append(time.perf_counter() - t)
            alone_exit[key].add(done.returncode)
        if include_all:
            t = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "checker", "check", "all"], cwd=ROOT,
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    text=True, encoding="utf-8", errors="replace")
            last = t
            for text in proc.stdout:
                match = STEP_HEADER.match(text)
                if match and int(match.group(1)) in in_all:
                    now = time.perf_counter()
                    in_all[int(match.group(1))].append(now - last)
                    last = now
            all_exit.add(proc.wait(timeout=600))
            all_runs.append(time.perf_counter() - t)
    shutil.rmtree(copies, ignore_errors=True)
    targets = {}
    for n in steps:
        entry = {"in_all_median_s": statistics.median(in_all[n]) if in_all[n] else None,
                 "in_all_runs_s": in_all[n], "median_s": None, "runs_s": [], "exit_codes": [],
                 "student_median_s": None, "student_runs_s": [], "student_exit_codes": []}
        if (n, "reference") in alone:
            entry.update(median_s=statistics.median(alone[(n, "reference")]), runs_s=alone[(n, "reference")],
                         exit_codes=sorted(alone_exit[(n, "reference")]))
        if (n, "student") in alone:
            entry.update(student_median_s=statistics.median(alone[(n, "student")]),
                         student_runs_s=alone[(n, "student")],
                         student_exit_codes=sorted(alone_exit[(n, "student")]))
        targets[str(n)] = entry
        say(f"  checker step {n}: "
            + (f"`check {n}` median {entry['median_s']:.2f} s; " if entry["median_s"] else "")
            + (f"on a student's venv {entry['student_median_s']:.2f} s; " if entry["student_median_s"] else "")
            + (f"inside `check all` {entry['in_all_median_s']:.2f} s"
               if entry["in_all_median_s"] is not None else ""))
    if include_all:
        targets["all"] = {"median_s": statistics.median(all_runs), "runs_s": all_runs,
                          "exit_codes": sorted(all_exit), "in_all_median_s": None,
                          "in_all_runs_s": []}
        say(f"  checker `check all` median {targets['all']['median_s']:.2f} s over {runs}")
    return {"runs": runs, "standalone": standalone, "targets": targets, "student_python": python,
            "command": "python -m checker check N | all; check N --project COPY --python STUDENT_VENV"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="N=5, step 06 and the raw limit, one checker run: a smoke run, < 30 s")
    parser.add_argument("--out", type=Path, help="where the report goes (default: bench/results "
                        "for the standard run, a temp folder for any other)")
    parser.add_argument("--servers", help="comma-separated server keys (default: the standard set)")
    parser.add_argument("--clients", help="comma-separated N (default 10,50,200)")
    parser.add_argument("--no-extras", action="store_true", help="skip the burst and flood loads")
    parser.add_argument("--no-checker", action="store_true", help="skip timing the checker")
    parser.add_argument("--checker-only", action="store_true",
                        help="only the checker's part: `check N` (reference and a student's venv), "
                             "`check all`, watch's reaction (about 3 minutes)")
    parser.add_argument("--checker-runs", type=int, default=5)
    parser.add_argument("--checker-standalone", default="1-6",
                        help="steps timed as `check N` on their own too (default 1-6, the steps "
                             "with a time goal; 'all' for every step: about 2.5 minutes more)")
    parser.add_argument("--step09", action="store_true",
                        help="step 06 vs 09 vs 09 without each of its speed changes, "
                             "made on temp copies; writes step09-vs-06.md and .json")
    parser.add_argument("--compare", metavar="K1,K2,...",
                        help="like --step09 for any servers (e.g. step06-uvicorn,"
                             "step06-uvicorn-uvloop); ratios to the first")
    parser.add_argument("--reps", type=int, default=5, help="repetitions for --step09/--compare")
    parser.add_argument("--profile", metavar="KEY", help="py-spy the server KEY under load")
    parser.add_argument("--profile-clients", type=int, default=10, metavar="N",
                        help="clients in the room while profiling (default 10)")
    args = parser.parse_args(argv)

    from checker.redis_server import ping

    if not ping(REDIS_URL):
        print(f"Redis does not answer at {REDIS_URL}: the steps' channel layer needs it.\n"
              "Start one with `make redis`, or set REDIS_URL.", file=sys.stderr)
        return 2

    known = {s.key: s for s in STANDARD + EXTRAS + PROFILE_VARIANTS}
    named = [args.profile] if args.profile else args.compare.split(",") if args.compare else []
    unknown = [k for k in named + (args.servers.split(",") if args.servers else []) if k not in known]
    if unknown:
        print(f"Unknown servers {unknown}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    if args.step09 or args.compare or args.profile:
        from bench import variants

        out = args.out or (RESULTS if args.step09 else
                           Path(tempfile.gettempdir()) / "channels-workbook-bench-compare")
        if args.profile:
            return variants.profile(args.profile, out, clients=args.profile_clients, say=say)
        if args.compare:
            return variants.compare(out, reps=args.reps, keys=named, name="compare", say=say)
        return variants.compare(out, reps=args.reps, say=say)

    if args.servers:
        specs = [known[k] for k in args.servers.split(",")]
    else:
        specs = [known[k] for k in QUICK] if args.quick else list(STANDARD)
    clients = (tuple(int(n) for n in args.clients.split(",")) if args.clients
               else QUICK_CLIENTS if args.quick else CLIENTS)
    # Only the standard run replaces the committed bench/results/latest.*; any other goes to a
    # temp folder unless --out says where.
    standard = not (args.quick or args.servers or args.clients or args.no_extras or args.checker_only
                    or args.no_checker or args.checker_runs != 5
                    or args.checker_standalone != "1-6")
    out = args.out or (RESULTS if standard else Path(tempfile.gettempdir()) /
                       ("channels-workbook-bench-quick" if args.quick else "channels-workbook-bench"))

    started = time.monotonic()
    meta = {"command": "python -m bench" + (" " + " ".join(argv if argv is not None
                                                           else sys.argv[1:])).rstrip(),
            "quick": args.quick, "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
            "versions": versions(), "machine": machine(), "redis_url": REDIS_URL,
            "loads": {
                "fixed": {str(n): _describe(fixed_load(n, 1.0 if args.quick else FIXED_SECONDS))
                          for n in clients},
                "flat": {str(n): _describe(flat_load(n)) for n in clients},
            }}
    say(f"bench: {len(specs)} servers x N={','.join(map(str, clients))} x (fixed, flat)"
        f"{'' if args.quick or args.no_extras else ' + extras'}; Redis at {REDIS_URL}")
    server_info, results, extra_results = ([], [], []) if args.checker_only else fanout(
        specs, clients, 1.0 if args.quick else FIXED_SECONDS,
        extras=not (args.quick or args.no_extras))
    meta["fanout_s"] = time.monotonic() - started
    checker = None
    if not args.no_checker:
        say("checker: wall time of `python -m checker check N`"
            + (" (quick: step 1, once)" if args.quick else f", median of {args.checker_runs}"))
        t = time.monotonic()
        checker = (time_checker(1, standalone=[1], include_all=False, student=False) if args.quick
                   else time_checker(args.checker_runs, standalone=_steps(args.checker_standalone)))
        if not args.quick:
            from bench import watch_reaction

            say("checker: `checker watch`, from a save to its lines")
            checker["watch"] = watch_reaction.run(saves=5, say=say)
        meta["checker_s"] = time.monotonic() - t
    meta["duration_s"] = time.monotonic() - started
    meta["machine"]["loadavg_after"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    data = report.build(meta, server_info, results, extra_results, checker)
    paths = report.write(data, out)
    print()
    print(report.terminal(data))
    print()
    for p in paths:
        say(f"wrote {p}")
    say(f"bench finished in {meta['duration_s']:.0f} s")
    return 0


def _steps(text: str) -> list[int] | None:
    if text == "all":
        return None
    out = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def _describe(spec: LoadSpec) -> dict:
    return {"clients": spec.clients, "senders": spec.senders, "messages_per_sender": spec.messages,
            "rate_per_sender": spec.rate, "messages": spec.offered,
            "deliveries": spec.offered * spec.clients}


if __name__ == "__main__":
    sys.exit(main())
