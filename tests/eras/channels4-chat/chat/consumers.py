import json
import logging

from channels.generic.websocket import AsyncWebsocketConsumer

logger = logging.getLogger(__name__)


class ChatConsumer(AsyncWebsocketConsumer):
    """A room is a group on the channel layer; each open tab is one member."""

    room: str
    group: str

    async def connect(self) -> None:
        self.room = self.scope["url_route"]["kwargs"]["room_name"]
        self.group = f"room.{self.room}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        logger.info("%s joined %s", self.channel_name, self.group)

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)
        logger.info("%s left %s (%s)", self.channel_name, self.group, code)

    async def receive(self, text_data: str) -> None:
        message = json.loads(text_data)["message"]
        await self.channel_layer.group_send(
            self.group, {"type": "room.message", "message": message}
        )

    async def room_message(self, event: dict) -> None:
        """Handler for "room.message" events: pass the text on to this tab."""
        await self.send(text_data=json.dumps({"message": event["message"]}))
