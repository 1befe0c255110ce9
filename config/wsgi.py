"""WSGI entry point (gunicorn config.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Import every view now (Django would on the first request), then move everything loaded so far
# out of the garbage collector's reach: its full collections no longer walk the ~190,000 objects of
# Django and the project in every worker, which held one request in a few hundred for ~100 ms
# (bench/HISTORY.md, third pass). Objects made later are collected as usual.
get_resolver().url_patterns  # noqa: B018 - imported for its side effect
gc.freeze()
