"""Checking a project from outside its process: real HTTP and WebSocket clients against its
Daphne servers, and its Redis read directly. What is decided here, the submission cannot write.

`LiveContext` offers what a check uses of `checker.context.Context` (clients, rooms, pages), so
a behavioural check runs unchanged against a live server; the servers listen on Unix sockets
in a sandbox's scratch folder (checker/sandbox.py), or on loopback ports otherwise.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
from pathlib import Path

from checker.context import new_room
from checker.result import CheckFailed


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, host: str, timeout: float):
        super().__init__(host, timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


class Response:
    def __init__(self, status: int, content: bytes):
        self.status_code = status
        self.content = content


class Endpoint:
    """Where one server listens: a Unix socket path, or a loopback port."""

    def __init__(self, unix: str | None = None, port: int | None = None):
        self.unix, self.port = unix, port

    def __repr__(self):
        return self.unix or f"127.0.0.1:{self.port}"


class LiveContext:
    live = True

    def __init__(self, *, root: Path, layer: str, host: str, endpoints: list[Endpoint], redis_socket: Path | None = None):
        self.root = root
        self.layer = layer
        self.host = host
        self.origin = f"http://{host}"
        self.endpoints = endpoints
        self.redis_socket = redis_socket
        self.frames: list[str] = []
        self.clients: list[LiveClient] = []
        self.thorough = False
        self.refusals = 0  # handshakes the server refused: its log then holds why, on purpose

    def room(self, label: str = "room") -> str:
        return new_room(label)

    def client(self, name: str, room: str, path: str | None = None, origin: str | None = None, server: int = 0) -> LiveClient:
        client = LiveClient(self, name, path or f"/ws/chat/{room}/", origin or self.origin, self.endpoints[server])
        self.clients.append(client)
        return client

    async def close_clients(self):
        await asyncio.gather(*(client.close() for client in self.clients))
        self.clients.clear()

    def channel_layer(self):
        """Outside there is no wrapper to record group calls: the layer is judged by behaviour."""
        return None

    def http_get(self, path: str, timeout: float = 5.0) -> Response:
        endpoint = self.endpoints[0]
        if endpoint.unix:
            connection = UnixHTTPConnection(endpoint.unix, self.host, timeout)
        else:
            connection = http.client.HTTPConnection("127.0.0.1", endpoint.port, timeout=timeout)
        try:
            connection.request("GET", path, headers={"Host": self.host})
            reply = connection.getresponse()
            return Response(reply.status, reply.read(2 << 20))
        except (OSError, http.client.HTTPException) as exc:
            raise CheckFailed("live-http-failed", status="error", path=path, error=f"{type(exc).__name__}: {exc}") from None
        finally:
            connection.close()

    def redis(self):
        """A client of the submission's own Redis (sandboxed: through its Unix socket)."""
        import redis

        if self.redis_socket is None:
            raise CheckFailed("live-no-redis", status="skip")
        return redis.Redis(unix_socket_path=str(self.redis_socket), socket_timeout=3)


