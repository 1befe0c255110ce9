"""Staff tools on complaints: canned responses and flags."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.agencies.models import Opd
from aduan.core.models import TimeStampedModel

from .complaint import Complaint


class CannedResponse(TimeStampedModel):
    """A ready-made follow-up text an OPD keeps for common answers; staff edit it before posting."""

    opd = models.ForeignKey(
        Opd, on_delete=models.CASCADE, related_name="canned_responses", verbose_name=_("OPD")
    )
    title = models.CharField(_("judul"), max_length=120)
    body = models.TextField(_("isi"), max_length=5000)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("jawaban siap pakai")
        verbose_name_plural = _("jawaban siap pakai")
        ordering = ["opd", "title"]
        constraints = [models.UniqueConstraint(fields=["opd", "title"], name="canned_response_unique_title")]

    def __str__(self) -> str:
        return self.title


class ComplaintFlag(models.Model):
    """ "Dipantau Ombudsman": an Ombudsman officer marks a complaint as monitored, with a note the
    Pemda and the OPD see. At most one open flag per complaint; clearing it keeps the row."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="flags", verbose_name=_("aduan")
    )
    note = models.TextField(_("catatan pemantauan"), max_length=2000)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("ditandai oleh")
    )
    created_at = models.DateTimeField(_("ditandai"), default=timezone.now)
    cleared_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dicabut oleh"),
    )

    class Meta:
        verbose_name = _("pemantauan Ombudsman")
        verbose_name_plural = _("pemantauan Ombudsman")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"], condition=Q(cleared_at__isnull=True), name="complaint_one_open_flag"
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.note[:40]}"
