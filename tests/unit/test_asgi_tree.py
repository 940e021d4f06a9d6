"""Walking an ASGI application to the consumer a path reaches (in process)."""

from __future__ import annotations

import django
import pytest
from django.conf import settings

if not settings.configured:
    settings.configure(INSTALLED_APPS=[], ALLOWED_HOSTS=["localhost"])
    django.setup()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator, OriginValidator  # noqa: E402
from django.urls import path, re_path  # noqa: E402

from checker.asgi_tree import class_routes, find, protocol_app, route_patterns, routed_consumer  # noqa: E402


class Chat(AsyncWebsocketConsumer):
    pass


@pytest.fixture
def application():
    routes = URLRouter([path("ws/chat/<str:room_name>/", Chat.as_asgi())])
    return ProtocolTypeRouter({"websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(routes))})


def test_the_consumer_a_path_reaches(application):
    websocket = protocol_app(application, "websocket")
    assert routed_consumer(websocket, "/ws/chat/lobby/") is Chat
    assert routed_consumer(websocket, "/ws/other/") is None
    assert route_patterns(websocket) == ["ws/chat/<str:room_name>/"]
    assert isinstance(find(websocket, OriginValidator), OriginValidator)
    assert protocol_app(application, "http") is None


def test_nested_routers_and_a_class_routed_without_as_asgi():
    inner = URLRouter([re_path(r"(?P<room_name>\w+)/$", Chat)])
    app = URLRouter([path("ws/chat/", inner)])
    assert route_patterns(app) == [r"ws/chat/(?P<room_name>\w+)/$"]
    assert class_routes(app) == ["Chat"]