class LiveClient:
    """One WebSocket client over a real connection, with the interface of context.Client."""

    def __init__(self, ctx: LiveContext, name: str, path: str, origin: str, endpoint: Endpoint):
        self.ctx, self.name, self.path, self.origin, self.endpoint = ctx, name, path, origin, endpoint
        self.received: list = []
        self.alive = False
        self.channel = None
        self.connection = None

    def log(self, arrow: str, data):
        self.ctx.frames.append(f"{self.name} {arrow} {data}")

    async def connect(self, timeout: float = 3.0) -> LiveClient:
        from websockets.asyncio.client import connect, unix_connect
        from websockets.exceptions import InvalidStatus

        self.log("→", f"CONNECT {self.path}")
        uri = f"ws://{self.ctx.host}{self.path}"
        try:
            if self.endpoint.unix:
                opening = unix_connect(self.endpoint.unix, uri, origin=self.origin, open_timeout=timeout, max_size=None)
            else:
                opening = connect(f"ws://127.0.0.1:{self.endpoint.port}{self.path}", origin=self.origin,
                                  open_timeout=timeout, max_size=None)
            self.connection = await opening
        except InvalidStatus as exc:
            self.ctx.refusals += 1
            status = exc.response.status_code
            self.log("←", f"HTTP {status}")
            if status == 403:
                raise CheckFailed("ws-refused", path=self.path, code=403) from None
            raise CheckFailed("live-ws-status", path=self.path, status_code=status) from None
        except (asyncio.TimeoutError, TimeoutError):
            raise CheckFailed("ws-connect-hangs", status="error", path=self.path, seconds=timeout) from None
        except (OSError, Exception) as exc:  # reset, closed during the handshake
            raise CheckFailed("live-ws-failed", status="error", path=self.path, error=f"{type(exc).__name__}: {exc}") from None
        self.log("←", "ACCEPT")
        self.alive = True
        return self

    async def send(self, payload):
        data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        await self.send_raw(data)

    async def send_raw(self, payload):
        self.log("→", f"BINARY {payload!r}" if isinstance(payload, bytes) else payload)
        try:
            await self.connection.send(payload)
        except Exception as exc:  # the server closed on us
            self.alive = False
            raise CheckFailed("ws-closed", name=self.name, code=getattr(exc, "code", 1006)) from None

    async def receive_event(self, timeout: float = 2.0) -> dict | None:
        """The next frame as an ASGI-like event ({"type": "websocket.send", "text"} or
        {"type": "websocket.close", "code"}); None when nothing came in time."""
        from websockets.exceptions import ConnectionClosed

        try:
            data = await asyncio.wait_for(self.connection.recv(), timeout)
        except (asyncio.TimeoutError, TimeoutError):
            return None
        except ConnectionClosed as closed:
            self.alive = False
            code = closed.rcvd.code if closed.rcvd else 1006
            self.log("←", f"CLOSE {code}")
            return {"type": "websocket.close", "code": code}
        self.log("←", data)
        return {"type": "websocket.send", ("bytes" if isinstance(data, bytes) else "text"): data}

    async def receive(self, timeout: float = 2.0, skip_history: bool = True):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = await self.receive_event(max(deadline - loop.time(), 0.01))
            if event is None:
                self.log("·", f"(nothing in {timeout:g} s)")
                return None
            if event["type"] == "websocket.close":
                raise CheckFailed("ws-closed", name=self.name, code=event["code"])
            data = event.get("text", event.get("bytes"))
            try:
                data = json.loads(data)
            except (TypeError, ValueError):
                pass
            if skip_history and isinstance(data, dict) and set(data) == {"history"}:
                continue
            self.received.append(data)
            return data

    async def nothing(self, timeout: float = 0.3) -> bool:
        got = await self.receive(timeout=timeout)
        return got is None

    async def drain(self, quiet: float = 0.5, limit: float = 10.0) -> list:
        frames = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while loop.time() < deadline:
            event = await self.receive_event(quiet)
            if event is None or event["type"] == "websocket.close":
                break
            data = event.get("text", event.get("bytes"))
            try:
                data = json.loads(data)
            except (TypeError, ValueError):
                pass
            frames.append(data)
            self.received.append(data)
        return frames

    async def disconnect(self, timeout: float = 2.0):
        self.log("→", "DISCONNECT")
        self.alive = False
        if self.connection is not None:
            try:
                await asyncio.wait_for(self.connection.close(), timeout)
            except (asyncio.TimeoutError, TimeoutError):
                raise CheckFailed("ws-disconnect-hangs", status="error", seconds=timeout) from None

    async def close(self):
        if self.connection is not None:
            try:
                await asyncio.wait_for(self.connection.close(), 0.5)
            except BaseException:
                pass
