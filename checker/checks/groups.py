"""Rooms as groups on the channel layer: the layer itself, broadcast, isolation, leaving,
an idle client, and what a sync or an async consumer does to the other connections."""

from __future__ import annotations

import asyncio
import inspect
import os
import time

from checker.checks import check, verifier
from checker.checks.sockets import expect_message, show
from checker.failures import redis_trouble
from checker.i18n import N_
from checker.recording_layer import SLOW_MARKER
from checker.result import CheckFailed, Note


def layer_backend(ctx) -> str:
    layers = getattr(ctx.settings, "CHANNEL_LAYERS", None) or {}
    if "default" not in layers:
        raise ctx.layer_missing()
    return layers["default"].get("BACKEND", "")


def redis_hosts(ctx) -> str:
    hosts = ctx.settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts", "?")
    return show([h.get("address", h) if isinstance(h, dict) else h for h in hosts])


@check("redis-layer")
async def redis_layer(ctx):
    backend = layer_backend(ctx)
    if ctx.layer == "memory":
        raise CheckFailed("layer-memory-mode", status="skip")
    if not backend.startswith("channels_redis."):
        raise CheckFailed("layer-not-redis", backend=backend)
    layer = ctx.channel_layer().wrapped
    try:
        channel = await layer.new_channel()
        await asyncio.wait_for(layer.send(channel, {"type": "checker.ping"}), 3)
        got = await asyncio.wait_for(layer.receive(channel), 3)
    except asyncio.TimeoutError:
        raise CheckFailed("redis-timeout", hosts=redis_hosts(ctx)) from None
    except Exception as exc:
        trouble = redis_trouble(exc)
        if trouble == "not-redis":
            raise CheckFailed("redis-not-redis", hosts=redis_hosts(ctx), error=f"{type(exc).__name__}: {exc}"[:200]) from None
        if trouble == "down" or isinstance(exc, OSError):
            raise CheckFailed("redis-down", hosts=redis_hosts(ctx), error=str(exc)) from None
        raise ctx.fail_from(exc) from None
    if got.get("type") != "checker.ping":
        raise CheckFailed("redis-roundtrip-wrong", received=show(got))


async def room_of(ctx, names: list[str]):
    ctx.channel_layer()  # no layer, no groups: say so rather than crash
    room = ctx.room()
    return [await ctx.client(name, room).connect() for name in names]


def who_got_what(clients, text: str) -> tuple[list[str], str]:
    missing = [c.name for c in clients if {"message": text} not in _messages(c)]
    report = "; ".join(f"{c.name}: {show(c.received[-1]) if c.received else '—'}" for c in clients)
    return missing, report


def _messages(client):
    return [{"message": r.get("message")} for r in client.received if isinstance(r, dict)]


async def receive_all(clients, timeout=2.0):
    await asyncio.gather(*(client.receive(timeout=timeout) for client in clients))


@check("group-broadcast")
async def group_broadcast(ctx):
    clients = await room_of(ctx, ["alice", "bob", "carol"])
    await clients[0].send({"message": "hello, room"})
    await receive_all(clients)
    missing, report = who_got_what(clients, "hello, room")
    if missing:
        raise CheckFailed("broadcast-missing", missing=", ".join(missing), received=report)


@check("group-isolation")
async def group_isolation(ctx):
    alice, bob = await room_of(ctx, ["alice", "bob"])
    (dave,) = await room_of(ctx, ["dave"])
    await alice.send({"message": "only for this room"})
    await receive_all([alice, bob])
    missing, report = who_got_what([alice, bob], "only for this room")
    if missing:
        raise CheckFailed("isolation-needs-broadcast", missing=", ".join(missing), received=report)
    if not await dave.nothing(0.3):
        raise CheckFailed("isolation-leak", received=show(dave.received[-1]))


