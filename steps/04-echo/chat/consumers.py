import json

from channels.generic.websocket import WebsocketConsumer


class ChatConsumer(WebsocketConsumer):
    def connect(self):
        # Until accept() the handshake is unanswered: without it the browser waits,
        # and the server drops the connection after its handshake time-out.
        self.accept()

    def disconnect(self, close_code):
        pass

    def receive(self, text_data=None, bytes_data=None):
        message = json.loads(text_data)["message"]
        # self.send answers this one connection only: the sender.
        self.send(text_data=json.dumps({"message": message}))
