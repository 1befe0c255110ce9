"""Complaints and everything that belongs to one.

- Category: a tree of topics, per Pemda (or shared), with the OPD usually in charge.
- Complaint: what the citizen filed, its status and where it is now. Status changes only through
  ``workflow.complaint_transition()``; other writes go through ``services``; reads through ``selectors``.
- ReporterIdentity: who filed it, in its own table so an anonim reporter's identity can be withheld.
- Attachment: photos and documents.
- ComplaintEvent: the append-only timeline, one row per accepted move.
- ComplaintHop: which OPD held the complaint from when to when (a re-dispatch starts a new hop).
- TicketCounter: per Pemda and year, hands out readable ticket numbers without gaps or clashes.
- ComplaintSupport: a citizen's "+1" on an open complaint instead of filing a duplicate.
- ComplaintRating, SkmResponse: the reporter's rating after resolution and the SKM survey
  (PermenPANRB 14/2017, nine elements scored 1–4).
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.agencies.models import Opd, Pemda, Role
from aduan.core.models import TimeStampedModel


class Classification(models.TextChoices):
    PENGADUAN = "pengaduan", _("Pengaduan")
    ASPIRASI = "aspirasi", _("Aspirasi")
    PERMINTAAN_INFORMASI = "permintaan_informasi", _("Permintaan informasi")


class Status(models.TextChoices):
    """Complaint statuses (DESIGN.md §5). The moves between them are in workflow.TRANSITIONS."""

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
    default_opd = models.ForeignKey(
        Opd, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("OPD utama")
    )
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("kategori")
        verbose_name_plural = _("kategori")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["pemda", "parent", "name"], name="category_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.parent} › {self.name}" if self.parent_id else self.name


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
    latitude = models.DecimalField(
        _("lintang"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("bujur"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
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

    class Meta:
        verbose_name = _("aduan")
        verbose_name_plural = _("aduan")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["pemda", "status", "submitted_at"], name="complaint_pemda_status"),
            models.Index(fields=["current_opd", "status"], name="complaint_opd_status"),
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


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} rows are append-only.")

    def delete(self):
        raise TypeError(f"{self.model.__name__} rows are append-only.")


class AppendOnlyModel(models.Model):
    """Rows that are written once and never changed or removed (timelines, notes): neither an
    instance nor a queryset can update or delete them."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} rows are append-only.")


class ComplaintEvent(AppendOnlyModel):
    """One accepted move on a complaint's timeline (append-only): who, in which role, what, from
    which status to which, with which note, when. ``complaint_transition()`` writes exactly one per
    move in the same transaction; ``complaint_submit()`` writes the first."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="events", verbose_name=_("aduan")
    )
    action = models.CharField(_("tindakan"), max_length=30)
    from_status = models.CharField(_("dari status"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("ke status"), max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaint_events",
        verbose_name=_("pelaku"),
    )
    actor_role = models.CharField(_("peran pelaku"), max_length=20, choices=ActorRole.choices)
    opd = models.ForeignKey(
        Opd, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("OPD tujuan")
    )
    note = models.TextField(_("catatan"), blank=True)
    # Append-only, so rows arrive in time order: PostgreSQL gets a BRIN index on this column
    # (migration 0008, a few pages for 100 M rows) instead of a B-tree (gigabytes).
    created_at = models.DateTimeField(_("waktu"), default=timezone.now)
    # Tamper evidence: events of one complaint form a hash chain (seq 1, 2, ...; each hash covers
    # the previous one). ``manage.py verify_audit`` recomputes every chain.
    seq = models.PositiveIntegerField(_("urutan"), editable=False)
    prev_hash = models.CharField(_("hash sebelumnya"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("riwayat aduan")
        verbose_name_plural = _("riwayat aduan")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "seq"], name="event_complaint_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.action} {self.from_status or '∅'} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is None and not self.hash:  # written without audit.event_append(): chain it here
            from .audit import event_seal

            event_seal(self)
        super().save(*args, **kwargs)


class ComplaintHop(models.Model):
    """A period during which one OPD held the complaint. Dispatch opens one; re-dispatch closes it
    and opens the next; closing the complaint closes it. Breaches are attributed per hop."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="hops", verbose_name=_("aduan")
    )
    opd = models.ForeignKey(Opd, on_delete=models.PROTECT, related_name="hops", verbose_name=_("OPD"))
    started_at = models.DateTimeField(_("mulai"))
    ended_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    started_by = models.ForeignKey(ComplaintEvent, on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(
        ComplaintEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("perpindahan OPD")
        verbose_name_plural = _("perpindahan OPD")
        ordering = ["started_at", "pk"]
        indexes = [
            models.Index(fields=["opd", "complaint"], name="hop_opd_complaint"),
            # Metrics read the hops a resolution ended in a period.
            models.Index(fields=["ended_at"], condition=Q(ended_at__isnull=False), name="hop_ended"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"], condition=Q(ended_at__isnull=True), name="hop_one_open_per_complaint"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} @ {self.opd_id} {self.started_at:%Y-%m-%d} – {self.ended_at or '…'}"


class TicketCounter(models.Model):
    """Last ticket number handed out per Pemda and year (rows are locked while incremented)."""

    pemda = models.ForeignKey(Pemda, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pemda", "year"], name="ticket_counter_unique")]

    def __str__(self) -> str:
        return f"{self.pemda_id}/{self.year}: {self.last_number}"


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


class ComplaintNote(AppendOnlyModel):
    """An internal note staff write on a complaint (append-only). The reporter never sees it: the
    tracking page, notifications and public lists do not read this table."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="notes", verbose_name=_("aduan")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("penulis")
    )
    author_role = models.CharField(_("peran penulis"), max_length=20, choices=ActorRole.choices)
    body = models.TextField(_("catatan internal"), max_length=5000)
    created_at = models.DateTimeField(_("waktu"), default=timezone.now)

    class Meta:
        verbose_name = _("catatan internal")
        verbose_name_plural = _("catatan internal")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.body[:40]}"


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
