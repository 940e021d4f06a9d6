"""The benchmark's report: a terminal table, results/latest.json, results/latest.md, results/fanout.png."""

from __future__ import annotations

import json
import math
from pathlib import Path

PLOT = "fanout.png"
BASE = "step06"  # the ratios: to the raw limit and to step 06 (async + Redis, under Daphne)
LIMIT = "raw"
GOALS = {"checker_1_4_s": 1.5, "checker_5_6_s": 3.0, "step09_vs_06": 1.0, "step09_vs_raw": 0.10}


def _get(results, server, load, n):
    for r in results:
        if r["server"] == server and r["load"] == load and r["clients"] == n:
            return r
    return None


def _ratio(a, b):
    if a is None or b is None or not b:
        return None
    return a / b


def build(meta, servers, results, extras, checker) -> dict:
    """Everything in one JSON-able dict, with a per-server, per-N summary and the ratios."""
    summary = []
    ns = sorted({r["clients"] for r in results})
    for s in servers:
        if not s.get("standard"):
            continue
        for n in ns:
            fixed = _get(results, s["key"], "fixed", n) or {}
            flat = _get(results, s["key"], "flat", n) or {}
            if not fixed and not flat:
                continue
            dps = flat.get("deliveries_per_s")
            base = (_get(results, BASE, "flat", n) or {}).get("deliveries_per_s")
            limit = (_get(results, LIMIT, "flat", n) or {}).get("deliveries_per_s")
            summary.append({
                "server": s["key"], "label": s["label"], "clients": n,
                "connect_s": flat.get("connect_s", fixed.get("connect_s")),
                "fixed_deliveries_per_s": fixed.get("deliveries_per_s"),
                "fixed_latency_ms": fixed.get("latency_ms") or {},
                "fixed_lost": fixed.get("lost"), "fixed_duplicated": fixed.get("duplicated"),
                "fixed_expected": fixed.get("expected"), "fixed_delivered": fixed.get("delivered"),
                "fixed_rejected": sum((fixed.get("rejected") or {}).values()),
                "flat_deliveries_per_s": dps,
                "flat_latency_ms": flat.get("latency_ms") or {},
                "flat_lost": flat.get("lost"), "flat_duplicated": flat.get("duplicated"),
                "flat_rejected": sum((flat.get("rejected") or {}).values()),
                "cpu_us_per_delivery": flat.get("cpu_us_per_delivery"),
                "rss_mb": max(filter(None, [fixed.get("rss_mb"), flat.get("rss_mb")]), default=None),
                "ratio_to_raw": _ratio(dps, limit), "ratio_to_step06": _ratio(dps, base),
                "errors": [e for e in (fixed.get("error"), flat.get("error")) if e],
            })
    headline = {}
    top = max(ns) if ns else None
    if top is not None:
        row = {r["server"]: r for r in summary if r["clients"] == top}
        s08, s06, raw = row.get("step09"), row.get(BASE), row.get(LIMIT)
        headline = {
            "clients": top,
            "step09_vs_step06": _ratio(s08 and s08["flat_deliveries_per_s"],
                                       s06 and s06["flat_deliveries_per_s"]),
            "step09_vs_raw": _ratio(s08 and s08["flat_deliveries_per_s"],
                                    raw and raw["flat_deliveries_per_s"]),
            "step09_tuned_vs_raw": _ratio(
                row.get("step09-tuned") and row["step09-tuned"]["flat_deliveries_per_s"],
                raw and raw["flat_deliveries_per_s"]),
            "lost_fixed_total": sum(r["fixed_lost"] or 0 for r in summary),
            "lost_flat_total": sum(r["flat_lost"] or 0 for r in summary),
            "duplicated_total": sum((r["fixed_duplicated"] or 0) + (r["flat_duplicated"] or 0)
                                    for r in summary),
        }
    data = {"meta": meta, "servers": servers, "summary": summary, "headline": headline,
            "results": results, "extras": extras, "checker": checker, "goals": GOALS}
    data["findings"] = findings(data)
    return data


def _extra(data, load, server):
    for r in data["extras"]:
        if r["load"] == load and r["server"] == server:
            return r
    return None


def _pct(r):
    return 100 * r["lost"] / r["expected"] if r.get("expected") else 0.0


