"""Two real Daphne processes sharing the project's Redis, talked to with a real client.

Nature "servers": run by the runner in the workbook's own process (checker/outside.py), with
live clients (checker/live.py); the servers run the project on its own interpreter, in its
sandbox when there is one.
"""

from __future__ import annotations

from pathlib import Path

from checker.checks import check
from checker.checks.sockets import show
from checker.failures import diagnose_line, short_error
from checker.i18n import nested
from checker.result import CheckFailed, Note


def crashed_or(pair, ctx, names, otherwise: CheckFailed, client: str = "") -> CheckFailed:
    """When a server logged an exception, that is the failure (the consumer crashed, and the
    room's other server had nothing to pass on); otherwise `otherwise`."""
    crashed = pair.exception(ctx.root)
    if not crashed:
        return otherwise
    first_line = crashed.splitlines()[0]
    cause, params = diagnose_line(first_line, ctx.root)
    return CheckFailed("two-servers-crashed", status="error", causes=[cause], first=names[0], second=names[1],
                       log=crashed, error=short_error(first_line), client=client or "—", **params)


@check("two-servers")
async def two_servers(ctx):
    if ctx.layer == "memory":
        raise CheckFailed("two-servers-memory", status="skip")
    pair = ctx.servers
    try:
        endpoints = await pair.ready(timeout=30)
    except RuntimeError as exc:
        raise CheckFailed("server-failed", status="error", log=str(exc)) from None
    ctx.endpoints = endpoints
    names = [f":{e.port}" if e.port else Path(str(e)).name for e in endpoints]
    room = ctx.room()
    try:
        alice = await ctx.client("alice", room, server=0).connect(timeout=5)
        bob = await ctx.client("bob", room, server=1).connect(timeout=5)
        await alice.send({"message": "across servers"})
        got = await bob.receive(timeout=3)
    except CheckFailed as failed:  # refused, reset, closed with 1011, ...
        raise crashed_or(pair, ctx, names, CheckFailed(
            "two-servers-connect", status="error", client=nested(failed.key, failed.params),
            log=pair.last_error(ctx.root))) from None
    if got is None:
        raise crashed_or(pair, ctx, names, CheckFailed("two-servers-no-delivery", first=names[0], second=names[1]))
    if not isinstance(got, dict) or got.get("message") != "across servers":
        raise CheckFailed("ws-reply-wrong", name="bob", expected=show({"message": "across servers"}), received=show(got))
    return Note("two-servers-note", first=names[0], second=names[1])
