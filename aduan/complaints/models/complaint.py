"""The complaint itself: its statuses and choices, the category tree, the complaint, the
reporter's identity (its own table, so an anonim reporter's identity can be withheld) and the
ticket counters."""

import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from aduan.agencies.models import Kelurahan, Opd, Pemda, Role
from aduan.core.models import TimeStampedModel, coordinate_field


class Classification(models.TextChoices):
    PENGADUAN = "pengaduan", _("Pengaduan")
    ASPIRASI = "aspirasi", _("Aspirasi")
    PERMINTAAN_INFORMASI = "permintaan_informasi", _("Permintaan informasi")


class Status(models.TextChoices):
    """Complaint statuses (docs/architecture.md, the state machine). The moves between them are in
    workflow.TRANSITIONS."""

    SUBMITTED = "submitted", _("Diterima, belum terverifikasi")
    ON_HOLD = "on_hold", _("Ditunda, menunggu pelapor")
    DISPATCHED = "dispatched", _("Didisposisikan ke OPD")
    FOLLOWED_UP = "followed_up", _("Ditindaklanjuti")
    RESOLVED = "resolved", _("Selesai")
    ARCHIVED = "archived", _("Diarsipkan")
    FORWARDED_OUT = "forwarded_out", _("Bukan kewenangan, diteruskan")


CLOSED_STATUSES = frozenset({Status.RESOLVED, Status.ARCHIVED, Status.FORWARDED_OUT})
HELD_BY_OPD_STATUSES = frozenset({Status.DISPATCHED, Status.FOLLOWED_UP})


class ActorRole(models.TextChoices):
    """The role in which someone made a move: the staff roles plus the citizen and the system."""

    CITIZEN = "citizen", _("Pelapor")
    KOORDINATOR = Role.KOORDINATOR.value, Role.KOORDINATOR.label
    PETUGAS_OPD = Role.PETUGAS_OPD.value, Role.PETUGAS_OPD.label
    KEPALA_OPD = Role.KEPALA_OPD.value, Role.KEPALA_OPD.label
    OMBUDSMAN = Role.OMBUDSMAN.value, Role.OMBUDSMAN.label
    PETUGAS_LOKET = Role.PETUGAS_LOKET.value, Role.PETUGAS_LOKET.label
    SYSTEM = "system", _("Sistem")


class ArchiveReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplikat dari aduan lain")
    NOT_PUBLIC_SERVICE = "not_public_service", _("Bukan masalah pelayanan publik")
    UNINTELLIGIBLE = "unintelligible", _("Tidak dapat dipahami")
    NO_RESPONSE = "no_response", _("Pelapor tidak melengkapi data")


class Channel(models.TextChoices):
    WEB = "web", _("Situs web")
    API = "api", _("API / aplikasi")
    OPEN311 = "open311", _("Open311")
    COUNTER = "counter", _("Loket / tatap muka")
    LAPOR = "lapor", _("SP4N-LAPOR!")
    PHONE = "phone", _("Telepon / hotline")
    LETTER = "letter", _("Surat")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    SOCIAL_MEDIA = "social_media", _("Media sosial")
    EMAIL = "email", _("E-mail")


# Channels a complaint received off-line arrives by: what staff intake (/staf/aduan/baru/) records.
STAFF_INTAKE_CHANNELS = (
    Channel.COUNTER,
    Channel.PHONE,
    Channel.LETTER,
    Channel.WHATSAPP,
    Channel.SMS,
    Channel.SOCIAL_MEDIA,
    Channel.EMAIL,
    Channel.LAPOR,
)


