"""Steps 08 and 09: the chat that survives bad input (08) and knows who speaks and what was said
(09). Every bad-input check sends what a careless or hostile
client sends, and expects an error frame to that client alone, with the connection open."""

from __future__ import annotations

import asyncio
import difflib
import json
import re
import time

from checker.checks import check, verifier
from checker.checks.groups import busy_machine, load_now
from checker.checks.sockets import expect_message, show
from checker.i18n import N_
from checker.result import CheckFailed

GROUP_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,99}$")
MAX_LENGTH = 2000
# (what the client sends, the error code the lesson's protocol answers with)
BAD_FRAMES = [
    ("not json", "not-json"),
    ("[1, 2]", "not-object"),
    ('{"text": "hi"}', "no-message"),
    ('{"message": 42}', "not-string"),
    ('{"message": "   "}', "empty"),
    (json.dumps({"message": "x" * (MAX_LENGTH + 1)}), "too-long"),
    (b"\x00\x01binary", "binary"),
]


def error_code(frame) -> str | None:
    if isinstance(frame, dict) and isinstance(frame.get("error"), dict):
        return frame["error"].get("code")
    return None




@check("room-any-name")
async def room_any_name(ctx):
    tag = ctx.room()
    # Two rooms that differ only in their Cyrillic part: a scheme that drops what is not
    # ASCII would put them into one group.
    rooms = ["привет " + tag, "пока " + tag, "a b c " + tag, ("long" + tag) * 15]
    joined_before = len(ctx.channel_layer().added())
    for room in rooms:
        from urllib.parse import quote

        alice = await ctx.client("alice", room, path=f"/ws/chat/{quote(room)}/").connect()
        bob = await ctx.client("bob", room, path=f"/ws/chat/{quote(room)}/").connect()
        await alice.send({"message": "hello"})
        expect_message(ctx, bob, "hello", await bob.receive())
    groups = {g for g, _ in ctx.channel_layer().added()[joined_before:]}
    bad = [g for g in groups if not GROUP_NAME.match(g)]
    if bad:
        raise CheckFailed("group-name-invalid", group=bad[0])
    if len(groups) < len(rooms):
        raise CheckFailed("group-shared", count=len(groups), rooms=len(rooms))


@check("bad-frames")
async def bad_frames(ctx):
    room = ctx.room()
    alice = await ctx.client("alice", room).connect()
    bob = await ctx.client("bob", room).connect()
    for payload, code in BAD_FRAMES:
        shown = repr(payload if isinstance(payload, bytes) else payload[:60])
        try:
            await alice.send_raw(payload)
            got = await alice.receive()
        except CheckFailed as failed:
            if failed.key != "app-crashed":
                raise
            # The lecture's consumer: the frame is used before it is checked.
            raise CheckFailed(
                "bad-frame-crashed", causes=[c for c in failed.causes if c != "hint-generic"], sent=shown, expected=code,
                error=failed.params.get("error", "?"), where=failed.params.get("where", "?"),
            ) from None
        if error_code(got) != code:
            answered = error_code(got)
            # "too_long" for "too-long": the lesson's protocol spells its codes with hyphens.
            near = answered is not None and difflib.SequenceMatcher(None, answered, code).ratio() >= 0.75
            causes = [N_("hint-code-near-miss")] if near else []
            raise CheckFailed("bad-frame-answer", causes=causes,
                              sent=shown, expected=code, received=show(got), found=answered or "")
    if not await bob.nothing(0.2):
        raise CheckFailed("bad-frame-leaked", received=show(bob.received[-1]))
    await alice.send({"message": "still here"})
    expect_message(ctx, bob, "still here", await bob.receive())


LESSON_BURST, LESSON_RATE = 10, 5  # the token bucket lesson 08 sets


@check("rate-limit")
async def rate_limit(ctx):
    alice = await ctx.client("alice", ctx.room()).connect()
    # The lesson's bucket holds 10 and refills 5 a second: 12 at once must meet a refusal. On a
    # busy machine the 12 take long enough to earn tokens back, so more are sent until no bucket
    # that size could have let them all through, and only then is it a failure.
    sent, started = 0, time.monotonic()
    while sent < 60:
        for n in range(12):
            await alice.send({"message": f"burst {sent + n}"})
        codes = [error_code(await alice.receive()) for _ in range(12)]
        sent += 12
        if "rate-limited" in codes:
            break
        if sent > LESSON_BURST + LESSON_RATE * (time.monotonic() - started) + 1:
            raise CheckFailed("rate-not-limited", sent=sent)
    else:
        raise CheckFailed("rate-not-limited", causes=busy_machine(), sent=sent, **load_now())
    flood = await ctx.client("mallory", ctx.room()).connect()
    for n in range(60):
        try:
            await flood.send_raw(json.dumps({"message": f"flood {n}"}))
        except CheckFailed:
            break
    while True:
        output = await flood.receive_event(timeout=2)
        if output is None:
            flood.alive = False
            raise CheckFailed("flood-not-closed")
        if output["type"] == "websocket.close":
            flood.alive = False
            if output.get("code") != 4429:
                raise CheckFailed("flood-wrong-code", code=output.get("code"))
            return None


