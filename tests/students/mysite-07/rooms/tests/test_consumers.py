import uuid

from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.test import SimpleTestCase

from mysite.asgi import application

# The websocket app sits behind AllowedHostsOriginValidator, so every client
# must say where it comes from, like a browser does. localhost is in ALLOWED_HOSTS.
ORIGIN = [(b'origin', b'http://localhost')]


def unique_room(prefix='room'):
    # Redis is shared with the dev server: never reuse a room between test runs.
    return f'{prefix}-{uuid.uuid4().hex[:8]}'


class ChatConsumerTests(SimpleTestCase):
    def setUp(self):
        # Every async test runs in an event loop of its own, but the Redis layer
        # keeps asyncio locks bound to the loop that used it first ("... is bound
        # to a different event loop"). Make each test build a fresh layer.
        channel_layers.backends.clear()

    async def connect(self, room):
        communicator = WebsocketCommunicator(application, f'/ws/chat/{room}/', headers=ORIGIN)
        connected, _ = await communicator.connect()
        self.assertTrue(connected, f'could not connect to room {room!r}')
        return communicator

    async def test_sender_gets_its_own_message(self):
        alice = await self.connect(unique_room())
        await alice.send_json_to({'message': 'hello'})
        self.assertEqual(await alice.receive_json_from(timeout=2), {'message': 'hello'})
        await alice.disconnect()

    async def test_everyone_in_the_room_gets_the_message(self):
        room = unique_room()
        alice = await self.connect(room)
        bob = await self.connect(room)

        await alice.send_json_to({'message': 'hi Bob'})
        self.assertEqual(await alice.receive_json_from(timeout=2), {'message': 'hi Bob'})
        self.assertEqual(await bob.receive_json_from(timeout=2), {'message': 'hi Bob'})

        await bob.send_json_to({'message': 'hi Alice'})
        self.assertEqual(await alice.receive_json_from(timeout=2), {'message': 'hi Alice'})
        self.assertEqual(await bob.receive_json_from(timeout=2), {'message': 'hi Alice'})

        await alice.disconnect()
        await bob.disconnect()

    async def test_other_room_does_not_get_the_message(self):
        alice = await self.connect(unique_room('lobby'))
        carol = await self.connect(unique_room('kitchen'))

        await alice.send_json_to({'message': 'only for the lobby'})
        self.assertEqual(await alice.receive_json_from(timeout=2), {'message': 'only for the lobby'})
        # receive_from() that times out would kill the app; ask for silence instead.
        self.assertTrue(await carol.receive_nothing(timeout=0.3))

        await alice.disconnect()
        await carol.disconnect()

    async def test_cyrillic_room_name_works(self):
        room = 'привет-' + uuid.uuid4().hex[:6]
        alice = await self.connect(room)
        bob = await self.connect(room)
        await alice.send_json_to({'message': 'здравствуй'})
        self.assertEqual(await bob.receive_json_from(timeout=2), {'message': 'здравствуй'})
        await alice.disconnect()
        await bob.disconnect()

    async def test_client_that_left_gets_nothing_more(self):
        room = unique_room()
        alice = await self.connect(room)
        bob = await self.connect(room)
        await bob.disconnect()

        await alice.send_json_to({'message': 'anyone?'})
        self.assertEqual(await alice.receive_json_from(timeout=2), {'message': 'anyone?'})
        await alice.disconnect()

    async def test_foreign_origin_is_rejected(self):
        communicator = WebsocketCommunicator(
            application, f'/ws/chat/{unique_room()}/', headers=[(b'origin', b'http://evil.example')]
        )
        connected, _ = await communicator.connect()
        self.assertFalse(connected)
        await communicator.disconnect()  # let the app finish, as the server would
