"""The notification outbox.

A Notification row is written in the same transaction as the business change that causes it
(a status change, a reminder, an escalation); a Celery task delivers it after commit. ``key`` is
unique, so the same message can never be queued twice, and the delivery state (with attempts and
the last error) is kept on the row, so it is never sent twice and staff can see what happened.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook (SMS/WhatsApp)")


class Audience(models.TextChoices):
    CITIZEN = "citizen", _("Pelapor")
    STAFF = "staff", _("Petugas")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Menunggu dikirim")
    SENT = "sent", _("Terkirim")
    FAILED = "failed", _("Gagal")


class Notification(models.Model):
    """One message to one recipient over one channel."""

    key = models.CharField(_("kunci"), max_length=200, unique=True)
    kind = models.CharField(_("jenis"), max_length=40)
    channel = models.CharField(_("kanal"), max_length=10, choices=Channel.choices)
    audience = models.CharField(_("penerima"), max_length=10, choices=Audience.choices)
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
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"
