"""Personal-data protection (UU 27/2022 Pelindungan Data Pribadi).

- RetentionRun: one row per run of the retention job — when it ran, the retention days it applied
  and how many rows of each data class it anonymised, purged or scrubbed. Counts and times only,
  never personal data, so the record itself can be kept for good.
- ErasureRequest: a reporter's request, made through the tracking link, that their personal data
  be erased; the koordinator of the complaint's Pemda approves (the identity is anonymised and the
  reporter's files purged at once) or rejects it with a reason. At most one pending per complaint.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RetentionRun(models.Model):
    """What one run of the retention job did (``services.retention_apply``)."""

    started_at = models.DateTimeField(_("mulai"), default=timezone.now)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    retention_days = models.JSONField(_("masa retensi (hari)"), default=dict)
    identities_anonymised = models.PositiveIntegerField(_("identitas dianonimkan"), default=0)
    attachments_purged = models.PositiveIntegerField(_("berkas lampiran dihapus"), default=0)
    outbox_scrubbed = models.PositiveIntegerField(_("alamat notifikasi dihapus"), default=0)

    class Meta:
        verbose_name = _("pelaksanaan retensi")
        verbose_name_plural = _("pelaksanaan retensi")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} UTC"


class ErasureStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu keputusan")
    APPROVED = "approved", _("Disetujui, data dihapus")
    REJECTED = "rejected", _("Ditolak")


class ErasureRequest(models.Model):
    """A reporter's request to erase their personal data from one complaint (hak penghapusan)."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.CASCADE,
        related_name="erasure_requests",
        verbose_name=_("aduan"),
    )
    reason = models.TextField(_("alasan"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=ErasureStatus.choices, default=ErasureStatus.PENDING
    )
    created_at = models.DateTimeField(_("diajukan"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diputuskan oleh"),
    )
    decided_at = models.DateTimeField(_("diputuskan"), null=True, blank=True)
    decision_note = models.TextField(_("catatan keputusan"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("permintaan penghapusan data")
        verbose_name_plural = _("permintaan penghapusan data")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"], condition=Q(status="pending"), name="erasure_one_pending_per_complaint"
            ),
            models.CheckConstraint(
                name="erasure_decided_iff_not_pending",
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="erasure_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.status}"
