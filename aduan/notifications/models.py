"""The notification outbox.

A Notification row is written in the same transaction as the business change that causes it
(a status change, a reminder, an escalation); a Celery task delivers it after commit. ``key`` is
unique, so the same message can never be queued twice, and the delivery state (with attempts and
the last error) is kept on the row, so it is never sent twice and staff can see what happened.

A WebhookEndpoint is an HTTPS address a Pemda registers for its integrations: every accepted move
on one of its complaints is queued in the outbox as a signed JSON event (ids, ticket number,
status, OPD, times; never personal data) and delivered with the outbox's retries.
"""

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aduan.core.models import TimeStampedModel


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook (SMS/WhatsApp)")
    INTEGRATION = "integration", _("Webhook integrasi pemda")


class Audience(models.TextChoices):
    CITIZEN = "citizen", _("Pelapor")
    STAFF = "staff", _("Petugas")
    INTEGRATION = "integration", _("Sistem terintegrasi")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Menunggu dikirim")
    SENT = "sent", _("Terkirim")
    FAILED = "failed", _("Gagal")


class Notification(models.Model):
    """One message to one recipient over one channel."""

    key = models.CharField(_("kunci"), max_length=200, unique=True)
    kind = models.CharField(_("jenis"), max_length=40)
    channel = models.CharField(_("kanal"), max_length=20, choices=Channel.choices)
    audience = models.CharField(_("penerima"), max_length=20, choices=Audience.choices)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("aduan"),
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    address = models.CharField(_("alamat"), max_length=254)
    language = models.CharField(_("bahasa"), max_length=5, default="id")
    context = models.JSONField(_("isi"), default=dict, blank=True)
    state = models.CharField(
        _("status pengiriman"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    created_at = models.DateTimeField(_("dibuat"))
    next_attempt_at = models.DateTimeField(_("coba lagi pada"), null=True, blank=True)
    sent_at = models.DateTimeField(_("terkirim pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="notification_pending", condition=Q(state="pending")
            ),
            # Readiness and the outbox gauge count the given-up ones (aduan/ops/figures.py).
            models.Index(fields=["created_at"], name="notification_failed", condition=Q(state="failed")),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def webhook_url_allowed(url: str) -> bool:
    """HTTPS only; plain http:// to this machine only when ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK is on
    (tests, local development) — never because of DEBUG alone."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if not host or parts.username or parts.password:
        return False
    allow_loopback = bool(settings.ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK)
    if parts.scheme == "https":
        return host_is_public(host) or (allow_loopback and host in LOOPBACK_HOSTS)
    return parts.scheme == "http" and host in LOOPBACK_HOSTS and allow_loopback


def host_is_public(host: str, *, resolve: bool = False) -> bool:
    """False for an address inside this network (loopback, private, link-local, reserved...): a
    webhook must not make the server call its own neighbours. Names are resolved only when
    ``resolve`` (at sending time); an unresolvable name is not public."""
    import ipaddress
    import socket

    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        if host.lower() in LOOPBACK_HOSTS or host.lower().endswith((".localhost", ".local", ".internal")):
            return False
        if not resolve:
            return True
        try:
            infos = socket.getaddrinfo(host, None)
        except OSError:
            return False
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    return bool(addresses) and all(a.is_global for a in addresses)


def new_webhook_secret() -> str:
    return secrets.token_hex(32)


class WebhookEndpoint(TimeStampedModel):
    """An address where a Pemda's integration receives signed JSON events about its complaints
    (``X-Aduan-Signature: sha256=<HMAC of "<timestamp>.<body>" with ``secret``>``)."""

    pemda = models.ForeignKey(
        "agencies.Pemda", on_delete=models.CASCADE, related_name="webhook_endpoints", verbose_name=_("pemda")
    )
    url = models.URLField(_("alamat"), max_length=254, help_text=_("Harus HTTPS."))
    secret = models.CharField(_("kunci tanda tangan"), max_length=64, default=new_webhook_secret)
    description = models.CharField(_("keterangan"), max_length=200, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("webhook integrasi")
        verbose_name_plural = _("webhook integrasi")
        ordering = ["pemda", "pk"]

    def __str__(self) -> str:
        return f"{self.pemda_id}: {self.url}"

    def clean(self) -> None:
        super().clean()
        if self.url and not webhook_url_allowed(self.url):
            raise ValidationError({"url": _("Alamat webhook harus HTTPS.")})
