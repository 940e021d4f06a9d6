"""Settings of the chat site (a trimmed `django-admin startproject chatsite`)."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# A development key: set DJANGO_SECRET_KEY to anything secret outside the classroom.
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "django-insecure-workbook-only-never-use-in-production"
)
DEBUG = True
# Written out because tests run with DEBUG = False, where an empty list allows
# no host at all, and the WebSocket origin check reads this list too.
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

INSTALLED_APPS = [
    # Daphne first: its runserver replaces Django's and serves the ASGI application.
    "daphne",
    "chat",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "chatsite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # One folder for all the course's pages: templates/ next to manage.py.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "chatsite.wsgi.application"
ASGI_APPLICATION = "chatsite.asgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
        # The browser tests need a database file the live server can open too.
        # Give it its own name: `manage.py test` deletes the test database.
        "TEST": {"NAME": BASE_DIR / "test_db.sqlite3"},
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Channel layer: how consumers (in one process or many) pass messages to each other.
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            # Needs redis-py below 8 (pip install "redis<8"): version 8 drops a
            # connection that waits over 5 s, and the layer waits 5 s for messages.
            "hosts": [REDIS_URL],
            # How many messages may wait for one server process (in Redis) and for one
            # socket (in the process) before the layer drops the rest without a word.
            # The default, 100, is too few for a busy room: 30 people x 10 messages at once.
            "capacity": 1000,
        },
    },
}
