"""How a complaint received off-line was recorded (staff intake, SP4N-LAPOR!): one row per such
complaint, next to it. The complaint's ``submitted_at`` is the moment it was really received (the
clocks start then); this row keeps when and by whom it was typed in, why late, and the SP4N-LAPOR!
tracking number, unique per Pemda."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aduan.agencies.models import Pemda

from .complaint import ActorRole, Complaint


class IntakeRecord(models.Model):
    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, primary_key=True, related_name="intake", verbose_name=_("aduan")
    )
    pemda = models.ForeignKey(Pemda, on_delete=models.PROTECT, related_name="+", verbose_name=_("pemda"))
    recorded_at = models.DateTimeField(_("dicatat"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dicatat oleh"),
    )
    recorded_role = models.CharField(_("peran pencatat"), max_length=20, choices=ActorRole.choices)
    late_reason = models.TextField(_("alasan terlambat dicatat"), blank=True, max_length=1000)
    lapor_number = models.CharField(_("nomor SP4N-LAPOR!"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("pencatatan aduan")
        verbose_name_plural = _("pencatatan aduan")
        constraints = [
            models.UniqueConstraint(
                fields=["pemda", "lapor_number"], condition=~Q(lapor_number=""), name="intake_lapor_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.lapor_number or self.recorded_role}"


class GatewayMessage(models.Model):
    """A message an SMS/WhatsApp gateway delivered (complaints.gateway), once per gateway message
    id and Pemda: a gateway that delivers it again gets the same answer and nothing is stored twice."""

    pemda = models.ForeignKey(Pemda, on_delete=models.PROTECT, related_name="+", verbose_name=_("pemda"))
    message_id = models.CharField(_("ID pesan gateway"), max_length=100)
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="+", verbose_name=_("aduan")
    )
    created = models.BooleanField(_("aduan baru"))
    received_at = models.DateTimeField(_("diterima"))

    class Meta:
        verbose_name = _("pesan gateway")
        verbose_name_plural = _("pesan gateway")
        constraints = [
            models.UniqueConstraint(fields=["pemda", "message_id"], name="gateway_message_unique"),
        ]

    def __str__(self) -> str:
        return self.message_id
