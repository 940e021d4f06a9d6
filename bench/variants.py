"""Variants of a step compared side by side: why step 09 was slower than step 06, and what made it as fast.

    python -m bench --step09 [--reps 5]   step 06, step 09, and step 09 without each of the two
                                           speed changes it has, flat out at N=10/50/200,
                                           repeated and alternating; writes step09-vs-06.json/.md
    python -m bench --compare K1,K2,...    the same for any servers (ratios to the first)
    python -m bench --profile step09      py-spy on that server's process under a repeated load;
                                           writes profile-step09-n10.txt (+ the collapsed stacks)

The step itself is never edited: the variants are edits and settings overlays on temp copies.
"""

from __future__ import annotations

import collections
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.load import LoadSpec, run_load_sync
from bench.servers import EXTRAS, PROFILE_VARIANTS, STANDARD, start_all, stop_all

COMPARE = ["step06", "step09", "step09-channels-dispatch", "step09-conn-max-age-0",
           "step09-before", "step09-wal"]
CLIENTS = (10, 50, 200)


def _spec(key):
    return next(s for s in STANDARD + EXTRAS + PROFILE_VARIANTS if s.key == key)


def _flat(n):
    return LoadSpec(clients=n, mode="flat", senders=min(n, 10), messages=10, quiet=3.0,
                    deadline=30)