def findings(data) -> list[str]:
    """Plain statements computed from this run's numbers (the Markdown's "What this run shows")."""
    out = []
    ns = sorted({r["clients"] for r in data["summary"]})
    if not ns:
        return out
    top = ns[-1]
    row = {r["server"]: r for r in data["summary"] if r["clients"] == top}

    def dps(key, n=top):
        r = next((x for x in data["summary"] if x["server"] == key and x["clients"] == n), None)
        return r and r["flat_deliveries_per_s"]

    if "step05" in row and "step06" in row and dps("step05"):
        out.append(
            "async vs sync: step 06 delivers " + ", ".join(
                f"{dps('step06', n) / dps('step05', n):.1f}x" for n in ns
                if dps("step05", n) and dps("step06", n))
            + f" as many messages a second as step 05 at N={', '.join(map(str, ns))} (flat out; "
            "one process: the sync consumer's handlers all wait for one thread).")
    if "step06-uvicorn" in row and dps("step06"):
        out.append(
            "Uvicorn vs Daphne (same step 06): " + ", ".join(
                f"{dps('step06-uvicorn', n) / dps('step06', n):.2f}x" for n in ns
                if dps("step06-uvicorn", n) and dps("step06", n))
            + f" at N={', '.join(map(str, ns))}.")
    for key, name in (("step06-pubsub", "Redis PubSub layer"), ("step06-memory", "in-memory layer")):
        if key in row and dps("step06"):
            out.append(f"{name} vs the Redis layer (step 06): " + ", ".join(
                f"{dps(key, n) / dps('step06', n):.2f}x" for n in ns if dps(key, n) and dps("step06", n))
                + f" at N={', '.join(map(str, ns))}.")
    if "step09" in row and dps("step06"):
        out.append(
            "Step 09 vs step 06: " + ", ".join(
                f"{dps('step09', n) / dps('step06', n):.2f}x" for n in ns
                if dps("step09", n) and dps("step06", n))
            + f" at N={', '.join(map(str, ns))}. Step 09 skips a database check Channels makes "
            "before every handler and keeps its SQLite connection open; "
            "`python -m bench --step09` measures it without each change (step09-vs-06.md).")
    if "step09-tuned" in row and dps("step09"):
        tuned = [(n, dps("step09-tuned", n), dps("step09", n)) for n in ns]
        text = ("Step 09's code under Uvicorn + uvloop with the Redis PubSub layer (step09-tuned) vs "
                "step 09 as the lecture runs it (Daphne, Redis layer): " + ", ".join(
                    f"{a / b:.2f}x" for _, a, b in tuned if a and b)
                + f" at N={', '.join(map(str, ns))}")
        if dps("raw") and dps("step09-tuned"):
            text += (f"; against the raw limit at N={ns[-1]}: "
                     f"{dps('step09-tuned') / dps('raw'):.3f} (step 09: {dps('step09') / dps('raw'):.3f})")
        out.append(text + ".")
    raw = row.get("raw")
    s06 = row.get("step06")
    raw_run = _get(data["results"], "raw", "flat", top)
    if raw and s06 and raw.get("cpu_us_per_delivery") and s06.get("cpu_us_per_delivery"):
        text = (f"The raw limit: {raw['flat_deliveries_per_s']:,.0f} deliveries/s at N={top}, at "
                f"{raw['cpu_us_per_delivery']:.0f} us of server CPU per delivery against step 06's "
                f"{s06['cpu_us_per_delivery']:.0f} us")
        if raw_run and raw_run.get("server_cpu_s") is not None and raw_run.get("duration_s"):
            busy = raw_run["server_cpu_s"] / raw_run["duration_s"]
            text += f"; the raw server was busy {100 * busy:.0f}% of one CPU during its load"
            if busy < 0.9:
                text += (", so the load generator (one Python process receiving every frame) "
                         "was the bottleneck: the true limit is higher, and every 'x raw' "
                         "ratio is an upper bound")
        out.append(text + ".")
    lost_fixed = sum(r["fixed_lost"] or 0 for r in data["summary"])
    lost_flat = sum(r["flat_lost"] or 0 for r in data["summary"])
    out.append(f"Lost messages: {lost_fixed} at the fixed rate and {lost_flat} flat out, over every "
               "server and N (flat out stays at 100 messages, the Redis layer's capacity).")
    b06, b06c = _extra(data, "burst", "step06"), _extra(data, "burst", "step06-cap1000")
    b08, b08d = _extra(data, "burst", "step09"), _extra(data, "burst", "step09-cap100")
    bps, bmem = _extra(data, "burst", "step06-pubsub"), _extra(data, "burst", "step06-memory")
    if b06 and b06c:
        text = (f"Capacity: {b06['accepted']} messages at once into {b06['clients']} clients lost "
                f"{_pct(b06):.0f}% of the deliveries on step 06 with the default capacity (100)")
        if b08d:
            text += (f", {_pct(b08d):.0f}% on step 09 with it (within its rate limit, every message "
                     "saved)")
        if bmem:
            text += f", {_pct(bmem):.0f}% on the in-memory layer (silently)"
        text += f"; with capacity=1000 step 06 lost {_pct(b06c):.0f}%"
        if b08:
            text += f" and step 09 (which sets it) {_pct(b08):.0f}%"
        if bps:
            text += f"; the PubSub layer (no capacity) lost {_pct(bps):.0f}%"
        text += (". The capacity does not make the server faster: it decides whether a backlog "
                 "waits or is dropped. Delivering everything took "
                 f"{b06c['duration_s']:.1f} s instead of {b06['duration_s']:.1f} s, and the "
                 f"p99 latency went from {b06['latency_ms'].get('p99', 0):,.0f} to "
                 f"{b06c['latency_ms'].get('p99', 0):,.0f} ms; the deliveries/s of the lossy "
                 "runs count only what arrived.")
        out.append(text)
    f08 = _extra(data, "flood", "step09")
    if f08:
        rej = sum((f08.get("rejected") or {}).values())
        out.append(f"Flood: of {f08['sent']} messages sent at once by one client, step 09 accepted "
                   f"{f08['accepted']} and answered {rej} with rate-limited error frames "
                   f"({f08['lost']} lost, closed: {f08.get('closed_by_server') or 'no'}); "
                   "step 06 accepted all.")
    return out


