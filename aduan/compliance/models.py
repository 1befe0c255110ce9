"""Compliance: the Ombudsman's assessment method as data, what was entered for it, and scores.

- Methodology: one assessment method (dimensions, variables, indicators, weights, category bands,
  zones, Pengaduan thresholds) as a validated JSON definition, applying to a range of years. A new
  year's method is a new row added in the admin; saving refuses weights that do not sum to 100.
- AssessmentEntry: an input typed by a person (append-only; the latest row per key counts):
  Ombudsman staff enter indicator scores, dimension scores, or — for years before Aduan held the
  complaints — the metric values the Pemda reported.
- EvidenceItem: a document the Pemda's koordinator records for the Pengaduan dimension (SK, SOP,
  training, published channels, reports, SP4N-LAPOR! integration, follow-up of Ombudsman findings).
- ComplianceScore: an immutable snapshot of one computed score with every input and the method's
  definition, so it can be explained and reproduced. Publishing marks it official; nothing else
  ever changes it — new inputs make a new snapshot.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.core.history import config_history

from .scoring import EVIDENCE_KINDS, DefinitionError, validate_definition


@config_history()
class Methodology(models.Model):
    """One assessment method, applying from ``year_from`` to ``year_to`` (empty: until replaced)."""

    code = models.SlugField(_("kode"), max_length=30, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    year_from = models.PositiveSmallIntegerField(_("berlaku mulai tahun"), unique=True)
    year_to = models.PositiveSmallIntegerField(
        _("berlaku sampai tahun"), null=True, blank=True, help_text=_("Kosongkan bila masih berlaku.")
    )
    basis = models.TextField(_("dasar hukum / catatan"), blank=True)
    definition = models.JSONField(
        _("definisi"),
        help_text=_(
            "Dimensi (kode, nama, bobot), variabel, indikator (sumber: entered, metric, evidence), "
            "rentang kategori dan zona. Jumlah bobot harus tepat 100."
        ),
    )
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("metodologi penilaian")
        verbose_name_plural = _("metodologi penilaian")
        ordering = ["year_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year_to__isnull=True) | Q(year_to__gte=models.F("year_from")),
                name="methodology_years_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Refused on every save, not only in forms: a method that cannot be scored never exists.
        try:
            validate_definition(self.definition)
        except DefinitionError as exc:
            raise ValidationError({"definition": exc.messages}) from None
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        try:
            validate_definition(self.definition)
        except DefinitionError as exc:
            raise ValidationError({"definition": exc.messages}) from None
        if self.year_to is not None and self.year_from and self.year_to < self.year_from:
            raise ValidationError({"year_to": _("Tahun akhir tidak boleh sebelum tahun mulai.")})
        if self.year_from:
            overlapping = Methodology.objects.exclude(pk=self.pk).filter(
                Q(year_to__isnull=True) | Q(year_to__gte=self.year_from)
            )
            if self.year_to is not None:
                overlapping = overlapping.filter(year_from__lte=self.year_to)
            # An open-ended older method simply ends where this one starts.
            clash = [m for m in overlapping if not (m.year_to is None and m.year_from < self.year_from)]
            if clash:
                raise ValidationError(
                    _("Rentang tahun bertumpang tindih dengan metodologi %(name)s.") % {"name": clash[0].name}
                )

    def covers(self, year: int) -> bool:
        return self.year_from <= year and (self.year_to is None or year <= self.year_to)


class EntryKind(models.TextChoices):
    INDICATOR = "indicator", _("Nilai indikator (0–3)")
    DIMENSION = "dimension", _("Nilai dimensi (0–100)")
    METRIC = "metric", _("Angka metrik yang dilaporkan")


class AssessmentEntry(models.Model):
    """One value typed by a person for a Pemda's assessment year (append-only: a correction is a
    new row; the latest per Pemda, year, kind and code counts; an empty value clears it)."""

    pemda = models.ForeignKey(
        "agencies.Pemda", on_delete=models.CASCADE, related_name="assessment_entries", verbose_name=_("pemda")
    )
    year = models.PositiveSmallIntegerField(_("tahun penilaian"))
    kind = models.CharField(_("jenis"), max_length=20, choices=EntryKind.choices)
    code = models.CharField(_("kode"), max_length=60)
    value = models.DecimalField(_("nilai"), max_digits=7, decimal_places=3, null=True, blank=True)
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("diisi oleh"),
    )  # fmt: skip
    entered_at = models.DateTimeField(_("diisi pada"), default=timezone.now)

    class Meta:
        verbose_name = _("isian penilaian")
        verbose_name_plural = _("isian penilaian")
        ordering = ["pemda", "year", "entered_at", "pk"]
        indexes = [models.Index(fields=["pemda", "year", "entered_at"], name="entry_pemda_year")]

    def __str__(self) -> str:
        return f"{self.pemda_id}/{self.year} {self.kind}:{self.code}={self.value}"


class EvidenceKind(models.TextChoices):
    SK_PENGELOLA = "sk_pengelola", _("SK pengelola pengaduan")
    SOP = "sop", _("SOP pengaduan dengan batas waktu")
    PELATIHAN = "pelatihan", _("Pelatihan petugas pengaduan")
    KANAL_PUBLIKASI = "kanal_publikasi", _("Kanal pengaduan dan penanggung jawab dipublikasikan")
    LAPORAN_BERKALA = "laporan_berkala", _("Laporan berkala pengelolaan pengaduan")
    INTEGRASI_LAPOR = "integrasi_lapor", _("Integrasi dengan SP4N-LAPOR!")
    TINDAK_LANJUT_OMBUDSMAN = "tindak_lanjut_ombudsman", _("Tindak lanjut temuan Ombudsman (LAHP, saran)")


assert {k.value for k in EvidenceKind} == set(EVIDENCE_KINDS)  # scoring and models agree


def evidence_path(instance: "EvidenceItem", filename: str) -> str:
    return f"compliance/evidence/{instance.pemda_id}/{secrets.token_hex(16)}"


class EvidenceItem(models.Model):
    """A document proving one Pengaduan indicator, recorded by the Pemda's koordinator."""

    pemda = models.ForeignKey(
        "agencies.Pemda", on_delete=models.CASCADE, related_name="evidence_items", verbose_name=_("pemda")
    )
    kind = models.CharField(_("jenis bukti"), max_length=40, choices=EvidenceKind.choices)
    title = models.CharField(_("judul / nomor dokumen"), max_length=200)
    document_date = models.DateField(_("tanggal dokumen"))
    file = models.FileField(_("berkas"), upload_to=evidence_path)
    original_name = models.CharField(_("nama berkas asli"), max_length=255)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("dicatat oleh"),
    )  # fmt: skip
    recorded_at = models.DateTimeField(_("dicatat pada"), default=timezone.now)

    class Meta:
        verbose_name = _("bukti pengelolaan pengaduan")
        verbose_name_plural = _("bukti pengelolaan pengaduan")
        ordering = ["pemda", "-document_date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title} ({self.document_date:%Y-%m-%d})"


class SnapshotQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if set(kwargs) - {"published_at", "published_by"}:
            raise TypeError("ComplianceScore snapshots are immutable; compute a new one.")
        return super().update(**kwargs)

    def delete(self):
        raise TypeError("ComplianceScore snapshots are never deleted.")


class ComplianceScore(models.Model):
    """A computed score of a Pemda for an assessment year, with everything needed to reproduce it:
    the methodology's definition as it was, the inputs (entries, metrics per Pemda and OPD,
    evidence) and the result (dimensions, indicators, OPD Pengaduan scores). Immutable; publishing
    only sets ``published_at`` once."""

    pemda = models.ForeignKey(
        "agencies.Pemda", on_delete=models.PROTECT, related_name="compliance_scores", verbose_name=_("pemda")
    )
    year = models.PositiveSmallIntegerField(_("tahun penilaian"))
    methodology = models.ForeignKey(
        Methodology, on_delete=models.PROTECT, related_name="scores", verbose_name=_("metodologi")
    )
    definition = models.JSONField(_("definisi metodologi saat dihitung"))
    inputs = models.JSONField(_("masukan"))
    result = models.JSONField(_("hasil"))
    input_hash = models.CharField(_("sidik masukan"), max_length=64, db_index=True)
    total = models.DecimalField(_("nilai"), max_digits=5, decimal_places=2)
    category = models.CharField(_("kategori"), max_length=5, blank=True)
    opinion = models.CharField(_("opini"), max_length=100, blank=True)
    zone = models.CharField(_("zona"), max_length=20, blank=True)
    computed_at = models.DateTimeField(_("dihitung pada"), default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("dihitung oleh"), help_text=_("Kosong: dihitung otomatis oleh sistem."),
    )  # fmt: skip
    published_at = models.DateTimeField(_("ditetapkan resmi pada"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("ditetapkan oleh"),
    )  # fmt: skip

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("nilai kepatuhan")
        verbose_name_plural = _("nilai kepatuhan")
        ordering = ["pemda", "year", "-computed_at", "-pk"]
        indexes = [models.Index(fields=["pemda", "year", "-computed_at"], name="score_pemda_year")]

    def __str__(self) -> str:
        return f"{self.pemda} {self.year}: {self.total} {self.category}".strip()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("ComplianceScore snapshots are immutable; compute a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("ComplianceScore snapshots are never deleted.")

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
