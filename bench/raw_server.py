"""The practical limit: a minimal broadcast chat on the raw `websockets` library, no Django, no layer.

Same contract as step 06: `/ws/chat/<room>/`, a frame `{"message": text}` in, `{"message": text}` out
to every connection of the room, the sender included. One process, the standard asyncio loop (like
Daphne's), no compression offered.

    python -m bench.raw_server --port 8765
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal

from websockets.asyncio.server import broadcast, serve

PREFIX = "/ws/chat/"


async def main(host: str, port: int) -> None:
    rooms: dict[str, set] = {}

    async def handler(ws):
        path = ws.request.path
        if not (path.startswith(PREFIX) and path.endswith("/") and len(path) > len(PREFIX) + 1):
            await ws.close(code=4404)
            return
        room = path[len(PREFIX):-1]
        members = rooms.setdefault(room, set())
        members.add(ws)
        try:
            async for text in ws:
                try:
                    message = json.loads(text)["message"]
                except (ValueError, TypeError, KeyError):
                    await ws.send(json.dumps({"error": {"code": "bad-frame"}}))
                    continue
                broadcast(members, json.dumps({"message": message}))
        finally:
            members.discard(ws)
            if not members:
                rooms.pop(room, None)

    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with serve(handler, host, port, compression=None, ping_interval=None,
                     max_size=2**20):
        print(f"raw websockets broadcast server on ws://{host}:{port}{PREFIX}<room>/", flush=True)
        await stop


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.raw_server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    asyncio.run(main(args.host, args.port))
