"""Delivery channels behind one small interface: ``send(notification)`` raises ChannelError on
failure (``transient`` says whether a retry may help) and returns on success.

- email: Django's mail backend; subject and body from templates/notifications/<lang>/<kind>.txt
  (first line ``Subject: ...``), in the recipient's language.
- webhook: a JSON POST to ADUAN_WEBHOOK_URL for an SMS or WhatsApp gateway, with headers
  ``X-Aduan-Timestamp: <unix seconds>`` and
  ``X-Aduan-Signature: sha256=<HMAC-SHA256 of "<timestamp>.<body>">``.
- integration: a Pemda's registered endpoint (WebhookEndpoint) gets the JSON event of a move,
  signed the same way with the endpoint's own secret, plus ``X-Aduan-Event`` and
  ``X-Aduan-Delivery`` (the outbox key: the same on every retry, so receivers can drop copies).
  HTTPS only (http:// to loopback only where ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK or DEBUG allows).
"""

import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

LANGUAGES = ("id", "en")


class ChannelError(Exception):
    def __init__(self, message: str, *, transient: bool = True):
        super().__init__(message)
        self.transient = transient


def render(notification) -> tuple[str, str]:
    """The subject and text body of a notification, in its language."""
    language = notification.language if notification.language in LANGUAGES else "id"
    with translation.override(language):
        text = render_to_string(f"notifications/{language}/{notification.kind}.txt", notification.context)
    first, _, body = text.lstrip().partition("\n")
    subject = first.removeprefix("Subject:").strip()
    return subject, body.strip() + "\n"


def send_email(notification) -> None:
    subject, body = render(notification)
    message = EmailMessage(subject=subject, body=body, to=[notification.address])
    message.extra_headers["X-Aduan-Notification"] = notification.key
    # The same Message-ID on every attempt, so a receiver can drop a copy resent after a crash.
    digest = hashlib.sha256(notification.key.encode()).hexdigest()[:32]
    message.extra_headers["Message-ID"] = f"<{digest}@aduan.notification>"
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        permanent = isinstance(exc, smtplib.SMTPRecipientsRefused)
        raise ChannelError(_mail_error(exc), transient=not permanent) from exc


def _mail_error(exc: Exception) -> str:
    """What went wrong, without the server's text: it can quote the recipient's address, and this
    text is stored and logged."""
    codes = []
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _msg in exc.recipients.values()})
    elif isinstance(exc, smtplib.SMTPResponseException):
        codes = [str(exc.smtp_code)]
    elif isinstance(exc, OSError) and exc.errno:
        codes = [f"errno {exc.errno}"]
    return f"{type(exc).__name__}: {' '.join(codes) or 'no detail'}"


def webhook_signature(body: bytes, secret: str, timestamp: str) -> str:
    """HMAC-SHA256 over ``<timestamp>.<body>``: the receiver checks it and refuses old timestamps
    (e.g. older than 5 minutes), so a captured request cannot be replayed later."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def send_webhook(notification) -> None:
    url, secret = settings.ADUAN_WEBHOOK_URL, settings.ADUAN_WEBHOOK_SECRET
    if not url or not secret:
        raise ChannelError("ADUAN_WEBHOOK_URL / ADUAN_WEBHOOK_SECRET are not set", transient=False)
    subject, body = render(notification)
    payload = json.dumps(
        {
            "id": notification.key,
            "to": notification.address,
            "kind": notification.kind,
            "text": f"{subject}\n{body}",
        }
    ).encode()
    _post_signed(url, payload, secret)


def send_integration(notification) -> None:
    from .models import (  # noqa: PLC0415
        LOOPBACK_HOSTS,
        WebhookEndpoint,
        host_is_public,
        webhook_url_allowed,
    )

    endpoint = WebhookEndpoint.objects.filter(pk=notification.context.get("endpoint"), is_active=True).first()
    if endpoint is None:
        raise ChannelError("webhook endpoint removed or inactive", transient=False)
    if not webhook_url_allowed(endpoint.url):
        raise ChannelError("webhook endpoint is not HTTPS", transient=False)
    host = urlsplit(endpoint.url).hostname or ""
    allow_loopback = settings.ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK and host in LOOPBACK_HOSTS
    if not allow_loopback and not host_is_public(host, resolve=True):
        raise ChannelError("webhook host is not a public address", transient=False)
    event = notification.context.get("event", {})
    payload = json.dumps({"id": notification.key, **event}).encode()
    extra = {"X-Aduan-Event": str(event.get("type", "")), "X-Aduan-Delivery": notification.key}
    _post_signed(endpoint.url, payload, endpoint.secret, extra)


def _post_signed(url: str, payload: bytes, secret: str, extra_headers: dict | None = None) -> None:
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        url,
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Aduan-Timestamp": timestamp,
            "X-Aduan-Signature": webhook_signature(payload, secret, timestamp),
            **(extra_headers or {}),
        },
    )
    try:
        with _OPENER.open(request, timeout=10) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"HTTP {exc.code}", transient=exc.code >= 500 or exc.code == 429) from exc
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        raise ChannelError(type(exc).__name__) from exc


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A webhook answer that redirects is an error, not a second request somewhere else."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


CHANNELS = {"email": send_email, "webhook": send_webhook, "integration": send_integration}
