# mysite/settings.py
# started from `django-admin startproject mysite` (Django 2.2.10),
# I removed the comments and the password validators I don't need yet
import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# dev key only, don't deploy this
SECRET_KEY = 'x#ob1t@b#(4f(ja!lq%l#xm6cw=6czsay$d@g#jr9$m7@679y0'
DEBUG = True
ALLOWED_HOSTS = []

INSTALLED_APPS = [
    # channels has to come before staticfiles, otherwise `runserver`
    # is still django's own and the sockets get a 404
    'channels',
    'django.contrib.admin',
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'django.contrib.messages',
    'django.contrib.staticfiles',
    'chat',
]

MIDDLEWARE = [
    'django.middleware.security.SecurityMiddleware',
    'django.contrib.sessions.middleware.SessionMiddleware',
    'django.middleware.common.CommonMiddleware',
    'django.middleware.csrf.CsrfViewMiddleware',
    'django.contrib.auth.middleware.AuthenticationMiddleware',
    'django.contrib.messages.middleware.MessageMiddleware',
    'django.middleware.clickjacking.XFrameOptionsMiddleware',
]

ROOT_URLCONF = 'mysite.urls'
WSGI_APPLICATION = 'mysite.wsgi.application'

TEMPLATES = [{
    'BACKEND': 'django.template.backends.django.DjangoTemplates',
    'DIRS': [],
    'APP_DIRS': True,  # chat/templates/chat/*.html
    'OPTIONS': {
        'context_processors': [
            'django.template.context_processors.debug',
            'django.template.context_processors.request',
            'django.contrib.auth.context_processors.auth',
            'django.contrib.messages.context_processors.messages',
        ],
    },
}]

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': os.path.join(BASE_DIR, 'db.sqlite3'),
    }
}

LANGUAGE_CODE = 'en-us'
TIME_ZONE = 'Europe/Moscow'
USE_I18N = True
USE_L10N = True
USE_TZ = True

STATIC_URL = '/static/'

# ---- channels 2 ----
# runserver now starts daphne with this instead of the wsgi app
ASGI_APPLICATION = 'mysite.routing.application'

# groups live in redis (apt install redis-server, default port)
CHANNEL_LAYERS = {
    'default': {
        'BACKEND': 'channels_redis.core.RedisChannelLayer',
        'CONFIG': {
            'hosts': [('127.0.0.1', 6379)],
        },
    },
}
