import asyncio

from channels.testing import WebsocketCommunicator
from django.test import TestCase, override_settings

from mysite.asgi import application

# The socket is behind AllowedHostsOriginValidator, so the tests come "from" our own page.
HEADERS = [(b"origin", b"http://localhost:8000")]

# No Redis needed for the tests.
IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@override_settings(CHANNEL_LAYERS=IN_MEMORY)
class ChatSocketTests(TestCase):
    async def join(self, room: str) -> WebsocketCommunicator:
        client = WebsocketCommunicator(application, f"/ws/chat/{room}/", headers=HEADERS)
        connected, _ = await client.connect()
        self.assertTrue(connected)
        return client

    async def test_sender_gets_own_message(self):
        alice = await self.join("lobby")
        await alice.send_json_to({"message": "hi"})
        self.assertEqual(await alice.receive_json_from(), {"message": "hi"})
        await alice.disconnect()

    async def test_whole_room_gets_message(self):
        alice = await self.join("lobby")
        bob = await self.join("lobby")
        await alice.send_json_to({"message": "hello bob"})
        self.assertEqual(await bob.receive_json_from(), {"message": "hello bob"})
        self.assertEqual(await alice.receive_json_from(), {"message": "hello bob"})
        await alice.disconnect()
        await bob.disconnect()

    async def test_other_room_gets_nothing(self):
        alice = await self.join("lobby")
        carol = await self.join("kitchen")
        await alice.send_json_to({"message": "psst"})
        await alice.receive_json_from()
        with self.assertRaises(asyncio.TimeoutError):
            await carol.receive_from(timeout=0.3)
        await alice.disconnect()
        await carol.disconnect()
