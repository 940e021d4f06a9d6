"""Two Daphne processes of step 09 behind one Redis, 100 clients spread over them: every
client receives every message of its room exactly once, in each sender's order."""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid

import pytest
from live_servers import Daphne, PrivateRedis, project_copy

pytestmark = pytest.mark.redis  # a real Redis (and redis-server for a private one)

CLIENTS = 100
SENDERS = 10
MESSAGES = 10  # per sender: within the rate limit's burst of 10
ORIGIN = "http://localhost"


@pytest.fixture
def two_servers(tmp_path):
    assert shutil.which("redis-server"), "redis-server is not installed: sudo apt-get install redis-server"
    redis = PrivateRedis(tmp_path)
    redis.start()
    project = project_copy(tmp_path)
    servers = [Daphne(project, redis.url, tmp_path / f"daphne{i}.log") for i in range(2)]
    yield servers
    for server in servers:
        server.stop()
    redis.stop()


async def run_room(servers, room: str) -> dict:
    from websockets.asyncio.client import connect

    clients = []
    for n in range(CLIENTS):
        clients.append(await connect(servers[n % 2].url(room), origin=ORIGIN, open_timeout=10, max_queue=None))
    expected = SENDERS * MESSAGES
    received = {n: [] for n in range(CLIENTS)}

    async def listen(n, ws):
        while len(received[n]) < expected:
            frame = json.loads(await ws.recv())
            if "message" in frame:
                received[n].append(frame)

    listeners = [asyncio.create_task(listen(n, ws)) for n, ws in enumerate(clients)]

    async def send(sender: int):
        ws = clients[sender * (CLIENTS // SENDERS)]
        for k in range(MESSAGES):
            await ws.send(json.dumps({"message": f"{sender}:{k}"}))

    await asyncio.gather(*(send(s) for s in range(SENDERS)))
    done, pending = await asyncio.wait(listeners, timeout=30)
    for task in pending:
        task.cancel()
    for ws in clients:
        await ws.close()
    return received


def test_every_client_gets_every_message_once_in_order(two_servers):
    received = asyncio.run(run_room(two_servers, "reliable " + uuid.uuid4().hex[:6]))
    sent = {f"{s}:{k}" for s in range(SENDERS) for k in range(MESSAGES)}
    lost = duplicated = out_of_order = 0
    for frames in received.values():
        texts = [f["message"] for f in frames]
        lost += len(sent - set(texts))
        duplicated += len(texts) - len(set(texts))
        for s in range(SENDERS):
            mine = [int(t.split(":")[1]) for t in texts if t.startswith(f"{s}:")]
            out_of_order += mine != sorted(mine)
    print(f"\n{CLIENTS} clients on 2 servers, {len(sent)} messages sent, "
          f"{sum(len(v) for v in received.values())} deliveries, lost {lost}, duplicated {duplicated}, "
          f"out of order {out_of_order}")
    assert (lost, duplicated, out_of_order) == (0, 0, 0)
    for server in two_servers:
        assert "Traceback" not in server.output()
