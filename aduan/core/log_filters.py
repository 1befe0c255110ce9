"""Logging filters. ``RedactTrackingSecrets`` removes the secret of tracking links from log records:
the secret opens a complaint's tracking page and the reporter's copy of their data, so a path such
as ``/lacak/<secret>/hapus-data/`` (Django logs every 4xx/5xx with its path) is written as
``/lacak/…/hapus-data/``; an API token key is written as ``…`` too. Set on every handler in
``LOGGING`` (so every logger is covered, e.g.
``django.security.csrf``'s "Forbidden (CSRF cookie not set.): /lacak/<secret>/aksi/"), and on
``django.request`` / ``django.server`` as well for handlers added outside ``LOGGING``."""

import logging
import re

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

# /lacak/<secret>/... (pages) and /api/v1/track/<secret>/... (API); ticket look-ups have no secret.
SECRET_IN_PATH = re.compile(r"(/lacak/|/track/)(?!…)[^/\s?#\"']{16,}")


# API token keys (aduan.users.tokens: "aduan_" and 64 hexadecimal characters; a key hashed from the
# old plain-text tokens is 40 of them after "Token ") and Open311's api_key parameter, should one be
# written into a message (the Authorization header itself is never logged: Django's error e-mails
# mask it with every header whose name contains AUTH, and the request object is no log field).
API_KEY = re.compile(r"aduan_[0-9a-f]{16,}|(?<=Token )[0-9a-f]{40}\b|(?<=api_key=)[^&\s\"']+")


def redact(text: str) -> str:
    return API_KEY.sub("…", SECRET_IN_PATH.sub(r"\1…", text))


class RedactTrackingSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            # Formatted here once (the formatter reuses exc_text), so a traceback is redacted too.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        request = getattr(record, "request", None)
        if request is not None and SECRET_IN_PATH.search(getattr(request, "path", "")):
            record.request = None  # the request object carries the path (and its headers) too
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object per line (LOG_FORMAT=json): time, level, logger, request_id, message, and
    the exception. Tracebacks are redacted here too (this formatter formats ``exc_info`` itself
    instead of reusing the filter's ``exc_text``), and the ``request`` object Django attaches to
    its records is left out (its text is the full path with the query string)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request"])
        kwargs.setdefault(
            "rename_fields",
            {"asctime": "time", "levelname": "level", "name": "logger", "correlation_id": "request_id"},
        )
        super().__init__(*args, **kwargs)

    def formatException(self, ei) -> str:
        return redact(super().formatException(ei))

    def formatStack(self, stack_info) -> str:
        return redact(super().formatStack(stack_info))
