"""WebSocket behaviour of one room: connect, echo, who hears it, disconnect."""

from __future__ import annotations

from checker.checks import check
from checker.result import CheckFailed


def show(value) -> str:
    import json

    if value is None:
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def expect_message(ctx, client, text: str, got):
    """`got` must be a JSON object whose "message" is `text`; say precisely how it is not."""
    if got is None:
        raise CheckFailed("ws-no-reply", name=client.name, sent=show({"message": text}))
    if not isinstance(got, dict):
        raise CheckFailed("ws-reply-not-object", name=client.name, received=show(got))
    if got.get("message") != text:
        raise CheckFailed(
            "ws-reply-wrong",
            name=client.name,
            expected=show({"message": text}),
            received=show(got),
        )


@check("ws-not-served-yet")
async def ws_not_served_yet(ctx):
    client = ctx.client("alice", ctx.room())
    try:
        await client.connect(timeout=2)
    except CheckFailed:  # refused, no route or no websocket protocol: not served
        return
    raise CheckFailed("ws-served-early", path=client.path)


@check("ws-connect")
async def ws_connect(ctx):
    await ctx.client("alice", ctx.room()).connect()
    # The checker's rooms are letters and digits; a user's may be "my-room" or "v1.2". A route
    # such as \w+ refuses those: not wrong for the lesson, so a warning, not a failure.
    wide = f"my-room.{ctx.room('v')}"
    try:
        await ctx.client("bob", wide).connect()
    except CheckFailed as failed:
        if failed.key == "ws-no-route":
            raise CheckFailed("route-narrow", status="warn", routes=failed.params.get("routes", "?"), room=wide) from None


@check("ws-echo")
async def ws_echo(ctx):
    alice = await ctx.client("alice", ctx.room()).connect()
    await alice.send({"message": "hello"})
    expect_message(ctx, alice, "hello", await alice.receive())


@check("ws-echo-sender-only")
async def ws_echo_sender_only(ctx):
    room = ctx.room()
    alice = await ctx.client("alice", room).connect()
    bob = await ctx.client("bob", room).connect()
    await alice.send({"message": "echo?"})
    expect_message(ctx, alice, "echo?", await alice.receive())
    if not await bob.nothing(0.3):
        raise CheckFailed("ws-echo-broadcasts", received=show(bob.received[-1]))


@check("ws-disconnect")
async def ws_disconnect(ctx):
    alice = await ctx.client("alice", ctx.room()).connect()
    await alice.send({"message": "bye"})
    expect_message(ctx, alice, "bye", await alice.receive())
    await alice.disconnect()
