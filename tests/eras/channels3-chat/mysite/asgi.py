"""ASGI entry point: `daphne mysite.asgi:application`, and runserver too."""
import os

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application

from chat.routing import websocket_urlpatterns

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')

application = ProtocolTypeRouter({
    # normal page requests -> Django as usual
    'http': get_asgi_application(),
    # ws:// requests -> session + user in scope, then chat/routing.py
    'websocket': AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
})
