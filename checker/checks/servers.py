"""Two real Daphne processes sharing the project's Redis, talked to with a real client."""

from __future__ import annotations

import asyncio
import json

from checker.checks import check
from checker.checks.sockets import show
from checker.daphne import DaphnePair
from checker.result import CheckFailed


def start_pair(ctx) -> DaphnePair:
    """Started early by the probe, so the servers boot while other checks run."""
    if ctx.servers is None:
        ctx.servers = DaphnePair.start(ctx.settings.ASGI_APPLICATION, count=2)
    return ctx.servers


async def next_message(ws) -> str:
    """The next live frame: a room's history (step 08) may come first, and is not one."""
    while True:
        raw = await ws.recv()
        try:
            if set(json.loads(raw)) == {"history"}:
                continue
        except (ValueError, TypeError):
            pass
        return raw


@check("two-servers")
async def two_servers(ctx):
    from websockets.asyncio.client import connect

    if ctx.layer == "memory":
        raise CheckFailed("two-servers-memory", status="skip")
    pair = start_pair(ctx)
    try:
        ports = await pair.ready(timeout=10)
    except RuntimeError as exc:
        raise CheckFailed("server-failed", status="error", log=str(exc)) from None
    room = ctx.room()
    urls = [f"ws://127.0.0.1:{port}/ws/chat/{room}/" for port in ports]
    try:
        async with connect(urls[0], origin=ctx.origin, open_timeout=5) as alice, connect(
            urls[1], origin=ctx.origin, open_timeout=5
        ) as bob:
            ctx.frames.append(f"alice → CONNECT {urls[0]}")
            ctx.frames.append(f"bob → CONNECT {urls[1]}")
            sent = json.dumps({"message": "across servers"})
            await alice.send(sent)
            ctx.frames.append(f"alice → {sent}")
            try:
                got = await asyncio.wait_for(next_message(bob), 3)
            except asyncio.TimeoutError:
                raise CheckFailed(
                    "two-servers-no-delivery", first=ports[0], second=ports[1]
                ) from None
            ctx.frames.append(f"bob ← {got}")
    except CheckFailed:
        raise
    except Exception as exc:  # handshake refused, connection reset, ...
        raise CheckFailed(
            "two-servers-connect", status="error", error=f"{type(exc).__name__}: {exc}",
            log=pair.last_error(ctx.root),
        ) from None
    try:
        parsed = json.loads(got)
    except ValueError:
        parsed = got
    if not isinstance(parsed, dict) or parsed.get("message") != "across servers":
        raise CheckFailed("ws-reply-wrong", name="bob", expected=show({"message": "across servers"}), received=show(parsed))
    return ctx.t("two-servers-note", first=ports[0], second=ports[1])
