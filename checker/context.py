"""What a check sees of the project under test, inside the probe process."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from urllib.parse import urlparse

from checker.failures import diagnose, websocket_refusal
from checker.i18n import N_
from checker.result import CheckFailed


def settings_file(module: str, root: Path) -> str:
    """The project's own settings module, as a path inside the project ("mysite/settings.py")."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(module)
    except Exception:  # a package that does not import
        spec = None
    path = Path(spec.origin).resolve() if spec and spec.origin else None
    return str(path.relative_to(root)) if path and path.is_relative_to(root) else ""


def new_room(label: str = "room") -> str:
    # Letters and digits only: valid in a URL, a group name and any student's scheme.
    return f"{label}{uuid.uuid4().hex[:10]}"


def pick_host(allowed_hosts: list[str]) -> str:
    """A Host (and Origin) the project accepts, as a browser on the dev server would send."""
    for preferred in ("localhost", "127.0.0.1"):
        if preferred in allowed_hosts:
            return preferred
    for host in allowed_hosts:
        if host == "*":
            return "localhost"
        if host.startswith("."):
            return "www" + host if host != "." else "localhost"
        if host:
            return host
    return "localhost"  # DEBUG with an empty list allows localhost


class Context:
    def __init__(self, *, root: Path, layer: str, thorough: bool, student_settings: str, emit=None):
        from django.conf import settings

        self.root = root
        self.layer = layer  # "redis" (the project's own layer) or "memory"
        self.thorough = thorough
        self.student_settings = student_settings  # the project's own module, not the overlay
        self.emit = emit or (lambda event: None)  # progress for the runner (see probe.py)
        self.settings = settings
        self.host = pick_host(list(settings.ALLOWED_HOSTS))
        self.origin = f"http://{self.host}"
        self.frames: list[str] = []
        self.clients: list[Client] = []
        self.recorder = None  # the RecordingLayer, once installed
        self.layer_error = None  # why the project's channel layer could not be built
        self.servers = None  # the two Daphne processes, when a check needs them
        self._application = None

    @property
    def settings_file(self) -> str:
        return settings_file(self.student_settings, self.root)

    def layer_missing(self) -> CheckFailed:
        """No CHANNEL_LAYERS["default"]; a setting of a near name ("CHANNEL_LAYER") is named."""
        import difflib

        names = [n for n in dir(self.settings._wrapped) if n.isupper() and n != "CHANNEL_LAYERS"]
        near = difflib.get_close_matches("CHANNEL_LAYERS", names, n=1, cutoff=0.8)
        causes = [N_("hint-setting-near-miss")] if near else []
        return CheckFailed("layer-missing", causes=causes,
                           where=self.settings_file, found=near[0] if near else "", wanted="CHANNEL_LAYERS")

    def channel_layer(self):
        """The recording wrapper of the project's layer, or CheckFailed saying why there is none."""
        if self.recorder is not None:
            return self.recorder
        if self.layer_error is not None:
            raise self.fail_from(self.layer_error, "layer-broken", status="fail")
        raise self.layer_missing()

    @property
    def application(self):
        if self._application is None:
            from channels.routing import get_default_application

            self._application = get_default_application()
        return self._application

    def room(self, label: str = "room") -> str:
        return new_room(label)

    def fail_from(self, exc: BaseException, key: str = N_("app-crashed"), status="error", **params):
        found = diagnose(exc, self.root, apps=list(self.settings.INSTALLED_APPS), settings_file=self.settings_file)
        if found.cause == "hint-no-handler":
            self.nested_handler(found)
        where = found.where
        if not where and key == "app-crashed":
            # Raised inside Channels (say, no handler for an event type): the student's
            # consumer is still the place to look.
            where = self.consumer_where()
        return CheckFailed(
            key, status=status, causes=found.causes, **params, **{**found.as_params(), "where": where or "?"}
        )

    def nested_handler(self, found):
        """The handler exists, but indented into another method: "chat_message is defined inside
        receive() at line N" (Python then sees a local function, not a method)."""
        import ast
        import inspect

        from checker.asgi_tree import protocol_app, routed_consumer

        try:
            consumer = routed_consumer(protocol_app(self.application, "websocket"), "/ws/chat/x/")
            path = Path(inspect.getsourcefile(consumer)).resolve()
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except Exception:
            return
        method = found.params.get("method")
        for outer in ast.walk(tree):
            if isinstance(outer, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(outer):
                    if inner is not outer and isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)) and inner.name == method:
                        found.also.append(N_("hint-handler-nested"))
                        found.params.update(outer=outer.name, line=inner.lineno)
                        return

    def consumer_where(self) -> str:
        """file:line of the consumer class that /ws/chat/<room>/ reaches, inside the project."""
        import inspect

        from checker.asgi_tree import protocol_app, routed_consumer

        try:
            consumer = routed_consumer(protocol_app(self.application, "websocket"), "/ws/chat/x/")
            path = Path(inspect.getsourcefile(consumer)).resolve()
            line = inspect.getsourcelines(consumer)[1]
        except Exception:  # no routed consumer, no source: nothing better to say
            return ""
        if not path.is_relative_to(self.root):
            return ""
        return f"{path.relative_to(self.root)}:{line} (class {consumer.__name__})"

    def client(self, name: str, room: str, path: str | None = None, origin: str | None = None) -> Client:
        client = Client(self, name, path or f"/ws/chat/{room}/", origin)
        self.clients.append(client)
        return client

    async def close_clients(self):
        await asyncio.gather(*(client.close() for client in self.clients))
        self.clients.clear()


