import shutil
import uuid

from channels.layers import channel_layers
from channels.routing import get_default_application
from channels.testing import ChannelsLiveServerTestCase, WebsocketCommunicator
from django.test import SimpleTestCase
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

# The origin check refuses a socket that names no allowed Origin, as a browser would.
ORIGIN = (b"origin", b"http://localhost")


def new_room():
    # Every test gets rooms of its own: groups live in Redis, outside the test database.
    return "test-" + uuid.uuid4().hex[:12]


class ChatConsumerTests(SimpleTestCase):
    def setUp(self):
        # A channel layer of its own for each test: on a busy machine a consumer of the test
        # before may still be inside receive(), and channels-redis would then hand this test's
        # event loop a lock bound to that test's loop.
        channel_layers.backends.clear()

    async def connect(self, room):
        communicator = WebsocketCommunicator(
            get_default_application(), f"/ws/chat/{room}/", headers=[ORIGIN]
        )
        connected, _ = await communicator.connect()
        self.assertTrue(connected)
        return communicator

    async def test_message_comes_back_to_its_sender(self):
        alice = await self.connect(new_room())
        await alice.send_json_to({"message": "hello"})
        self.assertEqual(await alice.receive_json_from(timeout=2), {"message": "hello"})
        await alice.disconnect()

    async def test_message_reaches_everyone_in_the_room(self):
        room = new_room()
        alice = await self.connect(room)
        bob = await self.connect(room)
        await alice.send_json_to({"message": "hi, Bob"})
        self.assertEqual(await alice.receive_json_from(timeout=2), {"message": "hi, Bob"})
        self.assertEqual(await bob.receive_json_from(timeout=2), {"message": "hi, Bob"})
        await alice.disconnect()
        await bob.disconnect()

    async def test_other_rooms_hear_nothing(self):
        alice = await self.connect(new_room())
        carol = await self.connect(new_room())
        await alice.send_json_to({"message": "only for my room"})
        await alice.receive_json_from(timeout=2)
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
        return self.driver.find_element(By.ID, "chat-log").get_property("value")

    def wait_for_log(self, window, text):
        WebDriverWait(self.driver, 5).until(
            lambda driver: text in self.log(window), f"{text!r} never reached the chat log"
        )
