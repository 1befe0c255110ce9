"""Every write on complaints other than a status change (those go through workflow.py).

Each service is a keyword-only function named ``complaint_<action>``, atomic, called alike by
pages, the API, tasks and management commands.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.agencies.models import Kelurahan, Opd, Pemda, Role
from aduan.agencies.selectors import staff_roles
from aduan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionDenied
from aduan.sla.rollups import rollup_apply
from aduan.sla.services import deadlines_on_transition

from .audit import event_append
from .geo import coordinates_check, kelurahan_check
from .models import (
    HELD_BY_OPD_STATUSES,
    SKM_ELEMENTS,
    ActorRole,
    ArchiveReason,
    CannedResponse,
    Category,
    Channel,
    Classification,
    Complaint,
    ComplaintEvent,
    ComplaintFlag,
    ComplaintNote,
    ComplaintRating,
    ComplaintSupport,
    ReporterIdentity,
    SkmResponse,
    Status,
    TicketCounter,
)
from .rollups import feedback_facts, row_of, submitted_facts, supporters_facts
from .selectors import ROLE_PRECEDENCE, Actor, actor_roles
from .workflow import NOTE_MAX_LENGTH, SUBMIT, Action, Step, complaint_transition, transition_notify


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
    table = TicketCounter._meta.db_table
    with connection.cursor() as cursor:  # one statement: create the year's row or count on
        cursor.execute(
            f"INSERT INTO {table} (pemda_id, year, last_number) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (pemda_id, year) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [pemda.pk, year],
        )
        (number,) = cursor.fetchone()
    return f"{pemda.code}-{year}-{number:06d}"


# Complaint relations ``complaint_submit`` checks itself (or takes from the request's user).
FILING_CHECKED_RELATIONS = ("pemda", "kelurahan", "category", "target_opd", "reporter_user")


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
    kelurahan: Kelurahan | None = None,
    category: Category | None = None,
    target_opd: Opd | None = None,
    is_anonymous: bool = False,
    is_confidential: bool = False,
    reporter_user=None,
    channel: str = Channel.WEB,
    now: datetime | None = None,
    received_at: datetime | None = None,
    recorded_by=None,
    recorded_role: str = "",
    event_note: str = "",
) -> Complaint:
    """File a complaint: validate, number it, store the reporter's identity apart, and write the
    first event — in one transaction. Raises InvalidInput (with the field) and stores nothing
    when the input is not acceptable.

    A complaint received off-line (``complaints.intake``) passes ``received_at``: it becomes the
    submission moment the clocks start from, while the first event is written now by
    ``recorded_by`` in ``recorded_role`` with ``event_note``."""
    now = now or timezone.now()
    received_at = received_at or now
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
    coordinates_check(latitude, longitude)
    kelurahan_check(kelurahan, pemda)

    complaint = Complaint(
        pemda=pemda,
        classification=classification,
        title=title,
        chronology=chronology,
        incident_date=incident_date,
        location_text=(location_text or "").strip(),
        latitude=latitude,
        longitude=longitude,
        kelurahan=kelurahan,
        category=category,
        target_opd=target_opd,
        is_anonymous=is_anonymous,
        is_confidential=is_confidential,
        reporter_user=reporter_user if reporter_user is not None and reporter_user.is_authenticated else None,
        channel=channel,
        status=Status.SUBMITTED,
        status_changed_at=received_at,
        submitted_at=received_at,
    )
    identity = ReporterIdentity(complaint=complaint, **reporter.__dict__)
    # The related objects were checked above (or are the signed-in user): no query to re-check them.
    _full_clean(complaint, exclude=["ticket_number", *FILING_CHECKED_RELATIONS])
    _full_clean(identity, exclude=["complaint"])

    # No savepoint of its own: an error leaves the whole filing, and the caller's transaction with it.
    with transaction.atomic(savepoint=False):
        # Two rows are shared by every filing of the Pemda: its ticket counter and the day's rollup
        # cells. Their row locks last until COMMIT, so the other filings of the Pemda wait that
        # long: they are written last. On PostgreSQL the complaint's id is drawn first and the rows
        # that only name it go before it (foreign keys are checked at COMMIT); SQLite locks the
        # whole database for the transaction anyway, so there the complaint goes first.
        reserved = _id_reserve(complaint)
        if not reserved:
            _number_and_insert(complaint, pemda=pemda, received_at=received_at)
        identity.complaint = complaint
        identity.save(force_insert=True)
        event = event_append(
            complaint=complaint,
            first=True,  # created just above in this transaction: nobody else can see it yet
            action=Action.SUBMIT,
            from_status="",
            to_status=Status.SUBMITTED,
            actor=recorded_by or complaint.reporter_user,
            actor_role=recorded_role or ActorRole.CITIZEN,
            note=event_note,
            created_at=now,
        )
        deadlines_on_transition(
            complaint=complaint, effects=SUBMIT.clock_effects, hop=None, now=received_at, new=True
        )
        facts = submitted_facts(row_of(complaint))
        if reserved:
            _number_and_insert(complaint, pemda=pemda, received_at=received_at)
        transition_notify(SUBMIT, complaint=complaint, event=event, now=now, identity=identity)
        rollup_apply(facts)
    return complaint


def _id_reserve(complaint: Complaint) -> bool:
    """Draw the unsaved ``complaint``'s id from its sequence (PostgreSQL); False elsewhere."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Complaint._meta.db_table])
        (complaint.pk,) = cursor.fetchone()
    return True


