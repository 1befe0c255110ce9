"""Where server errors go: Sentry when SENTRY_DSN is set (the optional ``sentry`` extra), otherwise
an e-mail to ADMINS. Both carry the same redaction as the logs, and more: no request body,
cookies, query string, user or local variables ever leave, and every text left has tracking
secrets, e-mail addresses, phone numbers and NIKs masked (UU 27/2022)."""

import logging
import re

from django.conf import settings
from django.core.mail import mail_admins

from .log_filters import redact

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(?<!\d)(\+?62[ -]?|0)8[\d -]{7,14}\d(?!\d)")
NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
REQUEST_KEPT = ("url", "method")


def scrub(text: str) -> str:
    """Tracking secrets, e-mail addresses, phone numbers and NIKs out of a text."""
    return NIK.sub("[nik]", PHONE.sub("[telepon]", EMAIL.sub("[email]", redact(text))))


def _scrub_all(value):
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: _scrub_all(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_all(item) for item in value]
    return value


def sentry_before_send(event: dict, hint: dict) -> dict:
    """Sentry's ``before_send`` (and ``before_breadcrumb``): keep the request's method and URL
    only (no body, cookies, headers or query string), drop the user, scrub every text."""
    if "request" in event:
        event["request"] = {key: event["request"][key] for key in REQUEST_KEPT if key in event["request"]}
    event.pop("user", None)
    return _scrub_all(event)


def sentry_init() -> bool:
    """Start Sentry when SENTRY_DSN is set (web and workers: called from aduan.core's ready)."""
    if not settings.SENTRY_DSN:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=settings.SENTRY_DSN,
        environment=settings.SENTRY_ENVIRONMENT,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0,
        before_send=sentry_before_send,
        before_breadcrumb=lambda crumb, hint: _scrub_all(crumb),
    )
    return True


class AdminEmailHandler(logging.Handler):
    """Mails an ERROR record to ADMINS: the formatted line and traceback only (Django's own
    handler would add the request's POST data, cookies and every frame's local variables)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            body = scrub(self.format(record))
            subject = body.splitlines()[0][:150] if body else record.levelname
            mail_admins(f"{record.levelname}: {subject}", body, fail_silently=True)
        except Exception:
            self.handleError(record)