def compare(out: Path, reps: int = 5, keys: list[str] | None = None, name: str = "step09-vs-06",
            clients=CLIENTS, say=print) -> int:
    """Flat out at each N, `reps` rounds, the servers alternating; medians, ratios to the first."""
    keys = keys or COMPARE
    specs = [_spec(k) for k in keys]
    base_key = keys[0]
    started = time.strftime("%Y-%m-%d %H:%M:%S %z")  # when the runs began, not when they ended
    workdir = Path(tempfile.mkdtemp(prefix="channels-bench-compare-"))
    rows = []
    servers = start_all(specs, workdir)
    room = 0
    try:
        for s in servers:
            run_load_sync(s.url("warm"), s.origin, LoadSpec(clients=3, mode="flat", senders=3,
                                                            messages=3, quiet=0.5, deadline=10))
        for rep in range(reps):
            for n in clients:
                order = servers[rep % len(servers):] + servers[:rep % len(servers)]
                for s in order:
                    room += 1
                    cpu0 = s.cpu_seconds()
                    r = run_load_sync(s.url(f"p5-{room}"), s.origin, _flat(n),
                                      probe=lambda s=s: {"cpu_s": s.cpu_seconds()})
                    cpu = r.probe["cpu_s"] - cpu0
                    rows.append({"server": s.spec.key, "clients": n, "rep": rep,
                                 "deliveries_per_s": r.deliveries_per_s,
                                 "cpu_us_per_delivery": cpu / r.delivered * 1e6 if r.delivered else None,
                                 "p99_ms": r.latency_ms.get("p99"), "lost": r.lost,
                                 "duplicated": r.duplicated, "rejected": r.rejected})
                    say(f"  rep {rep + 1}/{reps} N={n:<4} {s.spec.key:<22} "
                        f"{r.deliveries_per_s:>8,.0f} d/s  {rows[-1]['cpu_us_per_delivery']:.0f} "
                        f"us CPU/delivery  lost {r.lost}")
                    s.wait_idle()
    finally:
        stop_all(servers)
        shutil.rmtree(workdir, ignore_errors=True)

    summary = []
    for key in keys:
        for n in clients:
            mine = [r for r in rows if r["server"] == key and r["clients"] == n]
            base = [r for r in rows if r["server"] == base_key and r["clients"] == n]
            dps = statistics.median(r["deliveries_per_s"] for r in mine)
            cpu = statistics.median(r["cpu_us_per_delivery"] for r in mine)
            summary.append({
                "server": key, "label": _spec(key).label, "clients": n,
                "median_deliveries_per_s": dps, "median_cpu_us_per_delivery": cpu,
                "ratio_to_base": dps / statistics.median(r["deliveries_per_s"] for r in base),
                "cpu_ratio_to_base": cpu / statistics.median(r["cpu_us_per_delivery"]
                                                               for r in base),
                "lost": sum(r["lost"] for r in mine),
                "settings": _spec(key).settings.strip() or None,
            })
    data = {"reps": reps, "clients": list(clients), "base": base_key, "summary": summary,
            "runs": rows, "started": started}
    if name == "step09-vs-06":
        from bench.servers import patch_diff

        data["fix_diff"] = patch_diff("09-history", "before", reverse=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(data, indent=1) + "\n")
    head, table = summary_table(data)
    command = ("python -m bench --step09" if name == "step09-vs-06"
               else f"python -m bench --compare {','.join(keys)}")
    md = [f"# {', '.join(keys)}: flat out, median of {reps} alternating runs", "",
          f"`{command} --reps {reps}` on {data['started']}; each of min(N, 10) senders sends 10 "
          "back to back (step 09's burst). CPU us/delivery: the server process's CPU time per "
          "delivery.", "",
          "| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    md += ["| " + " | ".join(map(str, row)) + " |" for row in table]
    md += ["", "The servers (variants of a step are made on its temp copy, never in steps/):", ""]
    for key in keys:
        spec = _spec(key)
        line = f"- `{key}`: {spec.label}"
        if spec.patch:
            line += f"; edits: `{spec.patch}` (bench/servers.py PATCHES)"
        if spec.settings:
            line += "; settings overlay: `" + spec.settings.strip().replace("\n", "; ") + "`"
        md.append(line)
    if data.get("fix_diff"):
        md += ["", "What step 09 changes for speed (from `step09-before` to `step09`):", "",
               "```diff", data["fix_diff"].rstrip(), "```"]
    (out / f"{name}.md").write_text("\n".join(md) + "\n")
    say("")
    for line in console_table(data):
        say(line)
    say(f"\nwrote {out / (name + '.json')} and {out / (name + '.md')}")
    return 0


def summary_table(data: dict) -> tuple[list[str], list[list]]:
    """The medians of a comparison (its .json), as the report's and the console's table."""
    base_key = data["base"]
    head = ["server", "N", "median d/s", f"x {base_key}", "CPU us/delivery",
            f"CPU x {base_key}", "lost"]
    table = [[r["server"], r["clients"], f"{r['median_deliveries_per_s']:,.0f}",
              f"{r['ratio_to_base']:.2f}x", f"{r['median_cpu_us_per_delivery']:.0f}",
              f"{r['cpu_ratio_to_base']:.2f}x", r["lost"]] for r in data["summary"]]
    return head, table


def console_table(data: dict) -> list[str]:
    """What `python -m bench --step09` prints at the end: the medians, aligned (lessons quote it)."""
    head, table = summary_table(data)
    widths = [max(len(str(c)) for c in col) for col in zip(head, *table, strict=False)]
    return ["  ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=False)) for row in [head] + table]


# What the profile summary adds up: (label, a regex on a frame).
BUCKETS = [
    ("Django ORM: Message.objects.create (INSERT, commit)", r"Model\._do_insert|QuerySet\.create "),
    ("  of which the SQLite statement itself", r"SQLiteCursorWrapper\.execute"),
    ("  of which opening a new SQLite connection", r"get_new_connection|init_connection_state"),
    ("history query on connect", r"ChatConsumer\.get_history"),
    ("close_old_connections (Channels, before every handler)", r"close_old_connections"),
    ("channel layer group_send", r"group_send"),
    ("channel layer receive", r"RedisChannelLayer\.receive|InMemoryChannelLayer\.receive"),
    ("consumer receive()", r"ChatConsumer\.receive"),
    ("consumer chat_message()", r"ChatConsumer\.chat_message"),
    ("sync_to_async hand-offs (asgiref)", r"SyncToAsync\.__call__ "),
    ("socket writes", r"_SelectorSocketTransport\.write|writelines"),
    ("event loop select (idle)", r"EpollSelector\.select"),
]


def summarize(raw: Path, top: int = 30) -> str:
    total = 0
    self_count = collections.Counter()
    inclusive = collections.Counter()
    threads = collections.Counter()
    buckets = collections.Counter()
    for text in raw.read_text().splitlines():
        stack, _, count = text.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        threads[re.sub(r"\s*\(\d+\)", "", frames[0])] += n
        self_count[frames[-1]] += n
        names = {re.sub(r":\d+\)$", ")", f) for f in frames}
        for name in names:
            inclusive[name] += n
        for label, pattern in BUCKETS:
            if any(re.search(pattern, f) for f in names):
                buckets[label] += n
    if not total:
        return "no samples"
    lines = [f"{total} samples", "", "by thread:"]
    lines += [f"  {100 * n / total:5.1f}%  {t}" for t, n in threads.most_common()]
    lines += ["", "what the samples were doing (inclusive, a sample may count in several):"]
    lines += [f"  {100 * buckets[label] / total:5.1f}%  {label}" for label, _ in BUCKETS]
    lines += ["", f"top {top} frames by own time:"]
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in self_count.most_common(top)]
    return "\n".join(lines)


def profile(key: str, out: Path, clients: int = 10, seconds: int = 12, say=print) -> int:
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        say("py-spy is not installed: pip install py-spy")
        return 2
    spec = _spec(key)
    workdir = Path(tempfile.mkdtemp(prefix="channels-bench-prof-"))
    out.mkdir(parents=True, exist_ok=True)
    raw = out / f"profile-{key}-n{clients}.collapsed"
    servers = start_all([spec], workdir)
    server = servers[0]
    try:
        run_load_sync(server.url("warm"), server.origin,
                      LoadSpec(clients=3, mode="flat", senders=3, messages=3, quiet=0.5, deadline=10))
        proc = subprocess.Popen([spy, "record", "--pid", str(server.pid), "--duration", str(seconds),
                                 "--rate", "250", "--format", "raw", "--threads", "--nonblocking",
                                 "--output", str(raw)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        t0 = time.monotonic()
        delivered = 0
        cpu0 = server.cpu_seconds()
        i = 0
        while time.monotonic() - t0 < seconds - 2.5:
            i += 1
            r = run_load_sync(server.url(f"prof-{i}"), server.origin, _flat(clients))
            delivered += r.delivered
        cpu = server.cpu_seconds() - cpu0
        _, err = proc.communicate(timeout=seconds + 30)
        if proc.returncode:
            say(f"py-spy failed: {err[-800:]}")
            return 1
    finally:
        stop_all(servers)
        shutil.rmtree(workdir, ignore_errors=True)
    text = (f"py-spy of {key} ({spec.label}) under repeated flat-out loads at N={clients}: "
            f"{delivered} deliveries, {cpu:.2f} s server CPU, "
            f"{cpu / max(1, delivered) * 1e6:.0f} us CPU per delivery\n\n" + summarize(raw))
    (out / f"profile-{key}-n{clients}.txt").write_text(text + "\n")
    say(text)
    say(f"\nwrote {out / f'profile-{key}-n{clients}.txt'} and {raw}")
    return 0