class Category(TimeStampedModel):
    """A topic citizens choose when filing, in a tree (e.g. Infrastruktur › Jalan rusak).

    ``pemda`` empty means the category is shared by every Pemda. ``default_opd`` is the OPD the
    koordinator is offered first when dispatching.
    """

    pemda = models.ForeignKey(
        Pemda,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="categories",
        verbose_name=_("pemda"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("induk"),
    )
    name = models.CharField(_("nama"), max_length=150)
    name_en = models.CharField(
        _("nama dalam bahasa Inggris"),
        max_length=150,
        blank=True,
        help_text=_("Ditampilkan kepada pengguna berbahasa Inggris; kosong: nama Indonesia."),
    )
    default_opd = models.ForeignKey(
        Opd, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("OPD utama")
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    done_photo_required = models.BooleanField(
        _("wajib foto bukti selesai"),
        default=False,
        help_text=_("Centang: OPD wajib melampirkan foto saat menyatakan aduan selesai ditangani."),
    )

    class Meta:
        verbose_name = _("kategori")
        verbose_name_plural = _("kategori")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["pemda", "parent", "name"], name="category_unique_name"),
        ]

    @property
    def display_name(self) -> str:
        """The name in the active language (English when one is given, else Indonesian)."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def __str__(self) -> str:
        return f"{self.parent} › {self.display_name}" if self.parent_id else self.display_name


def new_tracking_secret() -> str:
    """An unguessable token for the citizen's tracking link: 32 random bytes = 256 bits."""
    return secrets.token_urlsafe(32)


