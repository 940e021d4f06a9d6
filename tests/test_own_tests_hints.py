"""own-tests-pass picks its hint from what the student's suite printed."""

import pytest

from checker.checks.own_tests import FAILED_TEST, failure_hint

FAILED_311 = "FAIL: test_echo (chat.tests.ChatTests.test_echo)\n"
FAILED_310 = "FAIL: test_echo (chat.tests.ChatTests)\n"


@pytest.mark.parametrize(
    "output, key",
    [
        (FAILED_311 + '  File "chat/tests.py", line 27, in connect\n    self.assertTrue(connected)\n'
         "AssertionError: False is not true\n", "hint-own-tests-refused"),
        (FAILED_311 + "    self.assertTrue(connected, f'could not connect to room {room!r}')\n"
         "AssertionError: False is not true : could not connect to room 'a'\n", "hint-own-tests-refused"),
        (FAILED_311 + "    assert connected\nAssertionError\n", "hint-own-tests-refused"),
        ("ERROR: setUpClass (chat.tests.BrowserTests)\nFileNotFoundError: chromedriver not found: "
         "apt install chromium chromium-driver\n", "hint-own-tests-browser"),
        (FAILED_311 + "redis.exceptions.ConnectionError: Error 111 connecting to 127.0.0.1:6379. "
         "Connection refused.\n", "hint-own-tests-redis"),
        (FAILED_311 + "AssertionError: 119 != 150 : the channel layer dropped messages\n",
         "hint-own-tests-first"),
        ("SyntaxError: invalid syntax\n", "hint-own-tests-run"),
    ],
)
def test_hint_follows_the_output(output, key):
    assert failure_hint(output, FAILED_TEST.findall(output))[0] == key


@pytest.mark.parametrize("output", [FAILED_311, FAILED_310])
def test_the_first_failed_test_is_named_as_manage_py_test_takes_it(output):
    # Python 3.11+ and 3.10 print the test's place differently; the label is the same.
    assert failure_hint(output, FAILED_TEST.findall(output))[1] == "chat.tests.ChatTests.test_echo"


def test_a_class_that_failed_to_set_up_is_named_by_its_class():
    output = "ERROR: setUpClass (chat.tests.BrowserTests)\nAttributeError: boom\n"
    assert failure_hint(output, FAILED_TEST.findall(output)) == (
        "hint-own-tests-first", "chat.tests.BrowserTests")