@check("group-leave")
async def group_leave(ctx):
    alice, bob, carol = await room_of(ctx, ["alice", "bob", "carol"])
    if carol.channel is None:
        raise CheckFailed("leave-never-joined")
    joined = [(g, c) for g, c in ctx.channel_layer().added() if c == carol.channel]
    await carol.disconnect()
    left = [(g, c) for g, c in ctx.recorder.discarded() if c == carol.channel]
    still_in = [g for g, _ in joined if (g, carol.channel) not in left]
    if still_in:
        raise CheckFailed("leave-no-discard", groups=", ".join(still_in))
    await alice.send({"message": "carol has gone"})
    await receive_all([alice, bob])
    missing, report = who_got_what([alice, bob], "carol has gone")
    if missing:
        raise CheckFailed("broadcast-missing", missing=", ".join(missing), received=report)


@check("idle-survives")
async def idle_survives(ctx):
    if not ctx.thorough:
        raise CheckFailed("thorough-only", status="skip")
    risk = idle_timeout_risk(ctx.channel_layer().wrapped)
    if risk:
        raise CheckFailed("redis-idle-timeout", causes=[N_("hint-redis-socket-timeout")],
                          where=ctx.settings_file, **risk)
    alice, bob = await room_of(ctx, ["alice", "bob"])
    await asyncio.sleep(6.5)  # longer than redis-py 8's 5 s socket time-out
    await alice.send({"message": "still there?"})
    expect_message(ctx, bob, "still there?", await bob.receive(timeout=3))


def idle_timeout_risk(layer) -> dict | None:
    """redis-py 8 reads with a 5 s socket time-out by default and channels-redis waits 5 s for a
    message (channels_redis #422): which ends first is a race, so an idle wait of ours passes by
    luck, most often on a busy machine. The configuration says it for sure."""
    import redis

    if not type(layer).__module__.startswith("channels_redis.") or not hasattr(layer, "brpop_timeout"):
        return None
    if int(redis.__version__.split(".")[0]) < 8:
        return None
    for host in getattr(layer, "hosts", []):
        timeout = host.get("socket_timeout", 5) if isinstance(host, dict) else 5
        if timeout is not None and timeout <= layer.brpop_timeout:
            return {"version": redis.__version__, "host": show(host.get("address", host)),
                    "timeout": f"{timeout:g}", "wait": f"{layer.brpop_timeout:g}"}
    return None


def routed_consumer(ctx):
    from checker.asgi_tree import protocol_app, routed_consumer

    path = f"/ws/chat/{ctx.room()}/"
    websocket = protocol_app(ctx.application, "websocket")
    consumer = routed_consumer(websocket, path)
    if consumer is None:
        from checker.asgi_tree import class_routes

        bare = class_routes(websocket)
        if bare:  # the class itself where its .as_asgi() application belongs
            raise CheckFailed("ws-no-as-asgi", consumer=bare[0])
        raise CheckFailed("no-consumer-routed", path=path)
    return consumer


HANDLERS = ("connect", "disconnect", "receive", "receive_json", "websocket_connect")


@check("async-consumer")
def async_consumer(ctx):
    from channels.consumer import SyncConsumer

    consumer = routed_consumer(ctx)
    if issubclass(consumer, SyncConsumer):
        raise CheckFailed("consumer-sync", name=consumer.__qualname__, base=_base(consumer))
    for klass in consumer.__mro__:
        if klass.__module__.startswith("channels."):
            break
        for name, value in vars(klass).items():
            if is_handler(name, value) and not inspect.iscoroutinefunction(value):
                raise CheckFailed("consumer-handler-sync", name=consumer.__qualname__, method=name)


def is_handler(name: str, value) -> bool:
    """connect, receive... and group event handlers: methods that take (self, event)."""
    if name in HANDLERS:
        return True
    if not inspect.isfunction(value) or name.startswith("_"):
        return False
    return list(inspect.signature(value).parameters)[1:2] == ["event"]


def _base(consumer) -> str:
    return next((k.__name__ for k in consumer.__mro__ if k.__module__.startswith("channels.")), "?")


