import json

from channels.generic.websocket import WebsocketConsumer


class ChatConsumer(WebsocketConsumer):
    def connect(self):
        # Without accept() the handshake is refused and the browser sees a close.
        self.accept()

    def disconnect(self, close_code):
        pass

    def receive(self, text_data=None, bytes_data=None):
        message = json.loads(text_data)["message"]
        # self.send answers this one connection only: the sender.
        self.send(text_data=json.dumps({"message": message}))
