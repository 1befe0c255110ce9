"""What citizens say about a complaint: "+1" supports, the reporter's rating and the SKM survey
(PermenPANRB 14/2017, nine elements scored 1–4)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .complaint import Complaint


class ComplaintSupport(models.Model):
    """A "+1": someone with the same problem supports an open complaint instead of filing a new
    one. ``supporter_key`` is a keyed hash of the browser session (no personal data), unique per
    complaint so one visitor counts once."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="supports")
    supporter_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("dukungan")
        verbose_name_plural = _("dukungan")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "supporter_key"], name="support_once_per_supporter"),
        ]

    def __str__(self) -> str:
        return f"+1 {self.complaint_id}"


class ComplaintRating(models.Model):
    """The reporter's rating of how the complaint was handled, given once after resolution."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, primary_key=True, related_name="rating"
    )
    score = models.PositiveSmallIntegerField(
        _("nilai"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("komentar"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("waktu"), default=timezone.now)

    class Meta:
        verbose_name = _("penilaian")
        verbose_name_plural = _("penilaian")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.score}/5"


SKM_ELEMENTS = (
    ("u1", _("Persyaratan")),
    ("u2", _("Sistem, mekanisme, dan prosedur")),
    ("u3", _("Waktu penyelesaian")),
    ("u4", _("Biaya/tarif")),
    ("u5", _("Produk spesifikasi jenis pelayanan")),
    ("u6", _("Kompetensi pelaksana")),
    ("u7", _("Perilaku pelaksana")),
    ("u8", _("Penanganan pengaduan, saran, dan masukan")),
    ("u9", _("Sarana dan prasarana")),
)


def _skm_field(label):
    return models.PositiveSmallIntegerField(label, validators=[MinValueValidator(1), MaxValueValidator(4)])


class SkmResponse(models.Model):
    """One Survei Kepuasan Masyarakat answer (PermenPANRB 14/2017): nine elements, each 1–4."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, primary_key=True, related_name="skm"
    )
    u1 = _skm_field(SKM_ELEMENTS[0][1])
    u2 = _skm_field(SKM_ELEMENTS[1][1])
    u3 = _skm_field(SKM_ELEMENTS[2][1])
    u4 = _skm_field(SKM_ELEMENTS[3][1])
    u5 = _skm_field(SKM_ELEMENTS[4][1])
    u6 = _skm_field(SKM_ELEMENTS[5][1])
    u7 = _skm_field(SKM_ELEMENTS[6][1])
    u8 = _skm_field(SKM_ELEMENTS[7][1])
    u9 = _skm_field(SKM_ELEMENTS[8][1])
    created_at = models.DateTimeField(_("waktu"), default=timezone.now)

    class Meta:
        verbose_name = _("survei kepuasan")
        verbose_name_plural = _("survei kepuasan")
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{name}__gte": 1 for name, _l in SKM_ELEMENTS})
                & Q(**{f"{name}__lte": 4 for name, _l in SKM_ELEMENTS}),
                name="skm_answers_1_4",
            ),
        ]

    def __str__(self) -> str:
        return f"SKM {self.complaint_id}"
