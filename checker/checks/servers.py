"""Two real Daphne processes sharing the project's Redis, talked to with a real client.

Nature "servers": run by the runner in the workbook's own process (checker/outside.py), with
the `websockets` client; the servers run the project on its own interpreter.
"""

from __future__ import annotations

import asyncio
import json

from checker.checks import check
from checker.checks.sockets import show
from checker.failures import diagnose_line, short_error
from checker.result import CheckFailed, Note


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


def crashed_or(pair, ctx, ports, otherwise: CheckFailed, client: str = "") -> CheckFailed:
    """When a server logged an exception, that is the failure (the consumer crashed, and the
    room's other server had nothing to pass on); otherwise `otherwise`."""
    crashed = pair.exception(ctx.root)
    if not crashed:
        return otherwise
    first_line = crashed.splitlines()[0]
    cause, params = diagnose_line(first_line, ctx.root)
    return CheckFailed("two-servers-crashed", status="error", causes=[cause], first=ports[0], second=ports[1],
                       log=crashed, error=short_error(first_line), client=client or "—", **params)


@check("two-servers")
async def two_servers(ctx):
    from websockets.asyncio.client import connect

    if ctx.layer == "memory":
        raise CheckFailed("two-servers-memory", status="skip")
    pair = ctx.servers
    try:
        ports = await pair.ready(timeout=30)
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
                raise crashed_or(pair, ctx, ports, CheckFailed("two-servers-no-delivery", first=ports[0], second=ports[1])) from None
            ctx.frames.append(f"bob ← {got}")
    except CheckFailed:
        raise
    except Exception as exc:  # handshake refused, connection reset or closed with 1011, ...
        client = f"{type(exc).__name__}: {exc}"
        raise crashed_or(pair, ctx, ports, CheckFailed(
            "two-servers-connect", status="error", client=client, log=pair.last_error(ctx.root)), client=client) from None
    try:
        parsed = json.loads(got)
    except ValueError:
        parsed = got
    if not isinstance(parsed, dict) or parsed.get("message") != "across servers":
        raise CheckFailed("ws-reply-wrong", name="bob", expected=show({"message": "across servers"}), received=show(parsed))
    return Note("two-servers-note", first=ports[0], second=ports[1])
