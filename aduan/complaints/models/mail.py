"""Complaints that arrive by e-mail (complaints.mailbox reads, complaints.mail_intake files).

Mailbox: one IMAP mailbox a Pemda receives complaints in (host, port, TLS, user, folder). The
password is never stored: ``password_env`` names the environment variable that holds it (only names
starting with ``ADUAN_MAIL_``, so the settings cannot point at another secret of the server).
``last_uid`` / ``uid_validity`` remember how far the mailbox was read.

InboundEmail: every message read, once per mailbox and Message-ID (a message without one is keyed by
the SHA-256 of its bytes): what became of it (a new complaint, the reporter's reply on one, or kept
for the koordinator because it could not be used). The raw bytes are kept for those the koordinator
must see, never for the filed ones (their text is the complaint; no copy escapes retention), and
the sender and subject only for those too.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aduan.agencies.models import Pemda
from aduan.core.models import TimeStampedModel

from .complaint import Complaint

PASSWORD_ENV_RE = re.compile(r"^ADUAN_MAIL_[A-Z0-9_]{1,60}$")


class MailboxSecurity(models.TextChoices):
    SSL = "ssl", _("TLS (IMAPS, biasanya port 993)")
    STARTTLS = "starttls", _("STARTTLS (biasanya port 143)")
    NONE = "none", _("Tanpa enkripsi (hanya untuk server di mesin ini)")


class Mailbox(TimeStampedModel):
    pemda = models.ForeignKey(Pemda, on_delete=models.PROTECT, related_name="+", verbose_name=_("pemda"))
    host = models.CharField(_("server IMAP"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("keamanan"), max_length=10, choices=MailboxSecurity.choices, default=MailboxSecurity.SSL
    )
    username = models.CharField(_("nama pengguna"), max_length=200)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    password_env = models.CharField(
        _("variabel lingkungan sandi"),
        max_length=80,
        help_text=_("Nama variabel lingkungan yang berisi sandi, mis. ADUAN_MAIL_PASSWORD_BPN."),
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    uid_validity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(_("UID terakhir dibaca"), default=0, editable=False)
    last_polled_at = models.DateTimeField(_("terakhir dibaca"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("galat terakhir"), max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("kotak surat aduan")
        verbose_name_plural = _("kotak surat aduan")
        constraints = [
            models.UniqueConstraint(fields=["host", "username", "folder"], name="mailbox_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.username} @ {self.host} ({self.folder})"

    def clean(self) -> None:
        super().clean()
        if self.password_env and not PASSWORD_ENV_RE.match(self.password_env):
            raise ValidationError(
                {"password_env": _("Nama variabel harus diawali ADUAN_MAIL_ (huruf besar, angka, _).")}
            )


class InboundOutcome(models.TextChoices):
    FILED = "filed", _("Diajukan sebagai aduan")
    REPLY = "reply", _("Tanggapan pelapor pada aduan")
    UNREADABLE = "unreadable", _("Tidak dapat diproses")


class UnreadableReason(models.TextChoices):
    BROKEN = "broken", _("Struktur pesan rusak")
    NO_SENDER = "no_sender", _("Alamat pengirim tidak terbaca")
    NO_TEXT = "no_text", _("Tidak ada teks yang dapat dibaca")
    TOO_LARGE = "too_large", _("Pesan terlalu besar untuk diunduh")
    AUTOMATIC = "automatic", _("Pesan otomatis (balasan otomatis, pemberitahuan gagal kirim)")
    NOT_AWAITING = "not_awaiting", _("Tanggapan atas aduan yang tidak sedang menunggu jawaban pelapor")
    REFUSED = "refused", _("Ditolak oleh pemeriksaan aduan")


class InboundEmail(models.Model):
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.PROTECT, related_name="messages", verbose_name=_("kotak surat")
    )
    pemda = models.ForeignKey(Pemda, on_delete=models.PROTECT, related_name="+", verbose_name=_("pemda"))
    message_id = models.CharField(_("Message-ID"), max_length=255)
    received_at = models.DateTimeField(_("dibaca"))
    outcome = models.CharField(_("hasil"), max_length=12, choices=InboundOutcome.choices)
    reason = models.CharField(_("alasan"), max_length=20, choices=UnreadableReason.choices, blank=True)
    detail = models.CharField(_("keterangan"), max_length=300, blank=True)
    complaint = models.ForeignKey(
        Complaint, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("aduan")
    )
    sender = models.CharField(_("pengirim"), max_length=254, blank=True)
    subject = models.CharField(_("subjek"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("ukuran (bita)"), default=0)
    raw = models.BinaryField(_("pesan asli"), blank=True, default=b"")
    handled_at = models.DateTimeField(_("ditangani"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ditangani oleh"),
    )

    class Meta:
        verbose_name = _("surel masuk")
        verbose_name_plural = _("surel masuk")
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "message_id"], name="inbound_email_unique"),
        ]
        indexes = [
            models.Index(
                fields=["pemda", "received_at"],
                name="inbound_email_unhandled",
                condition=Q(outcome="unreadable", handled_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.outcome})"
