"""Every write on complaints other than a status change (those go through workflow.py).

Each service is a keyword-only function named ``complaint_<action>``, atomic, called alike by
pages, the API, tasks and management commands.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.agencies.models import Opd, Pemda
from aduan.core.exceptions import InvalidInput, PermissionDenied
from aduan.notifications.services import notify_transition
from aduan.sla.services import deadlines_on_transition

from .models import (
    SKM_ELEMENTS,
    ActorRole,
    Category,
    Channel,
    Classification,
    Complaint,
    ComplaintEvent,
    ComplaintRating,
    ComplaintSupport,
    ReporterIdentity,
    SkmResponse,
    Status,
    TicketCounter,
)
from .selectors import actor_roles, reporter_contact_for_delivery
from .workflow import Action


@dataclass(frozen=True)
class ReporterData:
    name: str = ""
    email: str = ""
    phone: str = ""
    nik: str = ""
    language: str = "id"


def ticket_number_next(*, pemda: Pemda, now: datetime) -> str:
    """Hand out the next ticket number of ``pemda`` for the local year of ``now``, e.g.
    ``BPN-2026-000123``. Must run inside a transaction: the counter row stays locked until it
    ends, so concurrent submissions get distinct numbers without gaps."""
    year = timezone.localtime(now, pemda.zoneinfo).year
    TicketCounter.objects.get_or_create(pemda=pemda, year=year)
    TicketCounter.objects.filter(pemda=pemda, year=year).update(last_number=F("last_number") + 1)
    number = TicketCounter.objects.values_list("last_number", flat=True).get(pemda=pemda, year=year)
    return f"{pemda.code}-{year}-{number:06d}"


def complaint_submit(
    *,
    pemda: Pemda,
    title: str,
    chronology: str,
    reporter: ReporterData,
    classification: str = Classification.PENGADUAN,
    incident_date: date | None = None,
    location_text: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    category: Category | None = None,
    target_opd: Opd | None = None,
    is_anonymous: bool = False,
    is_confidential: bool = False,
    reporter_user=None,
    channel: str = Channel.WEB,
    now: datetime | None = None,
) -> Complaint:
    """File a complaint: validate, number it, store the reporter's identity apart, and write the
    first event — in one transaction. Raises InvalidInput (with the field) and stores nothing
    when the input is not acceptable."""
    now = now or timezone.now()
    title, chronology = (title or "").strip(), (chronology or "").strip()
    reporter = ReporterData(**{k: (v or "").strip() for k, v in reporter.__dict__.items()})
    if not reporter.language:
        reporter = replace(reporter, language="id")
    if not title:
        raise InvalidInput(_("Judul wajib diisi."), code="title_required", field="title")
    if not chronology:
        raise InvalidInput(_("Kronologi wajib diisi."), code="chronology_required", field="chronology")
    # A TextField's max_length is not checked by full_clean(), so the limit is enforced here.
    chronology_max = Complaint._meta.get_field("chronology").max_length
    if len(chronology) > chronology_max:
        raise InvalidInput(
            _("Kronologi paling banyak %(max)s karakter.") % {"max": chronology_max},
            code="chronology_too_long",
            field="chronology",
        )
    if not is_anonymous and not reporter.name:
        raise InvalidInput(
            _("Nama wajib diisi kecuali Anda memilih anonim."), code="name_required", field="name"
        )
    if not is_anonymous and not (reporter.email or reporter.phone):
        raise InvalidInput(
            _("Isi e-mail atau nomor telepon agar kami dapat menghubungi Anda."),
            code="contact_required",
            field="email",
        )
    if classification not in Classification.values:
        raise InvalidInput(
            _("Klasifikasi tidak dikenal."), code="classification_invalid", field="classification"
        )
    if category is not None and (not category.is_active or category.pemda_id not in (None, pemda.pk)):
        raise InvalidInput(
            _("Kategori tidak tersedia untuk pemda ini."), code="category_invalid", field="category"
        )
    if target_opd is not None and (target_opd.pemda_id != pemda.pk or not target_opd.is_active):
        raise InvalidInput(_("OPD tidak ditemukan pada pemda ini."), code="opd_invalid", field="target_opd")
    if incident_date is not None and incident_date > timezone.localtime(now, pemda.zoneinfo).date():
        raise InvalidInput(
            _("Tanggal kejadian tidak boleh di masa depan."),
            code="incident_date_future",
            field="incident_date",
        )
    if (latitude is None) != (longitude is None):
        # The table's complaint_latlong_together constraint would otherwise fail on save.
        raise InvalidInput(
            _("Isi lintang dan bujur bersama-sama."),
            code="coordinates_incomplete",
            field="longitude" if longitude is None else "latitude",
        )

    complaint = Complaint(
        pemda=pemda,
        classification=classification,
        title=title,
        chronology=chronology,
        incident_date=incident_date,
        location_text=(location_text or "").strip(),
        latitude=latitude,
        longitude=longitude,
        category=category,
        target_opd=target_opd,
        is_anonymous=is_anonymous,
        is_confidential=is_confidential,
        reporter_user=reporter_user if reporter_user is not None and reporter_user.is_authenticated else None,
        channel=channel,
        status=Status.SUBMITTED,
        status_changed_at=now,
        submitted_at=now,
    )
    identity = ReporterIdentity(complaint=complaint, **reporter.__dict__)
    _full_clean(complaint, exclude=["ticket_number"])
    _full_clean(identity, exclude=["complaint"])

    with transaction.atomic():
        complaint.ticket_number = ticket_number_next(pemda=pemda, now=now)
        complaint.save()
        identity.complaint = complaint
        identity.save()
        event = ComplaintEvent.objects.create(
            complaint=complaint,
            action=Action.SUBMIT,
            from_status="",
            to_status=Status.SUBMITTED,
            actor=complaint.reporter_user,
            actor_role=ActorRole.CITIZEN,
            created_at=now,
        )
        deadlines_on_transition(complaint=complaint, action=Action.SUBMIT, hop=None, now=now)
        notify_transition(
            complaint=complaint, event=event, reporter=reporter_contact_for_delivery(complaint), now=now
        )
    return complaint


def _full_clean(instance, *, exclude: list[str]) -> None:
    """Run model validation and turn the first error into an InvalidInput naming its field."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidInput(messages[0], code="invalid", field=field) from exc