# Formatting helpers

def _n(v, fmt="{:,.0f}", none="-"):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return none
    return fmt.format(v)


def _ms(v):
    return _n(v, "{:,.1f}")


def _x(v):
    return _n(v, "{:.2f}x")


def _plain(headers, rows) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=False)]
    out = []
    for i, row in enumerate([headers] + rows):
        cells = [str(c).ljust(w) if j == 0 else str(c).rjust(w)
                 for j, (c, w) in enumerate(zip(row, widths, strict=False))]
        out.append("  ".join(cells))
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def _md(headers, rows, left: int = 1) -> str:
    """A Markdown table: the first `left` columns aligned left, the rest (numbers) right."""
    out = ["| " + " | ".join(headers) + " |",
           "|" + "|".join(["---"] * left + ["---:"] * (len(headers) - left)) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def _lost(r):
    return f"{_n(r['fixed_lost'])} / {_n(r['flat_lost'])}"


HEADLINE_COLS = ["server", "flat deliveries/s", "x raw", "x step06", "fixed p50 ms", "fixed p99 ms",
                 "flat p99 ms", "lost fixed/flat", "dup", "CPU us/delivery", "RSS MB"]


def _headline_rows(data, n):
    rows = []
    for r in data["summary"]:
        if r["clients"] != n:
            continue
        rows.append([r["server"], _n(r["flat_deliveries_per_s"]), _x(r["ratio_to_raw"]),
                     _x(r["ratio_to_step06"]), _ms(r["fixed_latency_ms"].get("p50")),
                     _ms(r["fixed_latency_ms"].get("p99")), _ms(r["flat_latency_ms"].get("p99")),
                     _lost(r), _n((r["fixed_duplicated"] or 0) + (r["flat_duplicated"] or 0)),
                     _n(r["cpu_us_per_delivery"]), _n(r["rss_mb"])])
    return rows


FULL_COLS = ["server", "N", "connect s", "fixed d/s", "p50", "p95", "p99", "lost", "dup",
             "flat d/s", "p50", "p95", "p99", "lost", "dup", "rejected", "x raw", "x 06",
             "CPU us/d", "RSS MB"]


def _full_rows(data):
    rows = []
    for r in data["summary"]:
        fl, fx = r["flat_latency_ms"], r["fixed_latency_ms"]
        rows.append([r["server"], r["clients"], _n(r["connect_s"], "{:.2f}"),
                     _n(r["fixed_deliveries_per_s"]), _ms(fx.get("p50")), _ms(fx.get("p95")),
                     _ms(fx.get("p99")), _n(r["fixed_lost"]), _n(r["fixed_duplicated"]),
                     _n(r["flat_deliveries_per_s"]), _ms(fl.get("p50")), _ms(fl.get("p95")),
                     _ms(fl.get("p99")), _n(r["flat_lost"]), _n(r["flat_duplicated"]),
                     _n(r["flat_rejected"] + r["fixed_rejected"]), _x(r["ratio_to_raw"]),
                     _x(r["ratio_to_step06"]), _n(r["cpu_us_per_delivery"]), _n(r["rss_mb"])])
    return rows


EXTRA_COLS = ["extra", "server", "N", "sent", "accepted", "rejected", "delivered", "lost",
              "lost %", "dup", "d/s", "p99 ms", "closed by server"]


def _extra_rows(data):
    rows = []
    for r in data["extras"]:
        expected = r.get("expected") or 0
        rejected = r.get("rejected") or {}
        rows.append([r["load"], r["server"], r["clients"], _n(r.get("sent")), _n(r.get("accepted")),
                     ", ".join(f"{v} {k}" for k, v in rejected.items()) or "0",
                     _n(r.get("delivered")), _n(r.get("lost")),
                     _n(100 * r["lost"] / expected if expected and r.get("lost") is not None else None,
                        "{:.0f}%"),
                     _n(r.get("duplicated")), _n(r.get("deliveries_per_s")),
                     _ms((r.get("latency_ms") or {}).get("p99")),
                     ", ".join(f"{v} x {k}" for k, v in (r.get("closed_by_server") or {}).items())
                     or "-"])
    return rows


CHECKER_COLS = ["checker check", "median s", "runs s", "student's venv: median s", "runs s",
                "inside `check all`: median s", "runs s", "exit", "goal"]
WATCH_COLS = ["watch, step", "first line s (zygote)", "spawned", "project-loads s (zygote)", "spawned",
              "whole step s (zygote)", "spawned"]


def _checker_rows(data):
    rows = []
    checker = data.get("checker") or {}
    for target, t in (checker.get("targets") or {}).items():
        goal = ""
        value = max([v for v in (t.get("median_s"), t.get("student_median_s")) if v is not None], default=None)
        value = value if value is not None else t.get("in_all_median_s")
        if target.isdigit() and value is not None:
            limit = (GOALS["checker_1_4_s"] if int(target) <= 4 else
                     GOALS["checker_5_6_s"] if int(target) <= 6 else None)
            if limit is not None:
                goal = f"<= {limit} s: {'met' if value <= limit else 'MISSED'}"
        rows.append([target, _n(t.get("median_s"), "{:.2f}"),
                     " ".join(f"{v:.2f}" for v in t.get("runs_s") or []) or "-",
                     _n(t.get("student_median_s"), "{:.2f}"),
                     " ".join(f"{v:.2f}" for v in t.get("student_runs_s") or []) or "-",
                     _n(t.get("in_all_median_s"), "{:.2f}"),
                     " ".join(f"{v:.2f}" for v in t.get("in_all_runs_s") or []) or "-",
                     ",".join(map(str, t.get("exit_codes") or [])) or "-", goal])
    return rows


def _watch_rows(data):
    watch = (data.get("checker") or {}).get("watch") or {}
    return [[step] + [_n(w.get(f"{kind}_{what}_median_s"), "{:.2f}") for what in ("first", "loads", "done")
                      for kind in ("warm", "cold")] for step, w in watch.items()]


def _headline_text(data) -> list[str]:
    h = data.get("headline") or {}
    if not h:
        return []
    lines = []
    if h.get("step09_vs_step06") is not None:
        lines.append(f"step09 / step06 flat-out deliveries/s at N={h['clients']}: "
                     f"{h['step09_vs_step06']:.2f} (goal >= {GOALS['step09_vs_06']})")
    if h.get("step09_vs_raw") is not None:
        lines.append(f"step09 / raw limit at N={h['clients']}: {h['step09_vs_raw']:.3f} "
                     f"(goal >= {GOALS['step09_vs_raw']})")
    if h.get("step09_tuned_vs_raw") is not None:
        lines.append(f"step09-tuned (the same code under Uvicorn + uvloop, PubSub layer) / raw limit "
                     f"at N={h['clients']}: {h['step09_tuned_vs_raw']:.3f} "
                     f"(goal >= {GOALS['step09_vs_raw']})")
    lines.append(f"lost at the fixed rate, all servers and N: {h['lost_fixed_total']}; "
                 f"flat out: {h['lost_flat_total']}; duplicated: {h['duplicated_total']}")
    return lines


def terminal(data) -> str:
    parts = []
    ns = sorted({r["clients"] for r in data["summary"]})
    if ns:
        parts.append(f"Fan-out at N={ns[-1]} (flat out: deliveries/s and ratios; fixed rate: latency)")
        parts.append(_plain(HEADLINE_COLS, _headline_rows(data, ns[-1])))
        parts.append("")
        parts.append("Every server and N (d/s = deliveries a second; latency in ms, send -> receipt "
                     "at every other client)")
        parts.append(_plain(FULL_COLS, _full_rows(data)))
    if data["extras"]:
        parts.append("")
        parts.append("Extras (limits and settings)")
        parts.append(_plain(EXTRA_COLS, _extra_rows(data)))
    if data.get("checker"):
        parts.append("")
        parts.append("The checker's own speed (wall time, whole process)")
        parts.append(_plain(CHECKER_COLS, _checker_rows(data)))
        if _watch_rows(data):
            parts.append(_plain(WATCH_COLS, _watch_rows(data)))
    parts.append("")
    parts += _headline_text(data)
    if data.get("findings"):
        parts.append("")
        parts += [f"- {n}" for n in data["findings"]]
    return "\n".join(parts)


def markdown(data) -> str:
    meta = data["meta"]
    v = meta["versions"]
    loads = meta["loads"]
    ns = sorted({r["clients"] for r in data["summary"]})
    out = [
        "# Benchmark: chat fan-out per step, against a raw `websockets` server, and the checker's speed",
        "",
        f"`{meta['command']}` on {meta['started']}, {meta['machine']['cpus']} CPUs "
        f"(load average {_loadavg(meta['machine'].get('loadavg'))} before, "
        f"{_loadavg(meta['machine'].get('loadavg_after'))} after), "
        f"{meta['duration_s']:.0f} s in all. Python {v['python']}, Django {v['django']}, "
        f"Channels {v['channels']}, channels-redis {v['channels-redis']}, Daphne {v['daphne']}, "
        f"Uvicorn {v['uvicorn']}, websockets {v['websockets']}, redis-py {v['redis']}, "
        f"Redis {v['redis-server']}.",
        "",
        "Generated by `python -m bench` (bench/report.py); the numbers are one run on a shared "
        "machine: read ratios, not absolutes. The PNG `fanout.png` beside this file is not committed.",
        "",
    ]
    out += [f"- {line}" for line in _headline_text(data)]
    out += ["- ![fan-out](fanout.png) (deliveries/s and p99 against N; made by the run, not committed)"]
    if ns:
        out += ["", f"## At N = {ns[-1]} clients in one room", "",
                _md(HEADLINE_COLS, _headline_rows(data, ns[-1])), "",
                "## Every server and N", "",
                "d/s: deliveries per second (frames received by all clients, the sender's own copy "
                "included); latency: ms from send to receipt at every other client; lost = accepted "
                "messages x N - unique deliveries; x raw / x 06: flat-out deliveries/s against the "
                "raw limit and step 06 at the same N; CPU us/d: the server process's CPU time "
                "per delivery, flat out (robust to a busy machine).", "",
                _md(FULL_COLS, _full_rows(data))]
    out += ["", "## The servers", ""]
    out += _md(["key", "what", "server", "channel layer", "command"],
               [[s["key"], s["label"], s["server"] if s["server"] != "raw" else "websockets",
                 _layer(s), f"`{s['command']}`"] for s in data["servers"]], left=5).splitlines()
    out += ["", "## The loads", "",
            "All clients connect first (connect s: wall time until all N are in); then the senders "
            "send, and every client records every frame. Each message's text carries a run tag, "
            "the sender, a sequence number and the send time.", ""]
    rows = []
    for mode in ("fixed", "flat"):
        for n, d in loads[mode].items():
            rate = (f"{d['rate_per_sender']:.2f}/s each" if d["rate_per_sender"] else "back to back")
            rows.append([mode, n, d["senders"], d["messages_per_sender"], rate, d["messages"],
                         d["deliveries"]])
    out += _md(["load", "N", "senders", "messages each", "pace", "messages", "deliveries"],
               rows).splitlines()
    out += ["",
            "- **fixed**: about 1000 deliveries/s offered (at N=10 only 400: 10 senders at 4/s), no "
            "sender faster than 4/s: under step 09's limit (10 at once, then 5/s), so it accepts "
            "every message. Its latency is the one a user feels.",
            "- **flat**: each sender sends 10 (step 09's burst) back to back: every server gets the "
            "same load, the rate limit rejects none of it, and 100 messages never exceed the Redis "
            "layer's capacity of 100.",
            ]
    if data["extras"]:
        out += ["", "## Extras: past the limits, and settings that change the numbers", ""]
        whats = []
        for r in data["extras"]:
            if (r["load"], r.get("what")) not in whats:
                whats.append((r["load"], r.get("what")))
        out += [f"- **{name}**: {what}" for name, what in whats]
        out += ["", _md(EXTRA_COLS, _extra_rows(data))]
    if data.get("checker"):
        c = data["checker"]
        out += ["", "## The checker's own speed", "",
                f"Wall time as a user runs it, median of {c['runs']} rounds, alternating. "
                f"`check N`: `python -m checker check N` on its own (a whole process: start, "
                f"Django set-up in a probe, every check), timed for steps "
                f"{_ranges(c.get('standalone') or [])}. Inside `check all`: the time between two "
                f"step reports of `python -m checker check all` (= `make check`), which prints each "
                f"step's report the moment it is done (step 1 includes the process start). "
                f"`all`: the whole `check all`. Student's venv: the same step copied to a folder of "
                f"its own and run by a virtualenv of a student's (`--project COPY --python VENV`); the "
                f"goal holds for the slower of the two.", "",
                _md(CHECKER_COLS, _checker_rows(data)), "",
                *(["`checker watch` on a copy of the step: from a save to its first line, to "
                   "project-loads' line and to the step's summary, median of 5 saves; with the "
                   "zygote (a warm process of the interpreter that forks each probe) and spawned "
                   "(`CHECKER_NO_ZYGOTE=1`).", "", _md(WATCH_COLS, _watch_rows(data)), ""]
                  if _watch_rows(data) else []),
                "Steps not timed on their own were timed inside `check all` only; "
                "`python -m bench --checker-standalone all` times every step on its own too "
                "(about 2 minutes more, past the 5-minute budget)."]
    if data.get("findings"):
        out += ["", "## What this run shows", ""] + [f"- {n}" for n in data["findings"]]
    return "\n".join(out) + "\n"


def _layer(s):
    if not s.get("layer"):
        return "-"
    text = s["layer"]
    config = (s.get("layer_config") or {}).get("CONFIG") or {}
    extra = {k: v for k, v in config.items() if k != "hosts"}
    if extra:
        text += " " + ", ".join(f"{k}={v}" for k, v in extra.items())
    return text


def _ranges(numbers):
    if not numbers:
        return "none"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}-{numbers[-1]}"
    return ", ".join(map(str, numbers))


