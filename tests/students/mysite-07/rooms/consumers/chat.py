import uuid

from channels.generic.websocket import AsyncJsonWebsocketConsumer


def group_name_for(room_name):
    # Group names must be ASCII letters, digits, '-', '_' or '.', under 100 characters:
    # a uuid5 of the room name is always valid, whatever the room is called.
    return 'r.' + uuid.uuid5(uuid.NAMESPACE_URL, room_name).hex


class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.room_name = self.scope['url_route']['kwargs']['room_name']
        self.room_group_name = group_name_for(self.room_name)

        # Join room group
        await self.channel_layer.group_add(self.room_group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, close_code):
        # Leave room group
        await self.channel_layer.group_discard(self.room_group_name, self.channel_name)

    # Receive message from WebSocket
    async def receive_json(self, content, **kwargs):
        # Send message to room group
        await self.channel_layer.group_send(
            self.room_group_name,
            {'type': 'chat.message', 'message': content['message']},
        )

    # Receive message from room group
    async def chat_message(self, event):
        await self.send_json({'message': event['message']})
