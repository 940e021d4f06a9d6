from django.conf.urls import url

from chat.consumers import RoomConsumer

# same idea as urls.py, but for ws:// addresses.
# no leading slash here either
websocket_urlpatterns = [
    url(r'^ws/chat/(?P<room>[^/]+)/$', RoomConsumer),
]
