import json

from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer


class RoomConsumer(WebsocketConsumer):
    # one of these per open tab.
    # the channel layer only has async methods, so in a sync consumer every
    # call goes through async_to_sync(...)(...)

    def connect(self):
        room = self.scope['url_route']['kwargs']['room']
        self.group = 'room-%s' % room
        async_to_sync(self.channel_layer.group_add)(self.group, self.channel_name)
        self.accept()

    def disconnect(self, code):
        async_to_sync(self.channel_layer.group_discard)(self.group, self.channel_name)

    def receive(self, text_data):
        payload = json.loads(text_data)
        # don't answer directly: hand it to the group, so every tab in the
        # room (this one too) gets it through room_say below
        async_to_sync(self.channel_layer.group_send)(self.group, {
            'type': 'room.say',  # -> room_say()
            'text': payload['message'],
        })

    def room_say(self, event):
        self.send(text_data=json.dumps({'message': event['text']}))