# A burst over the channel layer's default capacity (100 waiting messages): 15 people send 10
# each at once, within the rate limit the lesson sets (10 at once).
BURST_PEOPLE = 15
BURST_EACH = 10


@check("burst-delivered")
async def burst_delivered(ctx):
    room = ctx.room()
    people = [await ctx.client(f"user{i}", room).connect() for i in range(BURST_PEOPLE)]
    for person in people:
        for n in range(BURST_EACH):
            await person.send({"message": f"{person.name} burst {n}"})
    # All at once: each drain ends only after a quiet spell.
    received = await asyncio.gather(*(person.drain() for person in people))
    # What the consumers accepted: every message sent, less those refused with an error frame.
    refused = sum(1 for frames in received for f in frames if error_code(f) is not None)
    accepted = BURST_PEOPLE * BURST_EACH - refused
    short = [i for i, frames in enumerate(received) if len(message_texts(frames)) < accepted]
    if short:
        # Late is not lost: a layer may pause one socket's deliveries for a moment (the
        # PubSub layer does, in process). Give those longer before calling anything dropped.
        later = await asyncio.gather(*(people[i].drain(quiet=2.0) for i in short))
        for i, more in zip(short, later, strict=True):
            received[i] = [*received[i], *more]
    for person, frames in zip(people, received, strict=True):
        got = len(message_texts(frames))
        if got < accepted:
            raise CheckFailed("burst-lost", people=BURST_PEOPLE, each=BURST_EACH,
                              accepted=accepted, name=person.name, got=got)


def message_texts(frames) -> set:
    return {f.get("message") for f in frames if isinstance(f, dict) and "message" in f}


@check("sender-name")
async def sender_name(ctx):
    room = ctx.room()
    alice = await ctx.client("alice", room).connect()
    await alice.send({"message": "who am I?"})
    got = await alice.receive()
    expect_message(ctx, alice, "who am I?", got)
    if not isinstance(got.get("user"), str) or not got["user"] or not isinstance(got.get("id"), int):
        raise CheckFailed("frame-without-user", received=show(got))
    await alice.send({"message": "again"})
    second = await alice.receive()
    if second.get("user") != got["user"]:
        raise CheckFailed("user-not-stable", first=got["user"], second=show(second.get("user")))
    if not second.get("id", 0) > got["id"]:
        raise CheckFailed("ids-not-increasing", first=got["id"], second=show(second.get("id")))


@check("history")
async def history(ctx):
    room = ctx.room()
    alice = await ctx.client("alice", room).connect()
    sent = [f"message {n}" for n in range(3)]
    for text in sent:
        await alice.send({"message": text})
        await alice.receive()
    await alice.disconnect()
    carol = await ctx.client("carol", room).connect()
    got = await carol.receive(skip_history=False)
    if not isinstance(got, dict) or not isinstance(got.get("history"), list):
        raise CheckFailed("no-history", received=show(got))
    texts = [m.get("message") for m in got["history"] if isinstance(m, dict)]
    if texts[-3:] != sent:
        raise CheckFailed("history-wrong", expected=show(sent), received=show(texts))
    fresh = await ctx.client("dave", ctx.room()).connect()  # a room with no messages yet
    if not await fresh.nothing(0.2):
        raise CheckFailed("history-for-empty-room", received=show(fresh.received[-1]))


@check("origin-refused")
async def origin_refused(ctx):
    try:
        await ctx.client("mallory", ctx.room(), origin="http://evil.example").connect(timeout=2)
    except CheckFailed as failed:
        if failed.key in ("ws-origin-refused", "ws-refused"):
            return None  # refused, as it should be
        raise
    raise CheckFailed("origin-accepted", origin="http://evil.example")


@verifier("room-any-name")
async def room_any_name_live(ctx):
    from urllib.parse import quote

    from checker.checks.groups import group_keys

    redis = ctx.redis()
    tag = ctx.room()
    rooms = ["привет " + tag, "пока " + tag, "a b c " + tag, ("long" + tag) * 15]
    before = set(group_keys(redis))
    for room in rooms:
        alice = await ctx.client("alice", room, path=f"/ws/chat/{quote(room)}/").connect()
        bob = await ctx.client("bob", room, path=f"/ws/chat/{quote(room)}/").connect()
        await alice.send({"message": "hello"})
        expect_message(ctx, bob, "hello", await bob.receive())
    groups = set(group_keys(redis)) - before
    if groups and len(groups) < len(rooms):
        raise CheckFailed("group-shared", count=len(groups), rooms=len(rooms))