def _number_and_insert(complaint: Complaint, *, pemda: Pemda, received_at: datetime) -> None:
    complaint.ticket_number = ticket_number_next(pemda=pemda, now=received_at)
    complaint.save(force_insert=True)


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
            rollup_apply(supporters_facts(complaint, 1))
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
        rating = ComplaintRating.objects.create(
            complaint=complaint, score=score, comment=comment, created_at=now
        )
        rollup_apply(feedback_facts(complaint, rating=rating))
        return rating


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
        skm = SkmResponse.objects.create(
            complaint=complaint, created_at=now, **{n: answers[n] for n in names}
        )
        rollup_apply(feedback_facts(complaint, skm=skm))
        return skm


# --- Staff work on a complaint (docs/architecture.md: roles): assignment, internal notes, canned responses,
# Ombudsman flags, merging duplicates and bulk moves. Each checks the actor's role *for this
# complaint* (selectors.actor_roles) under a row lock, and a refusal changes nothing.


def _locked_for(actor: Actor, complaint_id: int, roles: set[str]) -> tuple[Complaint, str]:
    """Lock the complaint and return it with the actor's role among ``roles``, or raise."""
    try:
        complaint = (
            Complaint.objects.select_for_update(of=("self",)).select_related("pemda").get(pk=complaint_id)
        )
    except Complaint.DoesNotExist:
        raise NotFound() from None
    held = actor_roles(actor, complaint) & roles
    if not held:
        raise PermissionDenied(code="role_not_allowed")
    return complaint, next(r for r in ROLE_PRECEDENCE if r in held)


def _text(value: str, *, field: str, max_length: int, required_message) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(required_message, code=f"{field}_required", field=field)
    if len(value) > max_length:
        raise InvalidInput(
            _("Paling banyak %(max)s karakter.") % {"max": max_length}, code=f"{field}_too_long", field=field
        )
    return value


def _event(complaint, step: str, actor: Actor, role: str, note: str, now) -> ComplaintEvent:
    return event_append(
        complaint=complaint,
        action=step,
        from_status=complaint.status,
        to_status=complaint.status,
        actor=actor.authenticated_user,
        actor_role=role,
        note=note,
        created_at=now,
    )


