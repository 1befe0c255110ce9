"""Who is who: provinces, local governments (Pemda), their agencies (OPD) and staff roles.

A StaffMembership ties a user to the place where they act: a koordinator or a petugas loket (front
desk, records complaints received off-line) to a Pemda, a petugas or
kepala OPD to an OPD, an Ombudsman officer to a province. Selectors and the workflow read these
rows to decide what a user may see and do; nothing else grants access to complaints.

Kecamatan and Kelurahan are a Pemda's own list of areas (loaded by ``areas.areas_load``, the
``load_areas`` command or the admin): a complaint is placed in a kelurahan, its kecamatan follows.
"""

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from aduan.core.history import config_history
from aduan.core.models import TimeStampedModel, coordinate_field


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s bukan zona waktu IANA yang dikenal."), params={"value": value})


class Province(TimeStampedModel):
    """A province; the Ombudsman's regional offices (Perwakilan) work per province."""

    name = models.CharField(_("nama"), max_length=100, unique=True)
    code = models.CharField(
        _("kode"), max_length=10, unique=True, help_text=_("Mis. KT untuk Kalimantan Timur.")
    )

    class Meta:
        verbose_name = _("provinsi")
        verbose_name_plural = _("provinsi")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@config_history(
    model_name="PemdaEvent",
    fields=[
        *("name", "code", "timezone", "reopen_window_days", "two_factor_required"),
        *("map_latitude", "map_longitude", "map_zoom"),
    ],
)
class Pemda(TimeStampedModel):
    """A local government (Pemkot, Pemkab or Pemprov) that runs a complaint service."""

    class Kind(models.TextChoices):
        KOTA = "kota", _("Pemerintah Kota")
        KABUPATEN = "kabupaten", _("Pemerintah Kabupaten")
        PROVINSI = "provinsi", _("Pemerintah Provinsi")

    name = models.CharField(_("nama"), max_length=150, unique=True)
    code = models.CharField(
        _("kode singkat"),
        max_length=10,
        unique=True,
        help_text=_("Awalan nomor tiket, mis. BPN untuk Balikpapan (huruf besar dan angka)."),
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="pemdas", verbose_name=_("provinsi")
    )
    timezone = models.CharField(
        _("zona waktu"), max_length=50, default="Asia/Jakarta", validators=[validate_timezone]
    )
    reopen_window_days = models.PositiveSmallIntegerField(
        _("batas buka kembali (hari)"),
        default=30,
        help_text=_("Berapa hari kalender setelah selesai pelapor masih dapat membuka kembali aduannya."),
    )
    two_factor_required = models.BooleanField(
        _("wajib verifikasi dua langkah"),
        default=False,
        help_text=_("Koordinator dan staf Ombudsman wajib masuk dengan kode TOTP."),
    )
    # Where the maps of this Pemda open (the filing form's pin, a complaint without one); empty:
    # ADUAN_MAP_CENTER, the whole country.
    map_latitude = coordinate_field(
        "latitude",
        _("lintang pusat peta"),
        help_text=_("Peta formulir aduan dibuka di sini, mis. -1.2654 untuk Balikpapan. Isi bersama bujur."),
    )
    map_longitude = coordinate_field(
        "longitude", _("bujur pusat peta"), help_text=_("Mis. 116.8312 untuk Balikpapan.")
    )
    map_zoom = models.PositiveSmallIntegerField(
        _("perbesaran peta"),
        default=12,
        validators=[MinValueValidator(3), MaxValueValidator(18)],
        help_text=_("12 memperlihatkan satu kota, 10 satu kabupaten."),
    )

    class Meta:
        verbose_name = _("pemerintah daerah")
        verbose_name_plural = _("pemerintah daerah")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[A-Z0-9]{2,10}$"), name="pemda_code_format"),
            models.CheckConstraint(
                condition=Q(map_latitude__isnull=True, map_longitude__isnull=True)
                | Q(map_latitude__isnull=False, map_longitude__isnull=False),
                name="pemda_map_centre_together",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if (self.map_latitude is None) != (self.map_longitude is None):
            field = "map_longitude" if self.map_longitude is None else "map_latitude"
            raise ValidationError({field: _("Isi lintang dan bujur bersama-sama.")})

    def __str__(self) -> str:
        return self.name

    @property
    def zoneinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Opd(TimeStampedModel):
    """An agency (Organisasi Perangkat Daerah) of one Pemda: Dinas, Badan, Kecamatan, RSUD, BUMD ..."""

    pemda = models.ForeignKey(Pemda, on_delete=models.PROTECT, related_name="opds", verbose_name=_("pemda"))
    name = models.CharField(_("nama"), max_length=200)
    short_name = models.CharField(_("singkatan"), max_length=50, blank=True)
    name_en = models.CharField(
        _("nama dalam bahasa Inggris"),
        max_length=200,
        blank=True,
        help_text=_("Ditampilkan kepada pembaca berbahasa Inggris di halaman warga; kosong: nama resmi."),
    )
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("OPD")
        verbose_name_plural = _("OPD")
        ordering = ["pemda", "name"]
        constraints = [
            models.UniqueConstraint(fields=["pemda", "name"], name="opd_unique_name_per_pemda"),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def display_name(self) -> str:
        """The name citizens read: the English one for English readers when it is filled in, else
        the official name (staff pages, exports and the API keep the official name)."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Kecamatan(TimeStampedModel):
    """A district of a Pemda: the upper level of the area a complaint is in (its kelurahan's)."""

    pemda = models.ForeignKey(
        Pemda, on_delete=models.PROTECT, related_name="kecamatan", verbose_name=_("pemda")
    )
    name = models.CharField(_("nama"), max_length=100)

    class Meta:
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")
        ordering = ["pemda", "name"]
        constraints = [
            models.UniqueConstraint(fields=["pemda", "name"], name="kecamatan_unique_name_per_pemda"),
        ]

    def __str__(self) -> str:
        return self.name


class Kelurahan(TimeStampedModel):
    """A kelurahan (or desa) of a kecamatan: the area a complaint is chosen in, from its Pemda's list."""

    kecamatan = models.ForeignKey(
        Kecamatan, on_delete=models.PROTECT, related_name="kelurahan", verbose_name=_("kecamatan")
    )
    name = models.CharField(_("nama"), max_length=100)

    class Meta:
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")
        ordering = ["kecamatan__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kecamatan", "name"], name="kelurahan_unique_name_per_kecamatan"),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.kecamatan.name}"


class Role(models.TextChoices):
    """Roles a StaffMembership can carry (docs/architecture.md: roles). Citizens and the system need none."""

    KOORDINATOR = "koordinator", _("Koordinator pengaduan")
    PETUGAS_OPD = "petugas_opd", _("Petugas OPD (admin penghubung)")
    KEPALA_OPD = "kepala_opd", _("Kepala OPD")
    OMBUDSMAN = "ombudsman", _("Ombudsman")
    PETUGAS_LOKET = "petugas_loket", _("Petugas loket (penerimaan aduan)")


OPD_ROLES = (Role.PETUGAS_OPD, Role.KEPALA_OPD)
# Roles bound to one Pemda: the koordinator, and the front desk that records complaints for it.
PEMDA_ROLES = (Role.KOORDINATOR, Role.PETUGAS_LOKET)


@config_history(
    model_name="StaffMembershipEvent", fields=["user", "role", "pemda", "opd", "province", "is_active"]
)
class StaffMembership(TimeStampedModel):
    """Gives a user one role in one place: a Pemda (koordinator), an OPD (petugas, kepala) or a
    province (ombudsman). The database refuses a row whose place does not fit its role."""

    user = models.ForeignKey(
        "users.User", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("pengguna")
    )
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)
    pemda = models.ForeignKey(
        Pemda,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("pemda"),
    )
    opd = models.ForeignKey(
        Opd,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("OPD"),
    )
    province = models.ForeignKey(
        Province,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("provinsi"),
    )
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("keanggotaan staf")
        verbose_name_plural = _("keanggotaan staf")
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                name="membership_place_fits_role",
                condition=(
                    Q(role__in=PEMDA_ROLES, pemda__isnull=False, opd__isnull=True, province__isnull=True)
                    | Q(role__in=OPD_ROLES, pemda__isnull=True, opd__isnull=False, province__isnull=True)
                    | Q(role=Role.OMBUDSMAN, pemda__isnull=True, opd__isnull=True, province__isnull=False)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "pemda"],
                condition=Q(pemda__isnull=False),
                name="membership_unique_pemda",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "opd"], condition=Q(opd__isnull=False), name="membership_unique_opd"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "province"],
                condition=Q(province__isnull=False),
                name="membership_unique_province",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.place}"

    @property
    def place(self):
        return self.pemda or self.opd or self.province

    def clean(self) -> None:
        super().clean()
        if self.role in PEMDA_ROLES and not self.pemda_id:
            raise ValidationError(
                {"pemda": _("Koordinator dan petugas loket harus terikat pada satu pemda.")}
            )
        if self.role in OPD_ROLES and not self.opd_id:
            raise ValidationError({"opd": _("Petugas dan kepala OPD harus terikat pada satu OPD.")})
        if self.role == Role.OMBUDSMAN and not self.province_id:
            raise ValidationError({"province": _("Ombudsman harus terikat pada satu provinsi.")})
        if self.role not in PEMDA_ROLES:
            self.pemda = None
        if self.role not in OPD_ROLES:
            self.opd = None
        if self.role != Role.OMBUDSMAN:
            self.province = None
