import json

from channels.generic.websocket import AsyncWebsocketConsumer


class ChatConsumer(AsyncWebsocketConsumer):
    """Every open room page has one of these.

    All the pages of one room are in one group on the channel layer:
    what one of them sends, the group hands to each of them.
    """

    async def connect(self):
        self.room_name = self.scope['url_route']['kwargs']['room_name']
        self.group_name = f'chat-{self.room_name}'
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data):
        data = json.loads(text_data)
        await self.channel_layer.group_send(
            self.group_name,
            {'type': 'broadcast', 'message': data['message']},
        )

    async def broadcast(self, event):
        """Called for every event of type 'broadcast' sent to the group."""
        await self.send(json.dumps({'message': event['message']}))
