"""ASGI entry point, as `startproject` writes it: Django's own HTTP handler."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatsite.settings")

application = get_asgi_application()
