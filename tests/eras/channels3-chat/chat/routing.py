from django.urls import re_path

from .consumers import ChatConsumer

websocket_urlpatterns = [
    # Channels 3: the route takes ChatConsumer.as_asgi(), not the class
    re_path(r'^ws/chat/(?P<room_name>\w+)/$', ChatConsumer.as_asgi()),
]
