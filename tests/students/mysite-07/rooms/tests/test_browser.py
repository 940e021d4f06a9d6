import uuid

from channels.testing import ChannelsLiveServerTestCase
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

CHROMIUM = '/usr/bin/chromium'
CHROMEDRIVER = '/usr/bin/chromedriver'


class ChatBrowserTests(ChannelsLiveServerTestCase):
    serve_static = True  # the room page has no static files, but keep it like the docs

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            options = webdriver.ChromeOptions()
            options.binary_location = CHROMIUM
            for arg in (
                '--headless=new',
                '--no-sandbox',
                '--disable-gpu',
                '--disable-background-networking',
                '--disable-component-update',
                '--disable-sync',
                '--no-first-run',
            ):
                options.add_argument(arg)
            cls.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        except Exception:
            super().tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        super().tearDownClass()

    def tearDown(self):
        # Leave one tab for the next test, so tab indexes start at 0 again.
        while len(self.driver.window_handles) > 1:
            self.driver.switch_to.window(self.driver.window_handles[-1])
            self.driver.close()
        self.driver.switch_to.window(self.driver.window_handles[0])
        super().tearDown()

    def test_two_tabs_in_one_room_see_each_others_messages(self):
        room = 'room-' + uuid.uuid4().hex[:8]
        self._enter_room(room)
        self._open_new_tab()
        self._enter_room(room)

        self._switch_to_tab(0)
        self._post_message('hello from tab 1')
        self._wait_for_log_to_contain('hello from tab 1')  # the sender sees it too
        self._switch_to_tab(1)
        self._wait_for_log_to_contain('hello from tab 1')

        self._post_message('hi from tab 2')
        self._switch_to_tab(0)
        self._wait_for_log_to_contain('hi from tab 2')

    def test_tab_in_another_room_sees_nothing(self):
        self._enter_room('lobby-' + uuid.uuid4().hex[:8])
        self._open_new_tab()
        self._enter_room('kitchen-' + uuid.uuid4().hex[:8])

        self._switch_to_tab(0)
        self._post_message('lobby only')
        self._wait_for_log_to_contain('lobby only')

        self._switch_to_tab(1)
        self._post_message('kitchen only')
        self._wait_for_log_to_contain('kitchen only')
        self.assertNotIn('lobby only', self._chat_log_value)

    # --- helpers ---

    def _enter_room(self, room_name):
        self.driver.get(self.live_server_url + '/chat/')
        room_input = self.driver.find_element(By.ID, 'room-name-input')
        room_input.send_keys(room_name, Keys.ENTER)
        WebDriverWait(self.driver, 5).until(
            lambda _: f'/chat/{room_name}/' in self.driver.current_url,
            f'did not get to the page of room {room_name!r}',
        )
        # Sending before the socket is open would throw in the page.
        WebDriverWait(self.driver, 5).until(
            lambda driver: driver.execute_script(
                "return typeof chatSocket !== 'undefined'"
                " && chatSocket.readyState === WebSocket.OPEN"
            ),
            f'the socket of room {room_name!r} did not open',
        )

    def _open_new_tab(self):
        self.driver.switch_to.new_window('tab')

    def _switch_to_tab(self, index):
        self.driver.switch_to.window(self.driver.window_handles[index])

    def _post_message(self, message):
        self.driver.find_element(By.ID, 'chat-message-input').send_keys(message, Keys.ENTER)

    def _wait_for_log_to_contain(self, text):
        WebDriverWait(self.driver, 5).until(
            lambda _: text in self._chat_log_value,
            f'{text!r} did not appear in the chat log',
        )

    @property
    def _chat_log_value(self):
        return self.driver.find_element(By.ID, 'chat-log').get_property('value')
