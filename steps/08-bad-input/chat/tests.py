import asyncio
import shutil
import time
import uuid
from urllib.parse import quote

from channels.layers import channel_layers
from channels.routing import get_default_application
from channels.testing import ChannelsLiveServerTestCase, WebsocketCommunicator
from django.test import SimpleTestCase
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from chat.consumers import BURST, FLOOD_CLOSE_CODE, MAX_MESSAGE_LENGTH, group_name

# The origin check refuses a socket that names no allowed Origin, as a browser would.
ORIGIN = (b"origin", b"http://localhost")


def new_room(prefix="test-"):
    # Every test gets rooms of its own: groups live in Redis, outside the test database.
    return prefix + uuid.uuid4().hex[:12]


class ChatConsumerTests(SimpleTestCase):
    def setUp(self):
        # A channel layer of its own for each test: on a busy machine a consumer of the test
        # before may still be inside receive(), and channels-redis would then hand this test's
        # event loop a lock bound to that test's loop.
        channel_layers.backends.clear()

    async def connect(self, room):
        # quote() as the browser's encodeURIComponent does: Cyrillic and spaces travel as %XX.
        communicator = WebsocketCommunicator(
            get_default_application(), f"/ws/chat/{quote(room)}/", headers=[ORIGIN]
        )
        connected, _ = await communicator.connect()
        self.assertTrue(connected)
        return communicator

    async def receive(self, communicator):
        return await communicator.receive_json_from(timeout=2)

    async def error_code(self, communicator):
        return (await self.receive(communicator))["error"]["code"]

    # What step 07 did still works.

    async def test_message_comes_back_to_its_sender(self):
        alice = await self.connect(new_room())
        await alice.send_json_to({"message": "hello"})
        self.assertEqual(await self.receive(alice), {"message": "hello"})
        await alice.disconnect()

    async def test_message_reaches_everyone_in_the_room(self):
        room = new_room()
        alice = await self.connect(room)
        bob = await self.connect(room)
        await alice.send_json_to({"message": "hi, Bob"})
        self.assertEqual(await self.receive(alice), {"message": "hi, Bob"})
        self.assertEqual(await self.receive(bob), {"message": "hi, Bob"})
        await alice.disconnect()
        await bob.disconnect()

    async def test_other_rooms_hear_nothing(self):
        alice = await self.connect(new_room())
        carol = await self.connect(new_room())
        await alice.send_json_to({"message": "only for my room"})
        await self.receive(alice)
        # receive_from() would cancel the consumer on its time-out; this only listens.
        self.assertTrue(await carol.receive_nothing(timeout=0.5))
        await alice.disconnect()
        await carol.disconnect()

    async def test_socket_from_a_foreign_site_is_refused(self):
        communicator = WebsocketCommunicator(
            get_default_application(),
            f"/ws/chat/{new_room()}/",
            headers=[(b"origin", b"http://evil.example")],
        )
        connected, _ = await communicator.connect()
        self.assertFalse(connected)
        await communicator.disconnect()

    # Bad frames: an error to the sender alone, and the connection stays open.

    async def test_each_bad_frame_gets_its_error_and_the_connection_stays_open(self):
        room = new_room()
        alice = await self.connect(room)
        bob = await self.connect(room)
        bad_frames = [
            ("hello", "not-json"),
            ("[1, 2]", "not-object"),
            ('{"text": "hi"}', "no-message"),
            ('{"message": 5}', "not-string"),
            ('{"message": "   "}', "empty"),
            ('{"message": "%s"}' % ("x" * (MAX_MESSAGE_LENGTH + 1)), "too-long"),
            (b"\x00\x01", "binary"),
        ]
        for frame, code in bad_frames:
            with self.subTest(code=code):
                if isinstance(frame, bytes):
                    await alice.send_to(bytes_data=frame)
                else:
                    await alice.send_to(text_data=frame)
                error = (await self.receive(alice))["error"]
                self.assertEqual(error["code"], code)
                self.assertTrue(error["text"])
        # The others heard nothing of it, and the connection still works.
        self.assertTrue(await bob.receive_nothing(timeout=0.2))
        await alice.send_json_to({"message": "still here"})
        self.assertEqual(await self.receive(alice), {"message": "still here"})
        self.assertEqual(await self.receive(bob), {"message": "still here"})
        await alice.disconnect()
        await bob.disconnect()

    async def test_tricky_frames_are_refused_not_crashed_on(self):
        alice = await self.connect(new_room())
        # Nested too deep for Python's json: RecursionError, not ValueError.
        await alice.send_to(text_data="[" * 100_000)
        self.assertEqual(await self.error_code(alice), "not-json")
        await alice.send_json_to({"message": None})
        self.assertEqual(await self.error_code(alice), "not-string")
        await alice.send_json_to({"message": "\n\t "})
        self.assertEqual(await self.error_code(alice), "empty")
        await alice.send_json_to({"message": "ok"})
        self.assertEqual(await self.receive(alice), {"message": "ok"})
        await alice.disconnect()

    async def test_message_is_stripped_and_the_limit_is_counted_after(self):
        alice = await self.connect(new_room())
        await alice.send_json_to({"message": "  padded \n"})
        self.assertEqual((await self.receive(alice))["message"], "padded")
        longest = "я" * MAX_MESSAGE_LENGTH
        await alice.send_json_to({"message": f"  {longest}  "})
        self.assertEqual((await self.receive(alice))["message"], longest)
        await alice.disconnect()

    # Room names of any language.

    async def test_rooms_of_any_name_work(self):
        for room in [new_room("привет-"), new_room("my room "), "я" * 183 + new_room()]:
            with self.subTest(room=room[:20]):
                response = await self.async_client.get(f"/chat/{quote(room)}/")
                self.assertEqual(response.status_code, 200)
                alice = await self.connect(room)
                bob = await self.connect(room)
                await alice.send_json_to({"message": "hi"})
                self.assertEqual(await self.receive(bob), {"message": "hi"})
                await alice.disconnect()
                await bob.disconnect()

    async def test_group_name_is_valid_for_any_room(self):
        for room in ["lobby", "привет", "my room", "x" * 200, "a?b#c"]:
            name = group_name(room)
            self.assertLess(len(name), 100)
            self.assertRegex(name, r"^[a-zA-Z0-9._-]+$")

    async def test_different_rooms_never_share_a_group(self):
        # Names a careless scheme (drop non-ASCII, cut at 90 characters) would merge.
        base = new_room()
        pairs = [("привет" + base, "пока" + base), ("x" * 199 + base, "x" * 199 + base + "!")]
        for first, second in pairs:
            alice = await self.connect(first)
            carol = await self.connect(second)
            await alice.send_json_to({"message": "for my room only"})
            await self.receive(alice)
            self.assertTrue(await carol.receive_nothing(timeout=0.3))
            await alice.disconnect()
            await carol.disconnect()

    # Rate limit.

    async def test_quick_messages_over_the_burst_are_refused(self):
        alice = await self.connect(new_room())
        # BURST + 10 leaves the server two seconds to refill before all would pass.
        sent = BURST + 10
        for n in range(sent):
            await alice.send_json_to({"message": f"quick {n}"})
        frames = [await self.receive(alice) for _ in range(sent)]
        accepted = [f for f in frames if "message" in f]
        refused = [f for f in frames if "error" in f]
        self.assertGreaterEqual(len(refused), 1)
        self.assertEqual({f["error"]["code"] for f in refused}, {"rate-limited"})
        self.assertEqual(len(accepted) + len(refused), sent)
        await alice.disconnect()

    async def test_a_client_that_keeps_flooding_is_closed(self):
        room = new_room()
        alice = await self.connect(room)
        bob = await self.connect(room)
        for n in range(100):
            await alice.send_json_to({"message": f"flood {n}"})
        refused = 0
        while True:
            output = await alice.receive_output(timeout=2)
            if output["type"] == "websocket.close":
                break
            if '"rate-limited"' in output["text"]:
                refused += 1
        self.assertEqual(output["code"], FLOOD_CLOSE_CODE)
        self.assertGreater(refused, 20)
        # The consumer stopped: the frames still queued get no answer.
        self.assertTrue(await alice.receive_nothing(timeout=0.3))
        # The others are not disconnected: they got the accepted messages, and still chat.
        self.assertEqual(await self.receive(bob), {"message": "flood 0"})
        await alice.disconnect()
        carol = await self.connect(room)
        await carol.send_json_to({"message": "after the flood"})
        self.assertEqual(await self.receive(carol), {"message": "after the flood"})
        await carol.disconnect()
        await bob.disconnect()

    # The layer's capacity.

    async def test_a_burst_from_a_busy_room_reaches_everyone(self):
        # 15 people send their whole burst at once: 150 messages for each of them. With the
        # layer's default capacity (100) some of them are dropped without an error.
        room = new_room()
        people = [await self.connect(room) for _ in range(15)]
        for number, person in enumerate(people):
            for n in range(BURST):
                await person.send_json_to({"message": f"{number}: burst {n}"})
        # On a busy machine the last of them come late: wait for all 150 up to a deadline,
        # not for the first second of silence.
        deadline = time.monotonic() + 30
        for person in people:
            texts = set()
            while len(texts) < 15 * BURST and time.monotonic() < deadline:
                try:
                    frame = await person.receive_json_from(timeout=deadline - time.monotonic())
                except asyncio.TimeoutError:
                    break
                texts.add(frame["message"])
            self.assertEqual(len(texts), 15 * BURST, "the channel layer dropped messages")
        for person in people:
            await person.disconnect()