async def watched(communicator, awaitable):
    """Await `awaitable`, but raise the application's exception as soon as it crashes.

    channels.testing only looks at the application after its own time-out; a student
    should not wait seconds to learn that receive() raised KeyError, or that the router
    was handed get_asgi_application instead of the application it returns.
    """
    task = asyncio.ensure_future(awaitable)
    application = communicator.future
    await asyncio.wait({task, application}, return_when=asyncio.FIRST_COMPLETED)
    if not task.done() and not application.cancelled() and application.exception():
        task.cancel()
        try:
            await task
        except BaseException:
            pass
        raise application.exception()
    return await task


class Client:
    """One WebSocket client, in process, through channels.testing.WebsocketCommunicator."""

    def __init__(self, ctx: Context, name: str, path: str, origin: str | None = None):
        from channels.testing import WebsocketCommunicator

        self.ctx = ctx
        self.name = name
        self.path = path
        self.received: list = []
        self.alive = False
        self.channel = None  # the consumer's channel name, when the recorder saw it join
        self.origin = origin or ctx.origin
        headers = [(b"origin", self.origin.encode()), (b"host", ctx.host.encode())]
        self.communicator = WebsocketCommunicator(ctx.application, path, headers=headers)

    async def watch(self, awaitable):
        return await watched(self.communicator, awaitable)

    def log(self, arrow: str, data):
        self.ctx.frames.append(f"{self.name} {arrow} {data}")

    async def connect(self, timeout: float = 3.0):
        """Connect, or raise CheckFailed saying why the socket was not accepted."""
        self.log("→", f"CONNECT {self.path}")
        joined_before = len(self.ctx.recorder.added()) if self.ctx.recorder else 0
        # If the project blocks the whole process here, the runner learns it was a connect.
        self.ctx.emit({"event": "connecting"})
        try:
            connected, detail = await self.watch(self.communicator.connect(timeout=timeout))
        except asyncio.TimeoutError:
            raise CheckFailed(
                "ws-connect-hangs", status="error", path=self.path, seconds=timeout
            ) from None
        except ValueError as exc:
            refusal = websocket_refusal(exc)
            if refusal == "ws-no-route":
                from checker.asgi_tree import protocol_app, route_mismatch, route_patterns

                websocket = protocol_app(self.ctx.application, "websocket")
                routes = route_patterns(websocket)
                cause, params = route_mismatch(websocket, self.path)
                raise CheckFailed(refusal, causes=[cause] if cause else [], path=self.path,
                                  routes=", ".join(routes) or "—", **params) from None
            if refusal:
                raise CheckFailed(refusal) from None
            raise self.ctx.fail_from(exc, path=self.path) from None
        except Exception as exc:
            from checker.asgi_tree import class_routes, protocol_app

            bare = class_routes(protocol_app(self.ctx.application, "websocket"))
            if bare:
                raise CheckFailed("ws-no-as-asgi", consumer=bare[0]) from None
            raise self.ctx.fail_from(exc, path=self.path) from None
        finally:
            self.ctx.emit({"event": "connect-ended"})
        if not connected:
            self.log("←", f"CLOSE {detail}")
            raise self.refused(detail)
        self.log("←", "ACCEPT")
        self.alive = True
        if self.ctx.recorder:
            joined = self.ctx.recorder.added()[joined_before:]
            if joined:
                self.channel = joined[-1][1]
        return self

    def refused(self, code) -> CheckFailed:
        from channels.security.websocket import OriginValidator

        from checker.asgi_tree import find, protocol_app

        validator = find(protocol_app(self.ctx.application, "websocket"), OriginValidator)
        if validator and not validator.valid_origin(urlparse(self.origin)):
            return CheckFailed("ws-origin-refused", origin=self.origin, code=code)
        return CheckFailed("ws-refused", path=self.path, code=code)

    async def send_raw(self, payload):
        """A frame exactly as given: text, or bytes as a binary frame."""
        if not isinstance(payload, bytes):
            return await self.send(payload)
        self.log("→", f"BINARY {payload!r}")
        try:
            await self.communicator.send_to(bytes_data=payload)
        except Exception as exc:
            raise self.ctx.fail_from(exc) from None

    async def receive_event(self, timeout: float = 2.0) -> dict | None:
        """The next ASGI event the consumer sends ("websocket.send" or "websocket.close");
        None when nothing came in time (which, in channels.testing, ends the consumer)."""
        try:
            return await self.watch(self.communicator.receive_output(timeout))
        except asyncio.TimeoutError:
            self.alive = False
            return None

    async def send(self, payload):
        data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        self.log("→", data)
        try:
            await self.communicator.send_to(text_data=data)
        except Exception as exc:
            raise self.ctx.fail_from(exc) from None

    async def receive(self, timeout: float = 2.0, skip_history: bool = True):
        """The next frame, parsed as JSON when it is JSON; None when nothing came in time.

        A room's history (step 09: {"history": [...]} right after connecting) is not a live
        message: it is skipped unless asked for, since it may race with the first message.
        A time-out here cancels the consumer (channels.testing does), so a client that
        timed out is not used again.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            data = await self._receive_one(max(deadline - loop.time(), 0.01), timeout)
            if skip_history and isinstance(data, dict) and set(data) == {"history"}:
                continue
            return data

    async def _receive_one(self, timeout: float, shown_timeout: float, log: bool = True):
        try:
            output = await self.watch(self.communicator.receive_output(timeout))
        except asyncio.TimeoutError:
            self.alive = False
            self.log("·", f"(nothing in {shown_timeout:g} s)")
            return None
        except Exception as exc:
            self.alive = False
            raise self.ctx.fail_from(exc) from None
        if output["type"] == "websocket.close":
            self.alive = False
            if log:
                self.log("←", f"CLOSE {output.get('code', 1000)}")
            raise CheckFailed("ws-closed", name=self.name, code=output.get("code", 1000))
        data = output.get("text") if output.get("text") is not None else output.get("bytes")
        if log:
            self.log("←", data)
        try:
            data = json.loads(data)
        except (TypeError, ValueError):
            pass
        self.received.append(data)
        return data

    async def drain(self, quiet: float = 0.5, limit: float = 10.0) -> list:
        """Every frame until none comes for `quiet` s (at most `limit` s in all), parsed as in
        receive() and logged as one line: for loads too big to show frame by frame."""
        frames = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while loop.time() < deadline and not await self.communicator.receive_nothing(timeout=quiet):
            frames.append(await self._receive_one(1, 1, log=False))
        future = self.communicator.future
        if future.done() and not future.cancelled() and future.exception():
            self.alive = False
            raise self.ctx.fail_from(future.exception())
        self.log("←", f"({len(frames)} frames)")
        return frames

    async def nothing(self, timeout: float = 0.3) -> bool:
        """True when no frame arrives within `timeout`; the consumer keeps running."""
        if await self.communicator.receive_nothing(timeout=timeout):
            return True
        await self.receive(timeout=0.1)
        return False

    async def disconnect(self, timeout: float = 2.0):
        self.log("→", "DISCONNECT")
        self.alive = False
        try:
            await self.communicator.disconnect(timeout=timeout)
        except asyncio.TimeoutError:
            raise CheckFailed("ws-disconnect-hangs", status="error", seconds=timeout) from None
        except Exception as exc:
            raise self.ctx.fail_from(exc) from None

    async def close(self):
        """Best-effort clean-up after a check, whatever state the consumer is in."""
        try:
            if self.alive:
                await self.communicator.disconnect(timeout=0.5)
            else:
                await self.communicator.wait(timeout=0.1)
        except BaseException:  # a crashed or cancelled consumer is already reported
            pass
