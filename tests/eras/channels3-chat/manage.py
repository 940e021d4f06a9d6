#!/usr/bin/env python
"""manage.py for the chat project (runserver, migrate, shell...)."""
import os
import sys


def main():
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError('Django is not importable: is the venv active?') from exc
    execute_from_command_line(sys.argv)


if __name__ == '__main__':
    main()
