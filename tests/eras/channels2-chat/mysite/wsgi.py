# gunicorn mysite.wsgi -- only for the plain pages, the sockets need daphne
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')
application = get_wsgi_application()