@check("no-blocking")
async def no_blocking(ctx):
    slow = ctx.channel_layer().slow_seconds
    (alice,) = await room_of(ctx, ["alice"])
    (bob,) = await room_of(ctx, ["bob"])
    # A consumer that blocks holds bob back by about the whole slow call, every time; a busy
    # machine by some of it, now and then. So only a wait in between is measured once more,
    # and the lesser counts: a clear block is told at once, within the check's time.
    waits = [await bob_waits(ctx, alice, bob, slow)]
    if slow / 2 < waits[0] < slow * 0.9:
        waits.append(await bob_waits(ctx, alice, bob, slow))
    waited = min(waits)
    if waited > slow / 2:
        from channels.consumer import SyncConsumer

        key = N_("blocked") if issubclass(routed_consumer(ctx), SyncConsumer) else N_("blocked-async")
        raise CheckFailed(key, causes=busy_machine(), waited=f"{waited:.2f}", slow=f"{slow:.1f}", **load_now())
    return Note("no-blocking-note", waited=f"{max(waited, 0) * 1000:.0f}", slow=f"{slow:.1f}")


async def bob_waits(ctx, alice, bob, slow) -> float:
    """How much longer bob's reply takes while alice's handler is in a slow layer call than
    when he is alone: the machine's own speed is taken out."""
    started = time.perf_counter()
    await bob.send({"message": "alone"})
    expect_message(ctx, bob, "alone", await bob.receive(timeout=slow + 2))
    alone = time.perf_counter() - started
    # The clock starts before alice sends: an async consumer that blocks the event loop
    # holds back this coroutine too, and only the total shows it.
    started = time.perf_counter()
    await alice.send({"message": SLOW_MARKER})
    await asyncio.sleep(0.05)  # alice's handler is now inside its slow layer call
    await bob.send({"message": "quick"})
    got = await bob.receive(timeout=slow + 2)
    waited = time.perf_counter() - started - 0.05 - alone
    expect_message(ctx, bob, "quick", got)
    expect_message(ctx, alice, SLOW_MARKER, await alice.receive(timeout=slow + 2))
    return waited


BUSY = 1.5  # load average per core above which a timing verdict is not to be trusted


def load_now() -> dict:
    return {"load": f"{os.getloadavg()[0]:.1f}", "cores": os.cpu_count() or 1}


def busy_machine() -> list[str]:
    """The cause to add to a timing verdict taken on a machine too busy to trust it."""
    return [N_("hint-busy-machine")] if os.getloadavg()[0] > BUSY * (os.cpu_count() or 1) else []


# --- verdicts from outside: the submission's own Redis, read by the checker -------------------
def group_keys(redis) -> dict[str, int]:
    """channels-redis keeps a group as a sorted set "<prefix>:group:<name>": {key: members}."""
    return {key.decode(): redis.zcard(key) for key in redis.scan_iter(match="*:group:*", count=1000)
            if redis.type(key) == b"zset"}


async def wait_for(condition, seconds: float = 2.0) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


@verifier("redis-layer")
async def redis_layer_live(ctx):
    """A consumer with a Redis layer listens on its channel in Redis from the moment it is
    connected: the project's own Redis then has a client besides us."""
    redis = ctx.redis()
    await room_of(ctx, ["alice"])
    if not await wait_for(lambda: redis.info("clients").get("connected_clients", 0) > 1):
        raise CheckFailed("layer-not-redis", backend="(nothing of the project's connected to its Redis)")


@verifier("group-leave")
async def group_leave_live(ctx):
    redis = ctx.redis()
    before = group_keys(redis)
    alice, bob, carol = await room_of(ctx, ["alice", "bob", "carol"])
    joined = {}
    await wait_for(lambda: joined.update({k: n for k, n in group_keys(redis).items() if n - before.get(k, 0) >= 3}) or joined)
    if not joined:
        raise CheckFailed("source-undecidable", status="skip", what="the room's group in Redis")
    key, members = next(iter(joined.items()))
    await carol.disconnect()
    if not await wait_for(lambda: redis.zcard(key) == members - 1):
        raise CheckFailed("leave-no-discard", groups=key.rpartition(":group:")[2])
    await alice.send({"message": "carol has gone"})
    await receive_all([alice, bob])
    missing, report = who_got_what([alice, bob], "carol has gone")
    if missing:
        raise CheckFailed("broadcast-missing", missing=", ".join(missing), received=report)
