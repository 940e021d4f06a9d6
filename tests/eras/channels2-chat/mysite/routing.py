# the "root" of channels, like urls.py is for django.
# plain http is handled by channels itself (it passes it to django),
# so I only have to say where the websockets go
from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter

import chat.routing

application = ProtocolTypeRouter({
    'websocket': AuthMiddlewareStack(
        URLRouter(chat.routing.websocket_urlpatterns)
    ),
})
