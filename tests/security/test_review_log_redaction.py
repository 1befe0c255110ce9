"""Security review: no logger writes a tracking secret, whichever logger the record starts at.

The redaction filter sits on the handlers (settings LOGGING), not on a few loggers, so Django's
``django.security.*`` loggers (a refused CSRF check logs ``Forbidden (CSRF cookie not set.):
/lacak/<secret>/aksi/``) and the application's own loggers are covered too. The tests read what
the configured handlers write, not what a logger hands to pytest's caplog."""

import io
import logging
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from aduan.complaints.models import Status
from tests.factories import complaint_in_status

SECRET = "Zk3v9Q2mB7xT4pL8sN1cR6yH0wJ5dF2gA9uE3iO7"
LOGGERS = [
    "django.security.csrf",
    "django.security.DisallowedHost",
    "django.security.SuspiciousOperation",
    "django.security.SuspiciousFileOperation",
    "django.security.SuspiciousSession",
    "django.security.RequestDataTooBig",
    "django.security.TooManyFieldsSent",
    "django.security.DisallowedRedirect",
    "django.request",
    "django.server",
    "django",
    "aduan.portal.views.tracking",
    "celery.app.trace",
    "some.plain.application.logger",
]


@contextmanager
def handler_output():
    """What the handlers configured in settings.LOGGING write (their streams swapped for a buffer)."""
    buffer = io.StringIO()
    names = set(settings.LOGGING["handlers"])
    handlers = {
        handler
        for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
        if isinstance(logger, logging.Logger)
        for handler in logger.handlers
        if handler.get_name() in names and isinstance(handler, logging.StreamHandler)
    }
    assert handlers, "no configured stream handler found"
    # Swapped directly, not with setStream(): that flushes the old stream, which may be the
    # captured stderr of an earlier test that pytest has already closed.
    previous = {handler: handler.stream for handler in handlers}
    for handler in handlers:
        handler.stream = buffer
    try:
        yield buffer
    finally:
        for handler, stream in previous.items():
            handler.stream = stream


@pytest.mark.parametrize("name", LOGGERS)
def test_a_secret_logged_anywhere_reaches_the_handler_redacted(name):
    with handler_output() as output:
        logging.getLogger(name).error("Forbidden (CSRF cookie not set.): %s", f"/lacak/{SECRET}/aksi/")
        logging.getLogger(name).warning(f"GET /api/v1/track/{SECRET}/ 404")

    written = output.getvalue()
    assert "/lacak/…/aksi/" in written
    assert "/api/v1/track/…/" in written
    assert SECRET not in written


def test_a_secret_in_a_traceback_is_redacted():
    with handler_output() as output:
        try:
            raise ValueError(f"no complaint at /lacak/{SECRET}/")
        except ValueError:
            logging.getLogger("aduan.portal").exception("look-up failed")

    written = output.getvalue()
    assert "ValueError: no complaint at /lacak/…/" in written
    assert SECRET not in written


def test_a_post_without_csrf_cookie_logs_no_secret(world):
    complaint = complaint_in_status(
        Status.FOLLOWED_UP, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    secret = complaint.tracking_secret

    with handler_output() as output:
        response = Client(enforce_csrf_checks=True).post(f"/lacak/{secret}/aksi/", {"aksi": "accept"})

    written = output.getvalue()
    assert response.status_code == 403
    assert "Forbidden (CSRF cookie not set.): /lacak/…/aksi/" in written
    assert secret not in written


def test_production_settings_redact_the_csrf_log_line(tmp_path):
    """The same under config.settings.production (its own process: production needs its secrets)."""
    line = f"Forbidden (CSRF cookie not set.): /lacak/{SECRET}/aksi/"
    csrf = "logging.getLogger('django.security.csrf')"
    script = f"import django, logging; django.setup(); {csrf}.warning({line!r})"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "k" * 50,
        "ALLOWED_HOSTS": "aduan.example.id",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_URL": "smtp://mail.example.id:587",
        "ADUAN_SITE_URL": "https://aduan.example.id",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Forbidden (CSRF cookie not set.): /lacak/…/aksi/" in result.stderr
    assert SECRET not in result.stderr + result.stdout
