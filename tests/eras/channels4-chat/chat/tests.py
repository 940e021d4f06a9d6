# chat/tests.py
# Browser tests: a live Daphne server plus a real Chrome driven by Selenium.
# Needs `pip install selenium`, Google Chrome/Chromium and a chromedriver
# (Selenium 4.6+ fetches a matching driver by itself).
from channels.testing import ChannelsLiveServerTestCase
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait


class ChatTests(ChannelsLiveServerTestCase):
    serve_static = True  # like StaticLiveServerTestCase: serve static files too

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.driver = webdriver.Chrome()
        except Exception:
            # no browser: stop the live server before giving up
            super().tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        super().tearDownClass()

    def test_message_is_seen_by_everyone_in_the_same_room(self):
        try:
            self.enter_room("room_1")
            self.open_window()
            self.enter_room("room_1")

            self.go_to_window(0)
            self.post("hello")
            self.wait_for_text("hello", "window 1 did not see its own message")

            self.go_to_window(1)
            self.wait_for_text("hello", "window 2 did not see the message from window 1")
        finally:
            self.close_other_windows()

    def test_message_is_not_seen_in_another_room(self):
        try:
            self.enter_room("room_1")
            self.open_window()
            self.enter_room("room_2")

            self.go_to_window(0)
            self.post("hello")
            self.wait_for_text("hello", "window 1 did not see its own message")

            self.go_to_window(1)
            self.post("world")
            self.wait_for_text("world", "window 2 did not see its own message")
            self.assertNotIn(
                "hello", self.chat_log, "room_2 got a message that was posted in room_1"
            )
        finally:
            self.close_other_windows()

    # --- helpers ---

    def enter_room(self, room_name):
        self.driver.get(self.live_server_url + "/chat/")
        # the room name box has the focus, so typing goes straight into it
        ActionChains(self.driver).send_keys(room_name, Keys.ENTER).perform()
        WebDriverWait(self.driver, 2).until(
            lambda _: room_name in self.driver.current_url
        )

    def open_window(self):
        self.driver.execute_script('window.open("about:blank", "_blank");')
        self.go_to_window(-1)

    def go_to_window(self, index):
        self.driver.switch_to.window(self.driver.window_handles[index])

    def close_other_windows(self):
        while len(self.driver.window_handles) > 1:
            self.go_to_window(-1)
            self.driver.execute_script("window.close();")
        self.go_to_window(0)

    def post(self, message):
        ActionChains(self.driver).send_keys(message, Keys.ENTER).perform()

    def wait_for_text(self, text, failure_message):
        WebDriverWait(self.driver, 2).until(
            lambda _: text in self.chat_log, failure_message
        )

    @property
    def chat_log(self):
        return self.driver.find_element(By.CSS_SELECTOR, "#chat-log").get_property(
            "value"
        )
