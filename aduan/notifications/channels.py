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
  HTTPS only (http:// to loopback only where ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK allows). The host is
  resolved once, every address it resolves to must be public (loopback only where allowed), and the
  connection goes to that checked address (``_pinned_address``): a name that resolves elsewhere a
  moment later (DNS rebinding) cannot send the request into the server's own network. The Host
  header, TLS SNI and certificate check still use the endpoint's host name.
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import re
import smtplib
import socket
import ssl
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
    context = notification.context
    if notification.kind == "staff_welcome":  # its password link is made now, never stored
        from .welcome import link_context

        context = {**context, **link_context(notification)}
    with translation.override(language):
        text = render_to_string(f"notifications/{language}/{notification.kind}.txt", context)
    first, _, body = text.lstrip().partition("\n")
    subject = first.removeprefix("Subject:").strip()
    return subject, body.strip() + "\n"


def send_email(notification) -> None:
    subject, body = render(notification)
    message = EmailMessage(subject=subject, body=body, to=[notification.address])
    message.extra_headers["X-Aduan-Notification"] = notification.key
    # The same Message-ID on every attempt, so a receiver can drop a copy resent after a crash; a
    # reply quoting it (In-Reply-To, References) is recognised by complaints.mail_intake.
    message.extra_headers["Message-ID"] = notification_message_id(notification)
    answered = str(notification.context.get("in_reply_to") or "")
    if _HEADER_ID_RE.fullmatch(answered):  # the reporter's own e-mail this answers (inbound e-mail)
        message.extra_headers["In-Reply-To"] = message.extra_headers["References"] = answered
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        permanent = isinstance(exc, smtplib.SMTPRecipientsRefused)
        raise ChannelError(_mail_error(exc), transient=not permanent) from exc


MESSAGE_ID_DOMAIN = "aduan.notification"
_HEADER_ID_RE = re.compile(r"<[^<>\s]{1,250}>")
_MESSAGE_ID_RE = re.compile(r"<n(\d{1,18})\.([0-9a-f]{32})@" + re.escape(MESSAGE_ID_DOMAIN) + ">")


def _message_id_digest(key: str) -> str:
    mac = hmac.new(settings.SECRET_KEY.encode(), b"message-id:" + key.encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def notification_message_id(notification) -> str:
    """``<n<pk>.<HMAC of the key>@aduan.notification>``: names the outbox row, and only this server
    (SECRET_KEY) can make one, so a reply that quotes it really answers that message."""
    return f"<n{notification.pk}.{_message_id_digest(notification.key)}@{MESSAGE_ID_DOMAIN}>"


def notification_ids_quoted(header_text: str) -> list[int]:
    """The outbox ids of the Message-IDs of ours found in an In-Reply-To / References header,
    newest reference last; forged or altered ones are left out."""
    from .models import Notification

    found = [(int(pk), digest) for pk, digest in _MESSAGE_ID_RE.findall(header_text or "")][-20:]
    keys = dict(Notification.objects.filter(pk__in=[pk for pk, _d in found]).values_list("pk", "key"))
    return [
        pk for pk, digest in found if pk in keys and hmac.compare_digest(_message_id_digest(keys[pk]), digest)
    ]


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
    from .models import WebhookEndpoint, webhook_url_allowed

    endpoint = WebhookEndpoint.objects.filter(pk=notification.context.get("endpoint"), is_active=True).first()
    if endpoint is None:
        raise ChannelError("webhook endpoint removed or inactive", transient=False)
    if not webhook_url_allowed(endpoint.url):
        raise ChannelError("webhook endpoint is not HTTPS", transient=False)
    parts = urlsplit(endpoint.url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise ChannelError("webhook endpoint has an invalid port", transient=False) from exc
    address = _pinned_address(parts.hostname or "", port)
    event = notification.context.get("event", {})
    payload = json.dumps({"id": notification.key, **event}).encode()
    extra = {"X-Aduan-Event": str(event.get("type", "")), "X-Aduan-Delivery": notification.key}
    _post_signed(endpoint.url, payload, endpoint.secret, extra, address=address)


def _pinned_address(host: str, port: int) -> str:
    """Resolve ``host`` once and return the address to connect to; ChannelError (permanent) when
    any address it resolves to is inside this network (the rule of ``host_is_public``), or, for
    the loopback names allowed by ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK, is not loopback."""
    from .models import LOOPBACK_HOSTS, host_is_public

    loopback_allowed = bool(settings.ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK) and host.lower() in LOOPBACK_HOSTS
    if not loopback_allowed and not host_is_public(host):  # .internal, .local, a private literal...
        raise ChannelError("webhook host is not a public address", transient=False)
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise ChannelError(f"webhook host does not resolve ({type(exc).__name__})") from exc
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if loopback_allowed:
        allowed = bool(addresses) and all(a.is_loopback for a in addresses)
    else:
        allowed = bool(addresses) and all(host_is_public(str(a)) for a in addresses)
    if not allowed:
        raise ChannelError("webhook host is not a public address", transient=False)
    return str(addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to ``address`` for the host name in the URL (the Host header)."""

    def __init__(self, host, port=None, *, address: str, **kwargs):
        super().__init__(host, port, **kwargs)
        self.pinned_address = address

    def connect(self):
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to ``address``; SNI and the certificate check use the host name."""

    def __init__(self, host, port=None, *, address: str, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self.pinned_address = address

    def connect(self):
        sock = socket.create_connection((self.pinned_address, self.port), self.timeout)
        try:
            self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _post_pinned(url: str, payload: bytes, headers: dict, address: str) -> None:
    """POST to ``url`` over a connection to ``address``; a non-2xx answer (a redirect too: it is
    not followed) is an HTTPError, like the opener's."""
    parts = urlsplit(url)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, parts.port, address=address, timeout=10)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=payload, headers=headers)
        response = connection.getresponse()
        response.read()
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(url, response.status, response.reason, response.headers, None)
    finally:
        connection.close()


def _post_signed(
    url: str, payload: bytes, secret: str, extra_headers: dict | None = None, *, address: str | None = None
) -> None:
    """POST the signed payload; to the pinned ``address`` when given (integration endpoints), else
    through the opener (the operator's own gateway, ADUAN_WEBHOOK_URL, which may sit on the
    internal network or behind the environment's proxy)."""
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Aduan-Timestamp": timestamp,
        "X-Aduan-Signature": webhook_signature(payload, secret, timestamp),
        **(extra_headers or {}),
    }
    try:
        if address is not None:
            _post_pinned(url, payload, headers, address)
        else:
            if urlsplit(url).scheme not in ("http", "https"):
                raise ChannelError("webhook URL is not http(s)", transient=False)
            request = urllib.request.Request(url, data=payload, method="POST", headers=headers)  # noqa: S310 (scheme checked above)
            with _OPENER.open(request, timeout=10) as response:
                response.read()
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"HTTP {exc.code}", transient=exc.code >= 500 or exc.code == 429) from exc
    except (TimeoutError, urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        raise ChannelError(type(exc).__name__) from exc


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A webhook answer that redirects is an error, not a second request somewhere else."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


CHANNELS = {"email": send_email, "webhook": send_webhook, "integration": send_integration}