def officers_of(opd_id: int | None):
    """Active petugas of an OPD: the people a complaint it holds may be assigned to."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__opd_id=opd_id,
            memberships__role=Role.PETUGAS_OPD,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("full_name", "email")
    )


def complaint_assign(*, complaint_id: int, actor: Actor, assignee_id: int | None, now=None) -> Complaint:
    """Assign the complaint to an officer of the OPD holding it (or clear the assignment). The
    OPD's petugas do this; the new officer must be an active petugas of that OPD."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint, role = _locked_for(actor, complaint_id, {ActorRole.PETUGAS_OPD})
        if complaint.status not in HELD_BY_OPD_STATUSES:
            raise InvalidInput(
                _("Hanya aduan yang sedang ditangani OPD dapat ditugaskan."), code="not_held_by_opd"
            )
        assignee = None
        if assignee_id is not None:
            assignee = officers_of(complaint.current_opd_id).filter(pk=assignee_id).first()
            if assignee is None:
                raise InvalidInput(
                    _("Pilih petugas aktif dari OPD yang menangani aduan ini."),
                    code="assignee_invalid",
                    field="assignee",
                )
        if complaint.assigned_to_id == (assignee.pk if assignee else None):
            return complaint
        complaint.assigned_to = assignee
        complaint.save(update_fields=["assigned_to", "updated_at"])
        name = (assignee.full_name or assignee.email) if assignee else str(_("(tidak ada)"))
        _event(complaint, Step.ASSIGN, actor, role, name, now)
    return complaint


def complaint_note_add(*, complaint_id: int, actor: Actor, body: str, now=None) -> ComplaintNote:
    """An internal note on the complaint, for staff only (the koordinator and the holding OPD's
    petugas write them; everyone who may see the complaint reads them)."""
    now = now or timezone.now()
    body = _text(body, field="body", max_length=NOTE_MAX_LENGTH, required_message=_("Catatan wajib diisi."))
    with transaction.atomic():
        complaint, role = _locked_for(actor, complaint_id, {ActorRole.KOORDINATOR, ActorRole.PETUGAS_OPD})
        return ComplaintNote.objects.create(
            complaint=complaint, author=actor.authenticated_user, author_role=role, body=body, created_at=now
        )


def complaint_flag(*, complaint_id: int, actor: Actor, note: str, now=None) -> ComplaintFlag:
    """Mark a complaint "dipantau Ombudsman" with a note the Pemda and the OPD see."""
    now = now or timezone.now()
    note = _text(note, field="note", max_length=2000, required_message=_("Catatan wajib diisi."))
    with transaction.atomic():
        complaint, role = _locked_for(actor, complaint_id, {ActorRole.OMBUDSMAN})
        if ComplaintFlag.objects.filter(complaint=complaint, cleared_at__isnull=True).exists():
            raise InvalidInput(_("Aduan ini sudah ditandai dipantau."), code="already_flagged")
        flag = ComplaintFlag.objects.create(
            complaint=complaint, note=note, flagged_by=actor.authenticated_user, created_at=now
        )
        _event(complaint, Step.FLAG, actor, role, note, now)
    return flag


def complaint_unflag(*, complaint_id: int, actor: Actor, now=None) -> ComplaintFlag:
    """Clear the open "dipantau Ombudsman" flag (the row stays, with who cleared it and when)."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint, role = _locked_for(actor, complaint_id, {ActorRole.OMBUDSMAN})
        flag = ComplaintFlag.objects.filter(complaint=complaint, cleared_at__isnull=True).first()
        if flag is None:
            raise InvalidInput(_("Aduan ini tidak sedang ditandai."), code="not_flagged")
        flag.cleared_at, flag.cleared_by = now, actor.authenticated_user
        flag.save(update_fields=["cleared_at", "cleared_by"])
        _event(complaint, Step.UNFLAG, actor, role, "", now)
    return flag


def _canned_opd_check(actor: Actor, opd: Opd) -> None:
    if opd.pk not in staff_roles(actor.authenticated_user).opd_ids:
        raise PermissionDenied(code="not_opd_staff")


def canned_response_save(
    *, actor: Actor, opd: Opd, title: str, body: str, is_active: bool = True, pk: int | None = None
) -> CannedResponse:
    """Create or edit one of the OPD's canned responses (its petugas and kepala keep them)."""
    _canned_opd_check(actor, opd)
    title = _text(title, field="title", max_length=120, required_message=_("Judul wajib diisi."))
    body = _text(body, field="body", max_length=NOTE_MAX_LENGTH, required_message=_("Isi wajib diisi."))
    with transaction.atomic():
        if pk is None:
            canned = CannedResponse(opd=opd)
        else:
            canned = CannedResponse.objects.select_for_update().filter(pk=pk, opd=opd).first()
            if canned is None:
                raise NotFound()
        if CannedResponse.objects.filter(opd=opd, title__iexact=title).exclude(pk=canned.pk).exists():
            raise InvalidInput(_("Judul ini sudah dipakai jawaban lain."), code="title_taken", field="title")
        canned.title, canned.body, canned.is_active = title, body, is_active
        canned.save()
    return canned


