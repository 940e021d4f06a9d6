from django.urls import re_path

from .consumers import EchoConsumer

websocket_urlpatterns = [
    re_path(r'^ws/chat/(?P<room_name>[^/]+)/$', EchoConsumer.as_asgi()),
]
