"""own-tests-pass picks its hint from what the student's suite printed (checker/failures.py)."""

import pytest

from checker.failures import FAILED_TEST
from checker.failures import own_tests_cause as failure_hint

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
    assert failure_hint(output, FAILED_TEST.findall(output))[:2] == (
        "hint-own-tests-first", "chat.tests.BrowserTests")


# --- diagnose(): exceptions as a student's code raises them --------------------------------
from pathlib import Path  # noqa: E402

from checker.failures import daphne_error, diagnose, websocket_refusal  # noqa: E402


def raised(function):
    try:
        function()
    except BaseException as exc:  # noqa: BLE001
        return exc
    raise AssertionError("did not raise")


def project(tmp_path: Path) -> Path:
    (tmp_path / "chat").mkdir()
    (tmp_path / "chat" / "__init__.py").write_text("")
    (tmp_path / "chat" / "consumers.py").write_text("")
    (tmp_path / "chatsite").mkdir()
    (tmp_path / "chatsite" / "asgi.py").write_text(
        "from django.core.asgi import get_asgi_application\n\napplication = ProtocolTypeRouter({\n"
        '    "http": get_asgi_application,\n})\n')
    return tmp_path


def test_a_typo_in_the_projects_own_module(tmp_path):
    exc = raised(lambda: __import__("chat.comsumer"))
    exc.name = "chat.comsumer"
    found = diagnose(exc, project(tmp_path))
    assert (found.cause, found.params) == ("hint-module-typo", {"module": "chat.comsumer", "suggestion": "chat.consumers"})


def test_a_missing_package_names_what_to_install(tmp_path):
    exc = ModuleNotFoundError("No module named 'daphne'", name="daphne")
    found = diagnose(exc, project(tmp_path))
    assert (found.cause, found.params) == ("hint-missing-package", {"module": "daphne", "package": '"channels[daphne]"'})


def test_the_router_given_get_asgi_application_itself(tmp_path):
    exc = TypeError("get_asgi_application() takes 0 positional arguments but 3 were given")
    found = diagnose(exc, project(tmp_path))
    assert (found.cause, found.where) == ("hint-asgi-app-not-called", "chatsite/asgi.py:4")


def test_no_channel_layer_and_a_key_error(tmp_path):
    exc = AttributeError("'NoneType' object has no attribute 'group_discard'")
    assert diagnose(exc, project(tmp_path)).cause == "hint-layer-none"
    assert diagnose(KeyError("message"), tmp_path).params == {"key": "'message'"}


def test_the_real_cause_under_an_improperly_configured(tmp_path):
    def load():
        try:
            raise ModuleNotFoundError("No module named 'rest_framework'", name="rest_framework")
        except ModuleNotFoundError as inner:
            raise RuntimeError("Cannot import ASGI_APPLICATION module") from inner

    found = diagnose(raised(load), tmp_path)
    assert found.error == "ModuleNotFoundError: No module named 'rest_framework'"
    assert found.cause == "hint-missing-module"


def test_channels_refusals():
    assert websocket_refusal(ValueError("No route found for path 'ws/chat/x/'.")) == "ws-no-route"
    assert websocket_refusal(ValueError("No application configured for scope type 'websocket'")) == "ws-no-protocol"
    assert websocket_refusal(ValueError("something else")) is None


def test_daphne_log_gives_the_exception_and_the_projects_line():
    root = Path("/home/s/my-chat")
    log = ("2026-12-02 INFO Listening on TCP address 127.0.0.1:8000\nTraceback (most recent call last):\n"
           f'  File "{root}/chat/consumers.py", line 12, in receive\n    data["message"]\nKeyError: \'message\'\n')
    assert daphne_error(log, root) == "KeyError: 'message'\nFile \"chat/consumers.py\", line 12, in receive"
    assert daphne_error("nothing happened\n", root) == ""


def test_a_missing_table_in_the_suite_is_the_cause_the_other_checks_share(tmp_path):
    output = FAILED_311 + "django.db.utils.OperationalError: no such table: chat_message\n"
    assert failure_hint(output, FAILED_TEST.findall(output), tmp_path) == (
        "hint-no-table", "chat.tests.ChatTests.test_echo", "OperationalError: no such table: chat_message")


class _Layer:
    """Stands for channels_redis.core.RedisChannelLayer: its hosts (decoded) and its 5 s wait."""

    __module__ = "channels_redis.core"
    brpop_timeout = 5

    def __init__(self, *hosts):
        self.hosts = list(hosts)


@pytest.mark.parametrize("host, risky", [
    ({"address": ("127.0.0.1", 6379)}, True),  # the lecture's tuple: redis-py 8's 5 s default
    ({"address": "redis://127.0.0.1:6379"}, True),
    ({"address": "redis://127.0.0.1:6379", "socket_timeout": 5}, True),
    ({"address": "redis://127.0.0.1:6379", "socket_timeout": None}, False),  # channels_redis #422
    ({"address": "redis://127.0.0.1:6379", "socket_timeout": 30}, False),
])
def test_redis_py_8_idle_time_out_is_read_from_the_configuration(monkeypatch, host, risky):
    import redis

    from checker.checks.groups import idle_timeout_risk

    monkeypatch.setattr(redis, "__version__", "8.1.0")
    found = idle_timeout_risk(_Layer(host))
    assert bool(found) == risky
    if risky:
        assert found["wait"] == "5" and "127.0.0.1" in found["host"]
    monkeypatch.setattr(redis, "__version__", "7.4.0")  # no default socket time-out before 8
    assert idle_timeout_risk(_Layer(host)) is None
