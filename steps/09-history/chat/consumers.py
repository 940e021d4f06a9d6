import hashlib
import json
import time

from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer

from chat.models import Message

# The limits a client is told about, in one place.
MAX_MESSAGE_LENGTH = 2000  # characters, counted after strip()
HISTORY_LENGTH = 50  # messages sent to a client that joins
BURST = 10  # messages a client may send at once...
RATE = 5  # ...and then per second
MAX_REJECTED = 20  # refused messages before a client that keeps flooding is closed
FLOOD_CLOSE_CODE = 4429  # 4000-4999 are for applications; 429 is HTTP's "Too Many Requests"
# Frames over 1 MiB never get here: Daphne drops such a connection itself (its default limit).

ERRORS = {
    "not-json": "The frame is not valid JSON.",
    "not-object": 'The frame must be a JSON object like {"message": "..."}.',
    "no-message": 'The object has no "message".',
    "not-string": 'The "message" must be a string of text.',
    "empty": "The message is empty.",
    "too-long": f"The message is longer than {MAX_MESSAGE_LENGTH} characters.",
    "binary": "Binary frames are not accepted: send text.",
    "rate-limited": f"Too many messages: at most {BURST} at once, then {RATE} a second.",
    "unavailable": "The message was saved, but the room could not be reached right now; "
    "the others will see it when they reconnect.",
}


def group_name(room_name):
    # Group names must be ASCII and shorter than 100 characters. A hash fits any
    # room name, and two different rooms never get the same group.
    return "chat." + hashlib.sha256(room_name.encode()).hexdigest()


def guest_name(secret):
    return "guest-" + hashlib.sha256(secret.encode()).hexdigest()[:6]


def is_text(value):
    if not isinstance(value, str):
        return False
    # JSON may hold "\ud800", half a character: Python decodes it, the database refuses it.
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


class ChatConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.room_name = self.scope["url_route"]["kwargs"]["room_name"]
        self.room_group_name = group_name(self.room_name)
        self.user_name = self.get_user_name()
        # The rate limit is a token bucket: it holds up to BURST tokens, gets RATE
        # new ones a second, and every frame costs one.
        self.tokens = BURST
        self.last_refill = time.monotonic()
        self.rejected = 0

        # Join the group before reading the history: a message sent in between then
        # arrives twice (the page drops the copy by its id) rather than never.
        await self.channel_layer.group_add(self.room_group_name, self.channel_name)
        await self.accept()

        history = await self.get_history()
        if history:
            await self.send(text_data=json.dumps({"history": history}))

    async def disconnect(self, close_code):
        await self.channel_layer.group_discard(self.room_group_name, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        # Every frame costs a token, a bad one too: checking costs the server work.
        if not self.take_token():
            await self.send_error("rate-limited")
            self.rejected += 1
            if self.rejected > MAX_REJECTED:
                await self.close(code=FLOOD_CLOSE_CODE)
                # Then stop, as Channels does on a disconnect: leave the room, and handle
                # none of the frames still queued (Daphne fails a send on a closing socket).
                await self.disconnect(FLOOD_CLOSE_CODE)
                raise StopConsumer()
            return

        # Each check answers the sender alone and keeps the connection open.
        if text_data is None:
            await self.send_error("binary")
            return
        try:
            data = json.loads(text_data)
        except (ValueError, RecursionError):
            # ValueError: not JSON at all; RecursionError: "[[[[..." nested too deep.
            await self.send_error("not-json")
            return
        if not isinstance(data, dict):
            await self.send_error("not-object")
            return
        if "message" not in data:
            await self.send_error("no-message")
            return
        if not is_text(data["message"]):
            await self.send_error("not-string")
            return
        message = data["message"].strip()
        if not message:
            await self.send_error("empty")
            return
        if len(message) > MAX_MESSAGE_LENGTH:
            await self.send_error("too-long")
            return

        # Saved first: the database id goes out with the message, and a message that
        # the layer fails to deliver still reaches the others through the history.
        saved = await Message.objects.acreate(
            room=self.room_name, user=self.user_name, text=message
        )
        try:
            await self.channel_layer.group_send(
                self.room_group_name,
                {"type": "chat.message", "id": saved.id, "user": saved.user, "message": saved.text},
            )
        except Exception:
            # Redis down, for one: tell the sender instead of dropping the connection.
            await self.send_error("unavailable")

    async def dispatch(self, message):
        # Before each handler Channels closes stale database connections, on the one
        # thread all sync code shares: a trip to that thread and back for every client
        # and every message in the room. chat_message never uses the database, so it
        # is called directly; connect and receive, which do, still get that check.
        if message["type"] == "chat.message":
            await self.chat_message(message)
        else:
            await super().dispatch(message)

    async def chat_message(self, event):
        await self.send(
            text_data=json.dumps(
                {"id": event["id"], "user": event["user"], "message": event["message"]}
            )
        )

    # Helpers

    def get_user_name(self):
        # AuthMiddlewareStack puts "user" and "session" into the scope (a consumer
        # mounted without it, in a notebook say, has neither).
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            return user.username
        # A guest keeps the same name while the session cookie lasts: after a reload
        # or a reconnect too. A client with no session at all gets one per connection.
        session = self.scope.get("session")
        session_key = session.session_key if session is not None else None
        return guest_name(session_key or self.channel_name)

    def take_token(self):
        now = time.monotonic()
        self.tokens = min(BURST, self.tokens + (now - self.last_refill) * RATE)
        self.last_refill = now
        if self.tokens == BURST:
            # A client that paused until its bucket is full again is forgiven; one that
            # keeps sending faster than RATE keeps counting towards MAX_REJECTED.
            self.rejected = 0
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    async def get_history(self):
        newest = Message.objects.filter(room=self.room_name).order_by("-id")[:HISTORY_LENGTH]
        messages = [m async for m in newest]
        return [{"id": m.id, "user": m.user, "message": m.text} for m in reversed(messages)]

    async def send_error(self, code):
        await self.send(text_data=json.dumps({"error": {"code": code, "text": ERRORS[code]}}))