def _loadavg(v):
    return "/".join(f"{x:.1f}" for x in v) if v else "?"


def plot(data, path: Path) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    servers = [s["key"] for s in data["servers"] if s.get("standard")]
    fig, axes = plt.subplots(1, 3, figsize=(16, 5.2))
    panels = [
        ("flat_deliveries_per_s", None, "deliveries/s, flat out (higher is better)"),
        ("fixed_latency_ms", "p99", "p99 latency ms at the fixed rate (lower is better)"),
        ("flat_latency_ms", "p99", "p99 latency ms flat out (lower is better)"),
    ]
    for ax, (field, sub, title) in zip(axes, panels, strict=False):
        for key in servers:
            rows = [r for r in data["summary"] if r["server"] == key]
            xs = [r["clients"] for r in rows]
            ys = [(r[field] or {}).get(sub) if sub else r[field] for r in rows]
            pts = [(x, y) for x, y in zip(xs, ys, strict=False) if y is not None]
            if not pts:
                continue
            style = "--" if key == LIMIT else "-"
            ax.plot(*zip(*pts, strict=False), style, marker="o", label=key)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ns = sorted({r["clients"] for r in data["summary"]})
        ax.set_xticks(ns, [str(n) for n in ns])
        ax.minorticks_off()
        ax.set_xlabel("clients in the room (N)")
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=9, frameon=False)
    meta = data["meta"]
    fig.suptitle(f"Channels workbook fan-out, {meta['started']} ({meta['machine']['cpus']} CPUs)",
                 fontsize=11)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write(data, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    j = out / "latest.json"
    j.write_text(json.dumps(data, indent=1, sort_keys=False, default=str) + "\n")
    paths.append(j)
    m = out / "latest.md"
    m.write_text(markdown(data))
    paths.append(m)
    p = plot(data, out / PLOT) if data.get("results") else None  # --checker-only: no fan-out
    if p:
        paths.append(p)
    return paths
