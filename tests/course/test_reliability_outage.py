"""Redis stops and starts again under a live step 09 with connected clients: the clients
reconnect on their own (as the page does, with backoff), and every message the server
accepted before, during and after the outage is in the room's history.

What the outage loses, as lesson 09 says: a consumer whose layer connection breaks is closed,
so while Redis is down nobody can connect and a client cannot send; what a client tried to
send then was never accepted (no id), and the page keeps it in the input box."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
import uuid

import pytest
from live_servers import Daphne, PrivateRedis, project_copy

pytestmark = pytest.mark.redis  # a real Redis (and redis-server for a private one)
ORIGIN = "http://localhost"


class ReconnectingClient:
    """What the room page's script does: reconnect with backoff, keep every frame."""

    def __init__(self, url: str):
        self.url = url
        self.frames: list[dict] = []
        self.opened = 0
        self.ws = None
        self.task = None

    async def run(self):
        from websockets.asyncio.client import connect

        delay = 0.2
        while True:
            try:
                async with connect(self.url, origin=ORIGIN, open_timeout=3) as ws:
                    self.ws, self.opened, delay = ws, self.opened + 1, 0.2
                    async for raw in ws:
                        self.frames.append(json.loads(raw))
            except asyncio.CancelledError:
                raise
            except Exception:
                pass
            self.ws = None
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    def start(self):
        self.task = asyncio.create_task(self.run())

    async def wait_open(self, opened: int, seconds: float = 30):
        deadline = time.monotonic() + seconds
        while not (self.ws is not None and self.opened >= opened):
            assert time.monotonic() < deadline, f"{self.url}: not reconnected"
            await asyncio.sleep(0.05)

    async def say(self, text: str) -> dict | None:
        """Send; the frame that answers it (own broadcast or an error), None if it could not."""
        if self.ws is None:
            return None
        before = len(self.frames)
        try:
            await self.ws.send(json.dumps({"message": text}))
        except Exception:
            return None
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            for frame in self.frames[before:]:
                if frame.get("message") == text or "error" in frame:
                    return frame
            await asyncio.sleep(0.02)
        return None


@pytest.fixture
def world(tmp_path):
    assert shutil.which("redis-server"), "redis-server is not installed: sudo apt-get install redis-server"
    redis = PrivateRedis(tmp_path)
    redis.start()
    server = Daphne(project_copy(tmp_path), redis.url, tmp_path / "daphne.log")
    yield redis, server
    server.stop()
    redis.stop()


async def scenario(redis, server):
    room = "outage " + uuid.uuid4().hex[:6]
    alice, bob = ReconnectingClient(server.url(room)), ReconnectingClient(server.url(room))
    alice.start()
    bob.start()
    await alice.wait_open(1)
    await bob.wait_open(1)
    accepted, refused = [], []

    def note(text, answer):
        # Accepted: it has an id, or it was saved and only the broadcast failed.
        if answer and (isinstance(answer.get("id"), int) or answer.get("error", {}).get("code") == "unavailable"):
            accepted.append(text)
        else:
            refused.append(text)

    for n in range(3):
        note(f"before {n}", await alice.say(f"before {n}"))
    redis.stop()
    await asyncio.sleep(1.0)
    for n in range(3):
        note(f"during {n}", await alice.say(f"during {n}"))
        await asyncio.sleep(0.3)
    redis.start()  # the same port
    await alice.wait_open(2)
    await bob.wait_open(2)
    for n in range(3):
        note(f"after {n}", await alice.say(f"after {n}"))
    carol = ReconnectingClient(server.url(room))
    carol.start()
    await carol.wait_open(1)
    deadline = time.monotonic() + 5
    while not carol.frames and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    for client in (alice, bob, carol):
        client.task.cancel()
    history = [m["message"] for m in carol.frames[0].get("history", [])] if carol.frames else []
    return accepted, refused, history, alice.opened, bob.opened


def test_clients_reconnect_and_no_accepted_message_is_lost(world):
    redis, server = world
    accepted, refused, history, alice_opened, bob_opened = asyncio.run(scenario(redis, server))
    print(f"\naccepted {len(accepted)}, not accepted during the outage {len(refused)}, "
          f"history {len(history)}, reconnects alice {alice_opened - 1}, bob {bob_opened - 1}")
    assert alice_opened >= 2 and bob_opened >= 2, "the clients did not reconnect"
    assert [t for t in accepted if t.startswith("before")] == ["before 0", "before 1", "before 2"]
    assert [t for t in accepted if t.startswith("after")] == ["after 0", "after 1", "after 2"]
    assert all(t.startswith("during") for t in refused)
    lost = [t for t in accepted if t not in history]
    assert not lost, f"accepted but not in the history: {lost}"
