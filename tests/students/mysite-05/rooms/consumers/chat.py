import hashlib
import json

from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer


def group_name_for(room_name):
    # Group names may only hold ASCII letters, digits, '-', '_' and '.', and must be
    # shorter than 100 characters, so a hash keeps any room name (Cyrillic too) valid.
    return 'room-' + hashlib.sha1(room_name.encode()).hexdigest()


class ChatConsumer(WebsocketConsumer):
    def connect(self):
        self.room_name = self.scope['url_route']['kwargs']['room_name']
        self.room_group_name = group_name_for(self.room_name)

        # Join room group
        async_to_sync(self.channel_layer.group_add)(
            self.room_group_name,
            self.channel_name,
        )
        self.accept()

    def disconnect(self, close_code):
        # Leave room group
        async_to_sync(self.channel_layer.group_discard)(
            self.room_group_name,
            self.channel_name,
        )

    # Receive message from WebSocket
    def receive(self, text_data=None, bytes_data=None):
        data = json.loads(text_data)
        message = data['message']

        # Send message to room group
        async_to_sync(self.channel_layer.group_send)(
            self.room_group_name,
            {'type': 'chat.message', 'message': message},
        )

    # Receive message from room group
    def chat_message(self, event):
        self.send(text_data=json.dumps({'message': event['message']}, ensure_ascii=False))