def complaint_support(*, complaint_id: int, supporter_key: str, now: datetime | None = None) -> bool:
    """Count a "+1" on an open complaint, once per supporter; True if it was counted now."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().filter(pk=complaint_id).first()
        if complaint is None or complaint.is_closed or complaint.is_confidential:
            raise InvalidInput(_("Aduan ini tidak dapat didukung."), code="support_not_allowed")
        _support, created = ComplaintSupport.objects.get_or_create(
            complaint=complaint, supporter_key=supporter_key[:64], defaults={"created_at": now}
        )
        if created:
            Complaint.objects.filter(pk=complaint.pk).update(supporters_count=F("supporters_count") + 1)
    return created


def _reporter_only(actor, complaint) -> None:
    if ActorRole.CITIZEN not in actor_roles(actor, complaint):
        raise PermissionDenied(code="reporter_only")
    if complaint.status != Status.RESOLVED:
        raise InvalidInput(_("Penilaian dapat diberikan setelah aduan selesai."), code="not_resolved")


def complaint_rate(*, complaint_id: int, actor, score: int, comment: str = "", now=None) -> ComplaintRating:
    """The reporter rates the handling (1–5, with a comment) once the complaint is resolved."""
    now = now or timezone.now()
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput(_("Pilih nilai 1 sampai 5."), code="score_invalid", field="score")
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise InvalidInput(
            _("Komentar paling banyak 2000 karakter."), code="comment_too_long", field="comment"
        )
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().select_related("pemda").get(pk=complaint_id)
        _reporter_only(actor, complaint)
        if ComplaintRating.objects.filter(complaint=complaint).exists():
            raise InvalidInput(_("Aduan ini sudah dinilai."), code="already_rated")
        return ComplaintRating.objects.create(
            complaint=complaint, score=score, comment=comment, created_at=now
        )


def complaint_skm_submit(*, complaint_id: int, actor, answers: dict[str, int], now=None) -> SkmResponse:
    """The reporter answers the SKM survey (nine elements, 1–4 each) once, after resolution."""
    now = now or timezone.now()
    names = [name for name, _label in SKM_ELEMENTS]
    for name in names:
        value = answers.get(name)
        if not isinstance(value, int) or not 1 <= value <= 4:
            raise InvalidInput(
                _("Jawab setiap unsur dengan nilai 1 sampai 4."), code="skm_invalid", field=name
            )
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().select_related("pemda").get(pk=complaint_id)
        _reporter_only(actor, complaint)
        if SkmResponse.objects.filter(complaint=complaint).exists():
            raise InvalidInput(_("Survei untuk aduan ini sudah diisi."), code="already_answered")
        return SkmResponse.objects.create(
            complaint=complaint, created_at=now, **{n: answers[n] for n in names}
        )
