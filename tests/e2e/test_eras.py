"""Three chat projects as students built them in three eras of Channels (tests/eras/, see its
README): checked as written under today's versions, the first check the checker fails is the
project's real first problem; with the changes the workbook's errata (lessons/en/errata.md)
tell a student to make, applied to a copy, the project passes its step, or fails exactly where
the errata say nothing.

The errata are kept here as patches, (old, new) replacements per file, each under the anchor of
the errata entry that asks for it, so that no second copy of a project is kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import check_json

from checker import ROOT
from checker.redis_server import ping

ERAS = ROOT / "tests" / "eras"
ERA_REDIS = "redis://127.0.0.1:6379/0"  # the projects name it in their settings, as students did

Patch = dict[str, list[tuple[str, str]]]  # file -> [(old, new)], each old found exactly once

# --- the errata, entry by entry ---------------------------------------------------------------
CHANNELS2: dict[str, Patch] = {
    "url-removed": {
        "chat/routing.py": [
            ("from django.conf.urls import url\n", "from django.urls import re_path\n"),
            ("    url(r'^ws/chat/", "    re_path(r'^ws/chat/"),
        ],
        "chat/urls.py": [
            ("from django.conf.urls import url\n", "from django.urls import path\n"),
            ("url(r'^$', views.lobby", "path('', views.lobby"),
            ("url(r'^(?P<room>[^/]+)/$', views.room", "path('<str:room>/', views.room"),
        ],
        "mysite/urls.py": [
            ("from django.conf.urls import include, url\n", "from django.urls import include, path\n"),
            ("url(r'^admin/', admin", "path('admin/', admin"),
            ("url(r'^chat/', include", "path('chat/', include"),
        ],
    },
    "as-asgi": {
        "chat/routing.py": [("RoomConsumer),", "RoomConsumer.as_asgi()),")],
    },
    "runserver-banner": {
        "mysite/settings.py": [(
            "    # channels has to come before staticfiles, otherwise `runserver`\n"
            "    # is still django's own and the sockets get a 404\n"
            "    'channels',\n",
            "    # daphne first: its runserver replaces django's\n"
            "    'daphne',\n"
            "    'channels',\n",
        )],
    },
    "any-origin": {
        "mysite/routing.py": [
            ("from channels.routing import ProtocolTypeRouter, URLRouter\n",
             "from channels.routing import ProtocolTypeRouter, URLRouter\n"
             "from channels.security.websocket import AllowedHostsOriginValidator\n"),
            ("    'websocket': AuthMiddlewareStack(\n"
             "        URLRouter(chat.routing.websocket_urlpatterns)\n"
             "    ),\n",
             "    'websocket': AllowedHostsOriginValidator(AuthMiddlewareStack(\n"
             "        URLRouter(chat.routing.websocket_urlpatterns)\n"
             "    )),\n"),
        ],
    },
    "receive-signature": {
        "chat/consumers.py": [("def receive(self, text_data):", "def receive(self, text_data=None, bytes_data=None):")],
    },
    "room-name-url": {
        "chat/templates/chat/room.html": [(
            "new WebSocket('ws://' + location.host + '/ws/chat/' + room + '/')",
            "new WebSocket((location.protocol == 'https:' ? 'wss://' : 'ws://') + location.host\n"
            "      + '/ws/chat/' + encodeURIComponent(room) + '/')",
        )],
    },
}

# What no errata entry says (the lecture was written for Channels 3, whose asgi.py had it),
# and lesson 02 does: Channels 4 serves only the protocols the router lists.
CHANNELS2_LESSON_02: Patch = {
    "mysite/routing.py": [
        ("from channels.auth import AuthMiddlewareStack\n", "import os\n\nfrom channels.auth import AuthMiddlewareStack\n"),
        ("from channels.security.websocket import AllowedHostsOriginValidator\n\nimport chat.routing\n",
         "from channels.security.websocket import AllowedHostsOriginValidator\n"
         "from django.core.asgi import get_asgi_application\n\n"
         "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
         "django_asgi_app = get_asgi_application()  # before the routes: errata #asgi-import-order\n\n"
         "import chat.routing  # noqa: E402\n"),
        ("application = ProtocolTypeRouter({\n",
         "application = ProtocolTypeRouter({\n    'http': django_asgi_app,\n"),
    ],
}

CHANNELS3: dict[str, Patch] = {
    "runserver-banner": {
        "mysite/settings.py": [("INSTALLED_APPS = [\n", "INSTALLED_APPS = [\n    'daphne',\n")],
    },
    "url-removed": {
        "mysite/urls.py": [(
            "from django.conf.urls import include\nfrom django.contrib import admin\nfrom django.urls import path\n",
            "from django.contrib import admin\nfrom django.urls import include, path\n",
        )],
    },
    "asgi-import-order": {
        "mysite/asgi.py": [
            ("from django.core.asgi import get_asgi_application\n\nfrom chat.routing import websocket_urlpatterns\n\n"
             "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n",
             "from django.core.asgi import get_asgi_application\n\n"
             "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
             "django_asgi_app = get_asgi_application()\n\n"
             "from chat.routing import websocket_urlpatterns  # noqa: E402\n"),
            ("'http': get_asgi_application(),", "'http': django_asgi_app,"),
        ],
    },
    "any-origin": {
        "mysite/asgi.py": [
            ("from channels.routing import ProtocolTypeRouter, URLRouter\n",
             "from channels.routing import ProtocolTypeRouter, URLRouter\n"
             "from channels.security.websocket import AllowedHostsOriginValidator\n"),
            ("'websocket': AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),",
             "'websocket': AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),"),
        ],
    },
    "receive-signature": {
        "chat/consumers.py": [("async def receive(self, text_data):",
                               "async def receive(self, text_data=None, bytes_data=None):")],
    },
    "room-name-url": {
        "templates/chat/room.html": [(
            "new WebSocket(`ws://${window.location.host}/ws/chat/${roomName}/`)",
            "new WebSocket(\n      `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}"
            "/ws/chat/${encodeURIComponent(roomName)}/`\n    )",
        )],
    },
}

CHANNELS4: dict[str, Patch] = {
    "allowed-hosts-tests": {
        "mysite/settings.py": [("ALLOWED_HOSTS: list[str] = []\n",
                                'ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]\n')],
    },
    "test-db-deleted": {
        "mysite/settings.py": [('        "NAME": BASE_DIR / "db.sqlite3",\n',
                                '        "NAME": BASE_DIR / "db.sqlite3",\n'
                                '        "TEST": {"NAME": BASE_DIR / "test_db.sqlite3"},\n')],
    },
    "receive-from-cancels": {
        "chat/tests.py": [
            ("import asyncio\n\n", ""),
            ("        with self.assertRaises(asyncio.TimeoutError):\n"
             "            await carol.receive_from(timeout=0.3)\n",
             "        self.assertTrue(await carol.receive_nothing(timeout=0.3))\n"),
        ],
    },
    "receive-signature": {
        "chat/consumers.py": [(
            "async def receive(self, text_data: str) -> None:",
            "async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:",
        )],
    },
    "room-name-url": {
        "chat/templates/chat/room.html": [("/ws/chat/${roomName}/", "/ws/chat/${encodeURIComponent(roomName)}/")],
    },
}


# --- helpers ------------------------------------------------------------------------------------
def copy_project(name: str, destination: Path) -> Path:
    """A copy to check: the checker and the project's own tests write nothing into tests/eras."""
    project = destination / name
    shutil.copytree(ERAS / name, project, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.sqlite3"))
    return project


def apply(project: Path, *patches: Patch) -> None:
    for patch in patches:
        for file, replacements in patch.items():
            path = project / file
            text = path.read_text(encoding="utf-8")
            for old, new in replacements:
                assert text.count(old) == 1, f"{file}: the errata patch no longer fits: {old!r}"
                text = text.replace(old, new)
            path.write_text(text, encoding="utf-8")


def errata_applied(name: str, errata: dict[str, Patch], destination: Path, *more: Patch) -> Path:
    project = copy_project(name, destination)
    apply(project, *errata.values(), *more)
    return project


def first_failing(report: dict) -> dict | None:
    return next((c for c in report["checks"] if c["status"] in ("fail", "error")), None)


def by_id(report: dict, check_id: str) -> dict:
    return next(c for c in report["checks"] if c["id"] == check_id)


def assert_passes(code: int, report: dict, *, warnings: dict[str, str] | None = None) -> None:
    """Passed, with no check skipped but idle-survives (run with --thorough only), and with
    exactly the warnings named (check id -> key)."""
    assert code == 0 and first_failing(report) is None, first_failing(report)
    skipped = {c["id"] for c in report["checks"] if c["status"] == "skip"}
    assert skipped <= {"idle-survives"}, skipped
    warned = {c["id"]: c["key"] for c in report["checks"] if c["status"] == "warn"}
    assert warned == (warnings or {})


@pytest.fixture(scope="session")
def era_redis(redis_url) -> str:
    """The era projects talk to the Redis their settings name, 127.0.0.1:6379."""
    if not ping(ERA_REDIS):
        pytest.fail(f"the era projects name Redis at {ERA_REDIS} in their settings, and nothing answers there "
                    f"(the tests' Redis is {redis_url})", pytrace=False)
    return ERA_REDIS


def test_patches_name_errata_entries():
    """Every patch stands under the anchor of an errata entry that exists."""
    errata = (ROOT / "lessons" / "en" / "errata.md").read_text(encoding="utf-8")
    for entry in [*CHANNELS2, *CHANNELS3, *CHANNELS4, "asgi-import-order"]:
        assert f'<a id="{entry}"></a>' in errata, entry


def test_eras_hold_no_leftovers():
    leftovers = [p for p in ERAS.rglob("*") if p.name == "__pycache__" or p.suffix in (".sqlite3", ".pyc")]
    assert not leftovers


# --- Channels 2 (2019-2020): step 05, a sync consumer with groups ---------------------------------
def test_channels2_as_written_fails_on_url_removed(tmp_path):
    """Nothing else can be judged before the project imports: url() from django.conf.urls is gone."""
    code, report = check_json("5", "--project", str(copy_project("channels2-chat", tmp_path)))
    first = first_failing(report)
    assert code == 1 and first["id"] == "project-loads", first
    assert first["key"] == "load-failed" and first["causes"] == ["hint-url-removed"]
    assert first["params"]["what"] == "mysite.routing.application"
    assert first["params"]["error"].startswith("ImportError: cannot import name 'url' from 'django.conf.urls'")
    assert first["params"]["where"] == "chat/routing.py:1"
    later = {c["status"] for c in report["checks"] if c["id"] not in ("environment", "project-loads")}
    assert later == {"skip"}


def test_channels2_url_removed_is_named_file_by_file(tmp_path):
    """Fixing url() where the checker points moves it on to the next file that still has it."""
    project = copy_project("channels2-chat", tmp_path)
    entry = CHANNELS2["url-removed"]
    for fixed, still in [("chat/routing.py", "mysite/urls.py:1"), ("mysite/urls.py", "chat/urls.py:1")]:
        apply(project, {fixed: entry[fixed]})
        first = first_failing(check_json("5", "--project", str(project))[1])
        assert (first["id"], first["causes"], first["params"]["where"]) == ("project-loads", ["hint-url-removed"], still)
    apply(project, {"chat/urls.py": entry["chat/urls.py"]})
    first = first_failing(check_json("5", "--project", str(project))[1])
    assert (first["id"], first["key"]) == ("asgi-application", "asgi-no-http")


def test_channels2_after_errata_lacks_only_the_http_route(tmp_path, era_redis):
    """The errata fix everything but what Channels 2 did by itself: serving http."""
    project = errata_applied("channels2-chat", CHANNELS2, tmp_path)
    code, report = check_json("5", "--project", str(project))
    first = first_failing(report)
    assert code == 1 and first["id"] == "asgi-application", first
    assert first["key"] == "asgi-no-http" and first["params"] == {"protocols": "websocket"}
    failed = {c["id"]: c["key"] for c in report["checks"] if c["status"] in ("fail", "error")}
    # The same cause: no get_asgi_application() anywhere, so Daphne never sets Django up either.
    assert failed == {"asgi-application": "asgi-no-http", "asgi-serves-index": "http-crashed",
                      "two-servers": "two-servers-connect"}, failed
    assert by_id(report, "asgi-serves-index")["causes"] == ["hint-no-http-protocol"]
    assert "AppRegistryNotReady" in by_id(report, "two-servers")["message"]
    # The client's own failure is a sentence inside the sentence, not a key and a dict.
    assert "the server answered HTTP 500 instead of the WebSocket handshake" in by_id(report, "two-servers")["message"]
    assert by_id(report, "group-broadcast")["status"] == "pass"  # the socket side all passes


def test_channels2_after_errata_and_lesson_02_passes_step_05(tmp_path, era_redis):
    project = errata_applied("channels2-chat", CHANNELS2, tmp_path, CHANNELS2_LESSON_02)
    assert_passes(*check_json("5", "--project", str(project)))


def test_channels2_is_a_step_05_project(tmp_path, era_redis):
    """Its consumer is the sync one of step 05: step 06 asks for the async one, and only that."""
    project = errata_applied("channels2-chat", CHANNELS2, tmp_path, CHANNELS2_LESSON_02)
    code, report = check_json("6", "--project", str(project))
    failed = {c["id"]: c for c in report["checks"] if c["status"] in ("fail", "error")}
    assert code == 1 and list(failed) == ["async-consumer", "no-blocking"], list(failed)
    assert failed["async-consumer"]["key"] == "consumer-sync"
    assert failed["async-consumer"]["params"]["name"] == "RoomConsumer"


# --- Channels 3 (2021-2022): step 06, the async consumer ------------------------------------------
def test_channels3_as_written_fails_on_daphne_missing(tmp_path, era_redis):
    """'channels' in INSTALLED_APPS took runserver over in Channels 3; in Channels 4 only 'daphne'
    does. Everything else works, the narrow route is a warning."""
    code, report = check_json("6", "--project", str(copy_project("channels3-chat", tmp_path)))
    first = first_failing(report)
    assert code == 1 and first["id"] == "daphne-runserver", first
    assert first["key"] == "daphne-missing" and first["params"]["owner"] == "django.contrib.staticfiles"
    failed = [c["id"] for c in report["checks"] if c["status"] in ("fail", "error")]
    assert failed == ["daphne-runserver"]
    assert by_id(report, "ws-connect")["status"] == "warn"
    assert by_id(report, "ws-connect")["key"] == "route-narrow"


def test_channels3_after_errata_passes_step_06(tmp_path, era_redis):
    """What remains is a warning no errata entry covers: the \\w+ route refuses "my-room"."""
    project = errata_applied("channels3-chat", CHANNELS3, tmp_path)
    assert_passes(*check_json("6", "--project", str(project)), warnings={"ws-connect": "route-narrow"})


# --- Channels 4 (2023-): step 06 with its own tests of step 07 ---------------------------------
def test_channels4_as_written_passes_step_06(tmp_path, era_redis):
    """Today's tutorial idioms hold today: no false alarm."""
    assert_passes(*check_json("6", "--project", str(copy_project("channels4-chat", tmp_path))))


def test_channels4_as_written_own_tests_refused(tmp_path, era_redis):
    """Its communicator tests run with DEBUG = False and ALLOWED_HOSTS = []: the Origin check
    refuses every socket, and the checker says so."""
    code, report = check_json("7", "--project", str(copy_project("channels4-chat", tmp_path)))
    assert code == 1
    own = by_id(report, "own-tests-pass")
    assert own["status"] == "fail" and own["key"] == "own-tests-failed"
    assert own["causes"] == ["hint-own-tests-refused"]
    assert own["params"]["failed"].count("chat.tests.ChatSocketTests.") == 3
    assert "AssertionError: False is not true" in own["params"]["tail"]
    failed = [c["id"] for c in report["checks"] if c["status"] in ("fail", "error")]
    assert failed == ["own-tests-pass"], failed
    # No live-server test: the in-memory test database is safe, and said so.
    assert by_id(report, "test-db-safe")["status"] == "pass"


def test_channels4_hosts_fixed_receive_from_still_cancels(tmp_path, era_redis):
    """With the hosts listed, the sockets connect, and the next entry of the errata shows: the
    timed-out receive_from() cancelled carol's consumer, so her disconnect() raises."""
    project = copy_project("channels4-chat", tmp_path)
    apply(project, CHANNELS4["allowed-hosts-tests"], CHANNELS4["test-db-deleted"])
    code, report = check_json("7", "--project", str(project))
    first = first_failing(report)
    assert code == 1 and first["id"] == "own-tests-pass" and first["key"] == "own-tests-failed", first
    assert first["params"]["failed"] == ("test_other_room_gets_nothing "
                                         "(chat.tests.ChatSocketTests.test_other_room_gets_nothing)")
    assert "CancelledError" in first["params"]["tail"]
    assert first["causes"] == ["hint-own-tests-cancelled"], first


def test_channels4_step_07_first_failing_is_the_real_problem(tmp_path, era_redis):
    code, report = check_json("7", "--project", str(copy_project("channels4-chat", tmp_path)))
    first = first_failing(report)
    # The suite has no live-server test, so its in-memory test database is fine; what is wrong is
    # ALLOWED_HOSTS = [] with DEBUG = False: the origin check refuses the suite's sockets.
    assert first["id"] == "own-tests-pass" and first["key"] == "own-tests-failed", first
    assert "hint-own-tests-refused" in first["causes"], first
    assert {c["id"]: c["status"] for c in report["checks"]}["test-db-safe"] == "pass"


def test_channels4_after_errata_passes_step_07(tmp_path, era_redis):
    project = errata_applied("channels4-chat", CHANNELS4, tmp_path)
    code, report = check_json("7", "--project", str(project))
    assert_passes(code, report)
    assert by_id(report, "own-tests-pass")["params"]["count"] == 3
