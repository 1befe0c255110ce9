"""Attachments: photos and documents of a complaint (files re-encoded and scanned by
``aduan.complaints.attachments``)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .complaint import Complaint


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name never contains what the citizen typed; the original is kept in a column.
    return f"complaints/{instance.complaint_id}/{secrets.token_hex(16)}"


class ScanStatus(models.TextChoices):
    """Uploads stay in quarantine (not served) until the scanner hook calls them clean."""

    PENDING = "pending", _("menunggu pemindaian")
    CLEAN = "clean", _("bersih")
    INFECTED = "infected", _("terinfeksi (dikarantina)")
    ERROR = "error", _("gagal dipindai")


class Attachment(models.Model):
    """A photo or document attached to a complaint (by the citizen) or to a follow-up (by staff)."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("aduan")
    )
    file = models.FileField(_("berkas"), upload_to=attachment_path)
    original_name = models.CharField(_("nama asli"), max_length=255)
    content_type = models.CharField(_("jenis isi"), max_length=100)
    size = models.PositiveIntegerField(_("ukuran (bita)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_internal = models.BooleanField(
        _("internal"), default=False, help_text=_("Tidak terlihat oleh pelapor.")
    )
    created_at = models.DateTimeField(_("diunggah"), default=timezone.now)
    scan_status = models.CharField(
        _("hasil pemindaian"),
        max_length=20,
        choices=ScanStatus.choices,
        default=ScanStatus.PENDING,
        editable=False,
    )
    scan_detail = models.CharField(_("keterangan pemindaian"), max_length=200, blank=True, editable=False)
    scanned_at = models.DateTimeField(_("dipindai"), null=True, blank=True, editable=False)
    purged_at = models.DateTimeField(
        _("berkas dihapus"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Berkas dihapus karena masa retensi habis, permintaan penghapusan, atau virus."),
    )

    class Meta:
        verbose_name = _("lampiran")
        verbose_name_plural = _("lampiran")
        ordering = ["created_at", "pk"]
        indexes = [
            # The rescan job's look-up of what is still in quarantine (a few rows among millions).
            models.Index(
                fields=["scanned_at", "created_at"],
                condition=Q(scan_status__in=["pending", "error"], purged_at__isnull=True),
                name="attachment_scan_due",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name
