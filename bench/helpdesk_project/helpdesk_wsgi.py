"""A minimal Django project serving django-helpdesk for bench/helpdesk.py; it runs only in the
benchmark's own virtualenv (var/bench/helpdesk-venv). Its directory is on PYTHONPATH there, not bench/
(bench/helpdesk.py would shadow the helpdesk package)."""

import os
import sys
from pathlib import Path

# gunicorn puts the directory it was started from on sys.path; when that is bench/, its helpdesk.py
# would shadow the helpdesk package
_bench = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _bench]

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk_settings")
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
