"""The load generator: N `websockets` clients in one room, on one asyncio loop.

Every client receives every frame; a few of them (the senders) also send. Each message's text
carries the run's tag, the sender, a sequence number and the send time (`time.perf_counter_ns()`,
the same clock everywhere: all clients live in this one process), so every receipt gives:

- a delivery (the sender's own copy counts too: the server broadcasts to the whole room),
- a latency, send -> receipt, measured at every OTHER client,
- a duplicate if that client already had that message.

Lost = accepted messages x N - unique deliveries. A frame the server refused (step 09's rate limit
answers the sender alone with `{"error": {"code": "rate-limited"}}`) is not "accepted": it is
counted as rejected, by code, and never as delivered or lost.

Two modes, both bounded in count and time:
- "fixed": each sender sends `messages` at `rate` per second (under step 09's 5/s per connection).
- "flat":  each sender sends `messages` back to back, as fast as its socket takes them.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus


@dataclass
class LoadSpec:
    clients: int
    mode: str  # "fixed" | "flat"
    senders: int
    messages: int  # per sender
    rate: float | None = None  # per sender per second, "fixed" only
    connect_timeout: float = 30.0
    quiet: float = 1.5  # after the last send: give up waiting once no frame came for this long
    deadline: float = 30.0  # hard cap on send + drain time

    @property
    def offered(self) -> int:
        return self.senders * self.messages


@dataclass
class LoadResult:
    clients: int
    mode: str
    senders: int
    sent: int = 0  # frames the senders wrote
    accepted: int = 0  # sent - rejected
    rejected: dict = field(default_factory=dict)  # error code -> count (frames answered by an error)
    expected: int = 0  # accepted x clients
    delivered: int = 0  # unique (message, client) receipts
    lost: int = 0
    duplicated: int = 0
    foreign: int = 0  # frames that were none of ours (a step 09 history, say)
    connect_s: float = 0.0  # wall time until all N were connected
    connect_failures: int = 0
    closed_by_server: dict = field(default_factory=dict)  # close code -> count, during the load
    send_s: float = 0.0  # first send -> last send
    duration_s: float = 0.0  # first send -> last delivery
    deliveries_per_s: float = 0.0
    latency_ms: dict = field(default_factory=dict)  # p50 / p95 / p99 / max / mean
    timed_out: bool = False
    error: str | None = None
    probe: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


class _Run:
    def __init__(self, spec: LoadSpec):
        self.spec = spec
        self.tag = uuid.uuid4().hex[:8]
        self.sent = 0
        self.rejected: Counter = Counter()
        self.delivered = 0
        self.duplicated = 0
        self.foreign = 0
        self.closed: Counter = Counter()
        self.latencies: list[int] = []  # ns
        self.first_send = None
        self.last_send = None
        self.last_receipt = None
        self.progress = asyncio.Event()
        self.sending_done = False

    def done(self) -> bool:
        # Every sent frame ends as N deliveries or as one error frame to its sender.
        accepted = self.sent - sum(self.rejected.values())
        return self.sending_done and self.delivered >= accepted * self.spec.clients

    async def receive(self, me: int, ws) -> None:
        seen: set[int] = set()
        prefix = self.tag + ":"
        try:
            async for raw in ws:
                now = time.perf_counter_ns()
                try:
                    frame = json.loads(raw)
                    text = frame.get("message")
                except (ValueError, AttributeError):
                    self.foreign += 1
                    continue
                if isinstance(text, str) and text.startswith(prefix):
                    _, sender, seq, sent_ns = text.split(":", 3)
                    key = int(sender) * 1_000_000 + int(seq)
                    if key in seen:
                        self.duplicated += 1
                    else:
                        seen.add(key)
                        self.delivered += 1
                        if int(sender) != me:
                            self.latencies.append(now - int(sent_ns))
                    self.last_receipt = now
                    if self.sending_done and self.done():
                        self.progress.set()
                elif isinstance(frame.get("error"), dict):
                    self.rejected[str(frame["error"].get("code"))] += 1
                    if self.sending_done and self.done():
                        self.progress.set()
                else:
                    self.foreign += 1  # a step 09 history frame, a foreign message...
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd is not None else 1006
            self.closed[code] += 1

    async def send(self, me: int, k: int, ws, start_ns: int) -> None:
        """Client `me`, the k-th sender."""
        spec = self.spec
        period_ns = int(1e9 / spec.rate) if spec.mode == "fixed" else 0
        # Spread the senders evenly over one period, so the room sees a steady stream.
        offset_ns = period_ns * k // max(1, spec.senders)
        try:
            for seq in range(spec.messages):
                if period_ns:
                    wait = (start_ns + offset_ns + seq * period_ns - time.perf_counter_ns()) / 1e9
                    if wait > 0:
                        await asyncio.sleep(wait)
                now = time.perf_counter_ns()
                await ws.send(json.dumps({"message": f"{self.tag}:{me}:{seq}:{now}"}))
                self.sent += 1
                if self.first_send is None:
                    self.first_send = now
                self.last_send = time.perf_counter_ns()
        except ConnectionClosed:
            pass  # counted by the receiver as closed_by_server


async def run_load(url: str, origin: str, spec: LoadSpec, probe=None) -> LoadResult:
    """One bounded load. `probe()`, if given, is called once every message is in (before the
    sockets close) and its dict is stored in `result.probe` (the server's RSS, say)."""
    run = _Run(spec)
    result = LoadResult(clients=spec.clients, mode=spec.mode, senders=spec.senders)
    sockets: list = [None] * spec.clients
    receivers: list[asyncio.Task] = []

    async def open_one(i: int):
        ws = await connect(url, origin=origin, compression=None, ping_interval=None,
                           open_timeout=spec.connect_timeout, max_queue=None,
                           close_timeout=2, user_agent_header=None)
        sockets[i] = ws
        receivers.append(asyncio.create_task(run.receive(i, ws)))

    t0 = time.perf_counter()
    opened = await asyncio.gather(*(open_one(i) for i in range(spec.clients)),
                                  return_exceptions=True)
    result.connect_s = time.perf_counter() - t0
    failures = [r for r in opened if isinstance(r, BaseException)]
    result.connect_failures = len(failures)
    try:
        if failures:
            first = failures[0]
            detail = (f"HTTP {first.response.status_code}" if isinstance(first, InvalidStatus)
                      else f"{type(first).__name__}: {first}")
            result.error = f"{len(failures)} of {spec.clients} clients did not connect ({detail})"
            return result

        # Senders are spread over the room: client 0, N/S, 2N/S, ...
        sender_ids = [i * spec.clients // spec.senders for i in range(spec.senders)]
        start_ns = time.perf_counter_ns() + 20_000_000
        senders = [asyncio.create_task(run.send(i, k, sockets[i], start_ns))
                   for k, i in enumerate(sender_ids)]

        t_start = time.monotonic()
        hard = t_start + spec.deadline
        try:
            await asyncio.wait_for(asyncio.gather(*senders), timeout=spec.deadline)
        except asyncio.TimeoutError:
            result.timed_out = True
        run.sending_done = True
        # Drain: until every accepted message reached every client, or the room goes quiet.
        while not run.done():
            last = run.last_receipt or run.last_send or time.perf_counter_ns()
            quiet_left = spec.quiet - (time.perf_counter_ns() - last) / 1e9
            hard_left = hard - time.monotonic()
            if hard_left <= 0:
                result.timed_out = True
                break
            if quiet_left <= 0:
                break
            run.progress.clear()
            try:
                await asyncio.wait_for(run.progress.wait(), timeout=min(quiet_left, hard_left, 0.25))
            except asyncio.TimeoutError:
                pass
        if probe is not None:
            result.probe = probe()
    finally:
        await _close_all(sockets, receivers)

    result.sent = run.sent
    result.rejected = dict(run.rejected)
    result.accepted = run.sent - sum(run.rejected.values())
    result.expected = result.accepted * spec.clients
    result.delivered = run.delivered
    result.lost = max(0, result.expected - run.delivered)
    result.duplicated = run.duplicated
    result.foreign = run.foreign
    result.closed_by_server = {str(k): v for k, v in run.closed.items()}
    if run.first_send is not None:
        result.send_s = (run.last_send - run.first_send) / 1e9
        end = run.last_receipt or run.last_send
        result.duration_s = max(1e-9, (end - run.first_send) / 1e9)
        result.deliveries_per_s = run.delivered / result.duration_s
    lat = sorted(run.latencies)
    if lat:
        ms = [v / 1e6 for v in lat]
        result.latency_ms = {
            "p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
            "max": ms[-1], "mean": statistics.fmean(ms), "samples": len(ms),
        }
    return result


async def _close_all(sockets, receivers) -> None:
    async def close(ws):
        try:
            await asyncio.wait_for(ws.close(), timeout=3)
        except Exception:  # noqa: BLE001 - a socket the server already dropped
            pass

    await asyncio.gather(*(close(ws) for ws in sockets if ws is not None))
    for task in receivers:
        task.cancel()
    await asyncio.gather(*receivers, return_exceptions=True)


def run_load_sync(url: str, origin: str, spec: LoadSpec, probe=None,
                  use_uvloop: bool = True) -> LoadResult:
    """One load on a fresh event loop (uvloop when installed: the client must not be the limit)."""
    if use_uvloop:
        try:
            import uvloop
        except ImportError:
            pass
        else:
            return uvloop.run(run_load(url, origin, spec, probe))
    return asyncio.run(run_load(url, origin, spec, probe))