class Complaint(TimeStampedModel):
    """One complaint (aduan). ``status`` is changed only by ``workflow.complaint_transition()``."""

    pemda = models.ForeignKey(
        Pemda, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("pemda")
    )
    ticket_number = models.CharField(_("nomor tiket"), max_length=32, unique=True, editable=False)
    tracking_secret = models.CharField(
        _("kode pelacakan rahasia"), max_length=64, unique=True, default=new_tracking_secret, editable=False
    )
    classification = models.CharField(
        _("klasifikasi"), max_length=30, choices=Classification.choices, default=Classification.PENGADUAN
    )
    title = models.CharField(_("judul"), max_length=200)
    chronology = models.TextField(_("kronologi"), max_length=10000)
    incident_date = models.DateField(_("tanggal kejadian"), null=True, blank=True)
    location_text = models.CharField(_("lokasi"), max_length=300, blank=True)
    latitude = coordinate_field("latitude", _("lintang"))
    longitude = coordinate_field("longitude", _("bujur"))
    # The area, chosen from the Pemda's list (its kecamatan follows from it); location_text stays
    # the reporter's own words. Moved with the pin by the koordinator (location.complaint_relocate).
    kelurahan = models.ForeignKey(
        Kelurahan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kelurahan"),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("kategori"),
    )
    target_opd = models.ForeignKey(
        Opd,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("OPD pilihan pelapor"),
    )
    current_opd = models.ForeignKey(
        Opd,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="held_complaints",
        verbose_name=_("OPD penanggung jawab"),
    )
    is_anonymous = models.BooleanField(
        _("anonim"), default=False, help_text=_("Identitas pelapor disembunyikan dari OPD dan publik.")
    )
    is_confidential = models.BooleanField(
        _("rahasia"), default=False, help_text=_("Aduan tidak ditampilkan di daftar publik.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, editable=False
    )
    status_changed_at = models.DateTimeField(_("status berubah"), default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(_("diajukan"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("ditutup"), null=True, blank=True, editable=False)
    archive_reason = models.CharField(
        _("alasan arsip"), max_length=30, choices=ArchiveReason.choices, blank=True
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplikat dari"),
    )
    forwarded_to = models.CharField(_("diteruskan ke instansi"), max_length=200, blank=True)
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("akun pelapor"),
    )
    channel = models.CharField(_("kanal"), max_length=20, choices=Channel.choices, default=Channel.WEB)
    supporters_count = models.PositiveIntegerField(_("dukungan warga"), default=0, editable=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_complaints",
        verbose_name=_("petugas yang ditunjuk"),
        editable=False,
    )
    # The public page (/publik/<ticket>/): the koordinator may reword the title and add a text for
    # the public, and hide the complaint from the public (aduan/complaints/public_page.py). The
    # original title and chronology never change.
    # (Empty, not NULL, when unset: the project's rule for text columns.)
    # Database defaults too: the benchmark generator writes complaints with COPY, naming its columns.
    public_title = models.CharField(
        _("judul publik"), max_length=200, blank=True, default="", db_default="", editable=False
    )
    public_text = models.TextField(
        _("teks publik"), max_length=5000, blank=True, default="", db_default="", editable=False
    )
    public_hidden = models.BooleanField(
        _("disembunyikan dari publik"), default=False, db_default=False, editable=False
    )

    class Meta:
        verbose_name = _("aduan")
        verbose_name_plural = _("aduan")
        ordering = ["-submitted_at"]
        indexes = [
            # Covering (INCLUDE current_opd): the current backlog of a Pemda by OPD and age is an
            # index-only scan (compliance.backlog.backlog_scan_into).
            models.Index(
                fields=["pemda", "status", "submitted_at"],
                include=["current_opd"],
                name="complaint_pemda_status",
            ),
            # Covering (INCLUDE submitted_at, id): an OPD's inbox picks its page among everything the
            # OPD holds, sorted by the next due time, submission and id, without visiting the rows.
            models.Index(
                fields=["current_opd", "status"],
                include=["submitted_at", "id"],
                name="complaint_opd_status",
            ),
            # The backlog at the end of a past period: complaints closed after it (compliance metrics).
            models.Index(
                fields=["pemda", "closed_at"],
                condition=Q(closed_at__isnull=False),
                name="complaint_pemda_closed",
            ),
            # Staff lists of a Pemda, newest first (the default sort): no sort of the whole Pemda.
            models.Index(fields=["pemda", "-submitted_at", "-id"], name="complaint_pemda_newest"),
            # The public list: newest complaints that are not rahasia.
            models.Index(
                fields=["-submitted_at", "-id"],
                condition=Q(is_confidential=False),
                name="complaint_public_newest",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="complaint_closed_at_iff_closed",
                condition=(
                    Q(status__in=[str(s) for s in sorted(CLOSED_STATUSES)], closed_at__isnull=False)
                    | (~Q(status__in=[str(s) for s in sorted(CLOSED_STATUSES)]) & Q(closed_at__isnull=True))
                ),
            ),
            models.CheckConstraint(
                name="complaint_opd_when_held",
                condition=~Q(status__in=[str(s) for s in sorted(HELD_BY_OPD_STATUSES)])
                | Q(current_opd__isnull=False),
            ),
            models.CheckConstraint(
                name="complaint_latlong_together",
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_number} — {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


nik_validator = RegexValidator(r"^\d{16}$", _("NIK terdiri dari 16 angka."))


class ReporterIdentity(models.Model):
    """Who filed the complaint. Kept apart from Complaint so that it can be withheld: read it only
    through ``selectors.reporter_identity_for()``, which hides it from all but the koordinator when
    the complaint is anonim."""

    complaint = models.OneToOneField(
        Complaint,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="reporter",
        verbose_name=_("aduan"),
    )
    name = models.CharField(_("nama"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(
        _("telepon"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^\+?[0-9 ()-]{6,20}$", _("Nomor telepon tidak valid."))],
    )
    nik = models.CharField(_("NIK"), max_length=16, blank=True, validators=[nik_validator])
    language = models.CharField(
        _("bahasa"),
        max_length=5,
        choices=settings.LANGUAGES,
        default="id",
        help_text=_("Bahasa pesan untuk pelapor."),
    )
    anonymised_at = models.DateTimeField(
        _("dianonimkan"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Waktu data pribadi pelapor dihapus (masa retensi habis atau permintaan penghapusan)."),
    )

    class Meta:
        verbose_name = _("identitas pelapor")
        verbose_name_plural = _("identitas pelapor")

    def __str__(self) -> str:
        return self.name or self.email or self.phone or "—"


class TicketCounter(models.Model):
    """Last ticket number handed out per Pemda and year (rows are locked while incremented)."""

    pemda = models.ForeignKey(Pemda, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pemda", "year"], name="ticket_counter_unique")]

    def __str__(self) -> str:
        return f"{self.pemda_id}/{self.year}: {self.last_number}"
