"""Complaints taken to the Ombudsman (Perwakilan Ombudsman RI of the Pemda's province).

- OmbudsmanReport: one per complaint (unique), sent by the reporter from the tracking page with a
  reason, the ground that made it eligible (``eligibility.py``) and whether they consent to share
  their identity with the Ombudsman (never for an anonim complaint).
- ClarificationRequest: the Ombudsman's *permintaan klarifikasi* to the Pemda; its 14-calendar-day
  clock is an ``sla.Deadline`` of stage ``clarification`` (swept with every other clock), stopped
  by the Pemda's answer. At most one open request per report.
- CorrectiveAction: what the Ombudsman's closing finding asks the Pemda to do, with a due date;
  the koordinator marks it done with a note. Done on time feeds the compliance input
  "tindak lanjut temuan Ombudsman" (``aduan/compliance/ombudsman_followup.py``).

Written by ``services.py`` only (row locks), read through ``selectors.py`` (scoped by role).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aduan.core.models import TimeStampedModel

REASON_MAX_LENGTH = 5000


class Ground(models.TextChoices):
    """Why a complaint may be taken to the Ombudsman (``eligibility.ombudsman_grounds``)."""

    ARCHIVED = "archived", _("Aduan diarsipkan")
    FORWARDED_OUT = "forwarded_out", _("Aduan diteruskan ke instansi lain")
    REJECTED_TWICE = "rejected_twice", _("Jawaban OPD ditolak dua kali")
    OVERDUE = "overdue", _("Melewati batas waktu penyelesaian 60 hari")


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Diterima Ombudsman")
    CLARIFICATION = "clarification", _("Menunggu klarifikasi Pemda")
    ANSWERED = "answered", _("Klarifikasi dijawab")
    CLOSED = "closed", _("Selesai diperiksa")


OPEN_REPORT_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.CLARIFICATION, ReportStatus.ANSWERED)


class Finding(models.TextChoices):
    MALADMINISTRATION = "maladministrasi", _("Ditemukan maladministrasi")
    NONE = "tidak_ditemukan", _("Tidak ditemukan maladministrasi")


class OmbudsmanReport(TimeStampedModel):
    """A complaint the reporter took to their province's Ombudsman (one per complaint)."""

    complaint = models.OneToOneField(
        "complaints.Complaint",
        on_delete=models.PROTECT,
        related_name="ombudsman_report",
        verbose_name=_("aduan"),
    )
    province = models.ForeignKey(
        "agencies.Province",
        on_delete=models.PROTECT,
        related_name="ombudsman_reports",
        verbose_name=_("provinsi"),
    )
    ground = models.CharField(_("dasar"), max_length=20, choices=Ground.choices)
    reason = models.TextField(_("alasan pelapor"), max_length=REASON_MAX_LENGTH)
    identity_shared = models.BooleanField(
        _("identitas boleh dibuka untuk Ombudsman"),
        default=False,
        help_text=_("Persetujuan pelapor; selalu tidak untuk aduan anonim."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("dikirim"))
    finding = models.CharField(_("temuan"), max_length=20, choices=Finding.choices, blank=True)
    finding_note = models.TextField(_("uraian temuan"), blank=True)
    closed_at = models.DateTimeField(_("ditutup"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("laporan ke Ombudsman")
        verbose_name_plural = _("laporan ke Ombudsman")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["province", "status"], name="omb_report_province_status")]
        constraints = [
            models.CheckConstraint(
                name="omb_report_closed_has_finding",
                condition=(
                    Q(status=ReportStatus.CLOSED, closed_at__isnull=False) & ~Q(finding="")
                    | ~Q(status=ReportStatus.CLOSED) & Q(closed_at__isnull=True, finding="")
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} → Ombudsman ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REPORT_STATUSES


class ClarificationRequest(models.Model):
    """The Ombudsman's request for clarification to the Pemda and the Pemda's answer. Its clock is
    ``deadline`` (sla stage ``clarification``: 14 calendar days, reminder, escalation)."""

    report = models.ForeignKey(
        OmbudsmanReport, on_delete=models.CASCADE, related_name="clarifications", verbose_name=_("laporan")
    )
    question = models.TextField(_("permintaan klarifikasi"), max_length=REASON_MAX_LENGTH)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("diminta"))
    deadline = models.ForeignKey(
        "sla.Deadline", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(_("jawaban Pemda"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("dijawab"), null=True, blank=True)

    class Meta:
        verbose_name = _("permintaan klarifikasi")
        verbose_name_plural = _("permintaan klarifikasi")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report"], condition=Q(answered_at__isnull=True), name="omb_one_open_clarification"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} klarifikasi {self.requested_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class CorrectiveAction(models.Model):
    """One corrective action of a closing finding, due on a date; done by the Pemda with a note."""

    report = models.ForeignKey(
        OmbudsmanReport, on_delete=models.CASCADE, related_name="actions", verbose_name=_("laporan")
    )
    description = models.TextField(_("tindakan korektif"), max_length=2000)
    due_date = models.DateField(_("batas waktu"))
    created_at = models.DateTimeField(_("dibuat"))
    done_at = models.DateTimeField(_("dilaksanakan"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_note = models.TextField(_("catatan pelaksanaan"), blank=True)

    class Meta:
        verbose_name = _("tindakan korektif")
        verbose_name_plural = _("tindakan korektif")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["due_date"], name="omb_action_due")]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.description[:40]} ≤ {self.due_date}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