def complaint_merge(*, duplicate_id: int, original_id: int, actor: Actor, note: str = "", now=None):
    """Merge a duplicate into its original: the duplicate is archived (reason: duplicate) by one
    ``complaint_transition()``, its supporters move to the original (each once) and its reporter
    counts as one more supporter. Both rows are locked in id order, so two merges never deadlock."""
    now = now or timezone.now()
    if duplicate_id == original_id:
        raise InvalidInput(
            _("Aduan asli harus aduan lain dari pemda yang sama."),
            code="duplicate_of_invalid",
            field="duplicate_of",
        )
    with transaction.atomic():
        rows = {
            c.pk: c
            for c in Complaint.objects.select_for_update(of=("self",))
            .select_related("pemda")
            .filter(pk__in=sorted([duplicate_id, original_id]))
            .order_by("pk")
        }
        original = rows.get(original_id)
        if original is None or duplicate_id not in rows:
            raise NotFound()
        if ActorRole.KOORDINATOR not in actor_roles(actor, original):
            raise PermissionDenied(code="role_not_allowed")
        if original.status in (Status.ARCHIVED, Status.FORWARDED_OUT):
            raise InvalidInput(
                _("Aduan asli sudah diarsipkan atau diteruskan; pilih aduan lain."),
                code="original_closed",
                field="duplicate_of",
            )
        result = complaint_transition(
            complaint_id=duplicate_id,
            action=Action.ARCHIVE,
            actor=actor,
            reason=ArchiveReason.DUPLICATE,
            duplicate_of=original,
            note=note or original.ticket_number,
            now=now,
        )
        taken = set(
            ComplaintSupport.objects.filter(complaint=original).values_list("supporter_key", flat=True)
        )
        moved = 0
        for support in ComplaintSupport.objects.filter(complaint_id=duplicate_id):
            if support.supporter_key not in taken:
                ComplaintSupport.objects.create(
                    complaint=original, supporter_key=support.supporter_key, created_at=support.created_at
                )
                taken.add(support.supporter_key)
                moved += 1
        reporter_key = f"merged:{result.complaint.ticket_number}"[:64]
        if reporter_key not in taken:
            ComplaintSupport.objects.create(complaint=original, supporter_key=reporter_key, created_at=now)
            moved += 1
        Complaint.objects.filter(pk=original.pk).update(supporters_count=F("supporters_count") + moved)
        rollup_apply(supporters_facts(original, moved))
    return result


@dataclass(frozen=True)
class BulkResult:
    done: list[int]
    refused: list[tuple[int, DomainError]]


BULK_ACTIONS = (Action.DISPATCH, Action.ARCHIVE, Action.HOLD, Action.FORWARD_OUT)


def complaints_bulk_transition(
    *, complaint_ids: list[int], action: str, actor: Actor, **inputs
) -> BulkResult:
    """The same move on many complaints: one ``complaint_transition()`` (one transaction) each, so
    one refusal leaves the others done and itself unchanged."""
    if action not in BULK_ACTIONS:
        raise InvalidInput(_("Tindakan ini tidak tersedia untuk banyak aduan."), code="bulk_not_allowed")
    done, refused = [], []
    for pk in dict.fromkeys(complaint_ids):
        try:
            complaint_transition(complaint_id=pk, action=action, actor=actor, **inputs)
        except DomainError as exc:
            refused.append((pk, exc))
        else:
            done.append(pk)
    return BulkResult(done=done, refused=refused)