def chrome_driver():
    """Debian's headless Chromium and its driver (packages chromium, chromium-driver)."""
    driver_path = shutil.which("chromedriver")
    if driver_path is None:
        raise FileNotFoundError(
            "chromedriver not found: apt install chromium chromium-driver "
            "(macOS: brew install --cask chromedriver)"
        )
    options = webdriver.ChromeOptions()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(driver_path), options=options)


class ChatBrowserTests(ChannelsLiveServerTestCase):
    serve_static = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.driver = chrome_driver()
        except Exception:
            super().tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        super().tearDownClass()

    def test_two_windows_in_one_room_see_each_others_messages(self):
        room = new_room()
        first = self.open_room(room)
        second = self.open_room(room)

        self.post(first, "hello from the first window")
        self.wait_for_log(second, "hello from the first window")
        self.post(second, "hello back")
        self.wait_for_log(first, "hello back")

    def test_a_window_in_another_room_sees_nothing(self):
        room = new_room()
        first = self.open_room(room)
        second = self.open_room(room)
        elsewhere = self.open_room(new_room())

        self.post(first, "not for the other room")
        self.wait_for_log(second, "not for the other room")
        self.assertEqual(self.log(elsewhere), "")

    def test_html_in_a_message_is_shown_as_text(self):
        window = self.open_room(new_room())
        self.post(window, "<b>bold</b>")
        self.wait_for_log(window, "<b>bold</b>")
        self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, "#chat-log b"), [])

    def test_an_error_is_shown_on_the_page(self):
        window = self.open_room(new_room())
        self.post(window, "   ")
        WebDriverWait(self.driver, 5).until(
            lambda driver: driver.find_element(By.ID, "chat-error").text == "The message is empty."
        )
        # The next message that goes through clears it.
        self.post(window, "better")
        self.wait_for_log(window, "better")
        self.assertEqual(self.driver.find_element(By.ID, "chat-error").text, "")

    # Helpers: each window is a browser tab, found again by its handle.

    def open_room(self, room):
        if self.driver.current_url != "data:,":
            self.driver.switch_to.new_window("tab")
        self.driver.get(f"{self.live_server_url}/chat/{room}/")
        WebDriverWait(self.driver, 5).until(
            lambda driver: driver.execute_script("return chatSocket.readyState") == 1,
            "the room's WebSocket did not open",
        )
        return self.driver.current_window_handle

    def post(self, window, text):
        self.driver.switch_to.window(window)
        self.driver.find_element(By.ID, "chat-message-input").send_keys(text + "\n")

    def log(self, window):
        self.driver.switch_to.window(window)
        # The log is a list now: its text, not a textarea's value (lesson 07's helper).
        return self.driver.find_element(By.ID, "chat-log").get_property("textContent")

    def wait_for_log(self, window, text):
        WebDriverWait(self.driver, 5).until(
            lambda driver: text in self.log(window), f"{text!r} never reached the chat log"
        )
