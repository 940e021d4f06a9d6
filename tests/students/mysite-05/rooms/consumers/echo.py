from channels.generic.websocket import AsyncJsonWebsocketConsumer


class EchoConsumer(AsyncJsonWebsocketConsumer):
    """Sends every message back to the socket it came from (and only to it)."""

    async def connect(self):
        self.room_name = self.scope['url_route']['kwargs']['room_name']
        await self.accept()

    async def disconnect(self, close_code):
        pass

    async def receive_json(self, content, **kwargs):
        message = content['message']
        await self.send_json({'message': message})


class ShoutingEchoConsumer(EchoConsumer):
    """Played with this one in class; not routed anywhere."""

    async def receive_json(self, content, **kwargs):
        await self.send_json({'message': str(content['message']).upper()})
