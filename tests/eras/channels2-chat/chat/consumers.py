# chat/consumers.py
from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer
import json


class ChatConsumer(WebsocketConsumer):
    def connect(self):
        self.room_name = self.scope['url_route']['kwargs']['room_name']
        self.room_group_name = 'chat_%s' % self.room_name

        # put this socket's channel into the room's group
        # (the channel layer is async, so wrap it for this sync consumer)
        async_to_sync(self.channel_layer.group_add)(
            self.room_group_name,
            self.channel_name
        )

        self.accept()

    def disconnect(self, close_code):
        # take the channel out of the group again
        async_to_sync(self.channel_layer.group_discard)(
            self.room_group_name,
            self.channel_name
        )

    # a frame came in from the browser
    def receive(self, text_data):
        text_data_json = json.loads(text_data)
        message = text_data_json['message']

        # pass it on to everybody in the room, me included
        async_to_sync(self.channel_layer.group_send)(
            self.room_group_name,
            {
                'type': 'chat_message',
                'message': message
            }
        )

    # an event came in from the group
    def chat_message(self, event):
        message = event['message']

        # write it out to this browser
        self.send(text_data=json.dumps({
            'message': message
        }))
