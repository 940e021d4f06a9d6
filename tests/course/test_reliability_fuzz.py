"""Property-based: whatever frame a client sends to step 09, in whatever room, the consumer
answers that client alone (an error frame or the broadcast), the connection stays open, a
well-behaved client in the room still gets every valid message, and nothing escapes."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from live_servers import Daphne, project_copy

from tools.redis_server import current_url

pytestmark = pytest.mark.redis  # a real Redis (and redis-server for a private one)

MAX_LENGTH = 2000
ORIGIN = "http://localhost"
TRIED = {"frames": 0, "valid": 0, "errors": 0}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)
messages = st.one_of(
    st.text(max_size=MAX_LENGTH + 300),
    st.text(alphabet=" \t\n", max_size=5),
    st.integers(), st.none(), st.booleans(), st.lists(st.integers(), max_size=3),
)
valid = st.text(min_size=1, max_size=300).filter(str.strip).map(lambda t: json.dumps({"message": t}))
frames = st.one_of(
    valid,  # twice as likely as each kind of bad frame: the well-behaved traffic matters too
    valid,
    st.binary(min_size=1, max_size=3000),
    st.text(min_size=1, max_size=300),
    json_values.map(json.dumps),
    st.builds(lambda m, extra: json.dumps({**extra, "message": m}), messages,
              st.dictionaries(st.text(max_size=8), json_values, max_size=2)),
)
rooms = st.text(
    alphabet=st.characters(blacklist_characters="/", blacklist_categories=("Cs",)), min_size=1, max_size=190
)


def expected_error(frame) -> str | None:
    """The protocol of lessons 08 and 09, written out once more, independently of the step's code."""
    if isinstance(frame, bytes):
        return "binary"
    try:
        data = json.loads(frame)
    except ValueError:
        return "not-json"
    if not isinstance(data, dict):
        return "not-object"
    if "message" not in data:
        return "no-message"
    if not isinstance(data["message"], str):
        return "not-string"
    try:
        data["message"].encode()  # "\ud800", half a character: step 09 refuses what its database would
    except UnicodeEncodeError:
        return "not-string"
    text = data["message"].strip()
    if not text:
        return "empty"
    if len(text) > MAX_LENGTH:
        return "too-long"
    return None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    daphne = Daphne(project_copy(folder), current_url(), folder / "daphne.log")
    yield daphne
    daphne.stop()
    print(f"\nhypothesis tried {TRIED['frames']} frames: {TRIED['valid']} valid, {TRIED['errors']} error frames")


async def one_exchange(server, room: str, frame):
    from websockets.asyncio.client import connect

    url = server.url(room)
    async with connect(url, origin=ORIGIN, open_timeout=10) as sender, connect(url, origin=ORIGIN, open_timeout=10) as watcher:
        await sender.send(frame)
        reply = json.loads(await asyncio.wait_for(sender.recv(), 5))
        error = expected_error(frame)
        if error:
            assert reply.get("error", {}).get("code") == error, (frame[:80], reply)
        else:
            text = json.loads(frame)["message"].strip()
            assert reply.get("message") == text and isinstance(reply.get("id"), int), reply
            seen = json.loads(await asyncio.wait_for(watcher.recv(), 5))
            assert seen == reply
        # The sender's connection is still open, and the watcher got nothing in between.
        await sender.send(json.dumps({"message": "sentinel"}))
        assert json.loads(await asyncio.wait_for(sender.recv(), 5))["message"] == "sentinel"
        assert json.loads(await asyncio.wait_for(watcher.recv(), 5))["message"] == "sentinel"
    TRIED["frames"] += 1
    TRIED["valid" if error is None else "errors"] += 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(frame=frames, room=rooms)
@example(frame=b"\x00", room="привет мир")
@example(frame='{"message": "' + "я" * MAX_LENGTH + '"}', room="x" * 190)
@example(frame='{"message": "<script>alert(1)</script>"}', room="a?b#c")
def any_frame_in_any_room(server, frame, room):
    asyncio.run(one_exchange(server, f"{room} {uuid.uuid4().hex[:6]}", frame))


def test_any_frame_in_any_room_and_the_server_logged_no_exception(server):
    """The property, then what the server logged meanwhile: one test, so that the two run in the
    same process whichever xdist worker takes it."""
    any_frame_in_any_room(server)
    assert TRIED["frames"] >= 100, TRIED
    log = server.output()
    assert "Traceback" not in log and "Exception inside application" not in log, log[-3000:]
