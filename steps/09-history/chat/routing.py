from django.urls import path

from chat.consumers import ChatConsumer

websocket_urlpatterns = [
    # as_asgi() is to consumers what as_view() is to views: one instance per connection.
    path("ws/chat/<str:room_name>/", ChatConsumer.as_asgi()),
]
