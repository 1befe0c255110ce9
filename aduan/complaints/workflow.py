"""THE complaint state machine (docs/architecture.md).

``TRANSITIONS`` names, for every action, the statuses it may start from, the status it leads to,
the roles allowed to take it, the input it needs and what it causes: the clocks it starts, meets,
cancels, pauses or resumes (aduan.sla) and who is told (aduan.notifications). Those apps keep no
table of actions of their own; ``SUBMIT`` declares the effects of filing a complaint.

``complaint_transition()`` is the only code that changes ``Complaint.status``: it locks the row,
checks the table and the actor's role for this complaint, applies the move, records OPD hops and
writes exactly one ComplaintEvent, all in one transaction, together with the complaint's clocks
(aduan.sla) and the notifications it causes (aduan.notifications outbox, sent after commit). A
refused move raises a DomainError and changes nothing.

Lifecycle:  submitted ─dispatch→ dispatched ─follow_up→ followed_up ─accept / auto_resolve→ resolved
            submitted ─hold→ on_hold ─complete→ submitted;  submitted|on_hold ─archive→ archived
            submitted|on_hold|dispatched ─forward_out→ forwarded_out
            dispatched ─redispatch→ dispatched (new hop);  followed_up ─reply→ dispatched
            resolved ─reopen (within the Pemda's window)→ dispatched
            dispatched ─acknowledge | schedule | start_work | cannot_handle→ dispatched (progress:
            the OPD's first update meets the first-response clock; schedule starts the promise clock)
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.agencies.models import Opd
from aduan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionDenied
from aduan.notifications.services import HOLDING_OPD, KOORDINATOR, NEW_OPD, REPORTER, notify_transition
from aduan.sla.calendar import count_working_days
from aduan.sla.models import Stage
from aduan.sla.rollups import rollup_apply
from aduan.sla.services import ClockEffects, calendar_for, deadlines_on_transition

from .attachments import attachment_add
from .audit import event_append
from .models import (
    CLOSED_STATUSES,
    ActorRole,
    ArchiveReason,
    Complaint,
    ComplaintEvent,
    ComplaintHop,
    Status,
)
from .rollups import complaint_facts
from .selectors import (
    ROLE_PRECEDENCE,
    Actor,
    actor_roles,
    reporter_contact_for_delivery,
    reporter_contact_of,
)

logger = logging.getLogger(__name__)

NOTE_MAX_LENGTH = 5000


class Action(models.TextChoices):
    SUBMIT = "submit", _("Ajukan aduan")  # the first event, written by services.complaint_submit()
    DISPATCH = "dispatch", _("Verifikasi dan disposisikan")
    HOLD = "hold", _("Tunda, minta kelengkapan")
    COMPLETE = "complete", _("Lengkapi aduan")
    ARCHIVE = "archive", _("Arsipkan")
    FORWARD_OUT = "forward_out", _("Teruskan (bukan kewenangan)")
    REDISPATCH = "redispatch", _("Disposisikan ulang")
    REQUEST_REDISPATCH = "request_redispatch", _("Minta disposisi ulang")
    FOLLOW_UP = "follow_up", _("Selesai ditangani")
    REPLY = "reply", _("Tanggapi tindak lanjut")
    ACCEPT = "accept", _("Terima tindak lanjut")
    AUTO_RESOLVE = "auto_resolve", _("Selesai otomatis")
    REOPEN = "reopen", _("Buka kembali")
    # Progress of the OPD's field work (the status stays dispatched; the reporter sees each note).
    ACKNOWLEDGE = "acknowledge", _("Diterima, sedang ditinjau")
    SCHEDULE = "schedule", _("Dijadwalkan")
    START_WORK = "start_work", _("Sedang dikerjakan")
    CANNOT_HANDLE = "cannot_handle", _("Tidak dapat ditangani")


class Step(models.TextChoices):
    """Recorded steps that are not moves of the state machine: they write a ComplaintEvent (the
    status stays) through ``services``, never through ``complaint_transition()``. Staff-only:
    the reporter's tracking page shows none of them."""

    ASSIGN = "assign", _("Tunjuk petugas")
    FLAG = "flag", _("Tandai dipantau Ombudsman")
    UNFLAG = "unflag", _("Cabut tanda pemantauan")


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"
    default_message = _("Tindakan ini tidak dapat dilakukan pada status aduan saat ini.")


class ReopenWindowClosed(DomainError):
    code = "reopen_window_closed"
    default_message = _("Batas waktu untuk membuka kembali aduan ini sudah lewat.")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the status stays (a recorded step without a status change)
    roles: frozenset[str]
    # of "opd", "note", "reason", "institution", "planned_date"
    requires: tuple[str, ...] = field(default=())
    # Its effects. Clocks (aduan.sla Stage values): cancelled, met, then started, in that order;
    # ``pauses``/``resumes`` every open clock; ``resolves``: the resolution clock it meets records
    # the OPD that resolved the complaint.
    starts: tuple[str, ...] = ()
    meets: tuple[str, ...] = ()
    cancels: tuple[str, ...] = ()
    pauses: bool = False
    resumes: bool = False
    resolves: bool = False
    # Who is told (aduan.notifications audiences: REPORTER, NEW_OPD, HOLDING_OPD, KOORDINATOR), and
    # whether staff messages quote the note (not when it may be the reporter's own words).
    notifies: tuple[str, ...] = ()
    staff_see_note: bool = True

    @property
    def clock_effects(self) -> ClockEffects:
        return ClockEffects(
            starts=self.starts,
            meets=self.meets,
            cancels=self.cancels,
            pauses=self.pauses,
            resumes=self.resumes,
            resolves=self.resolves,
        )


def _t(action, sources, target, roles, requires=(), **effects) -> tuple[str, Transition]:
    return action, Transition(
        action, frozenset(sources), target, frozenset(roles), tuple(requires), **effects
    )


S, R, C = Status, ActorRole, Stage
TRANSITIONS: dict[str, Transition] = dict(
    [
        _t(
            Action.DISPATCH,
            {S.SUBMITTED},
            S.DISPATCHED,
            {R.KOORDINATOR},
            ("opd",),
            meets=(C.VERIFICATION,),
            starts=(C.FOLLOW_UP,),
            notifies=(REPORTER, NEW_OPD),
        ),
        _t(
            Action.HOLD,
            {S.SUBMITTED},
            S.ON_HOLD,
            {R.KOORDINATOR},
            ("note",),
            pauses=True,
            notifies=(REPORTER,),
        ),
        _t(
            Action.COMPLETE,
            {S.ON_HOLD},
            S.SUBMITTED,
            {R.CITIZEN, R.KOORDINATOR},
            ("note",),
            resumes=True,
            notifies=(REPORTER,),
        ),
        _t(
            Action.ARCHIVE,
            {S.SUBMITTED, S.ON_HOLD},
            S.ARCHIVED,
            {R.KOORDINATOR},
            ("reason",),
            meets=(C.VERIFICATION, C.RESOLUTION, C.LEGAL_RESPONSE),
            notifies=(REPORTER,),
        ),
        _t(
            Action.FORWARD_OUT,
            {S.SUBMITTED, S.ON_HOLD, S.DISPATCHED},
            S.FORWARDED_OUT,
            {R.KOORDINATOR},
            ("institution",),
            cancels=(C.FOLLOW_UP, C.REPLY_WINDOW, C.PROMISE),
            meets=(C.VERIFICATION, C.RESOLUTION, C.LEGAL_RESPONSE),
            notifies=(REPORTER,),
        ),
        _t(
            Action.REDISPATCH,
            {S.DISPATCHED},
            S.DISPATCHED,
            {R.KOORDINATOR},
            ("opd",),
            cancels=(C.FOLLOW_UP, C.PROMISE),
            starts=(C.FOLLOW_UP,),
            notifies=(NEW_OPD,),
        ),
        _t(
            Action.REQUEST_REDISPATCH,
            {S.DISPATCHED},
            None,
            {R.PETUGAS_OPD},
            ("note",),
            notifies=(KOORDINATOR,),
        ),
        _t(
            Action.FOLLOW_UP,
            {S.DISPATCHED},
            S.FOLLOWED_UP,
            {R.PETUGAS_OPD},
            ("note",),
            meets=(C.FOLLOW_UP, C.LEGAL_RESPONSE, C.PROMISE),
            starts=(C.REPLY_WINDOW,),
            notifies=(REPORTER,),
        ),
        # Progress is not an answer: the first update meets the first-response clock (follow_up),
        # the reply window starts only with follow_up ("selesai ditangani").
        _t(
            Action.ACKNOWLEDGE,
            {S.DISPATCHED},
            None,
            {R.PETUGAS_OPD},
            ("note",),
            meets=(C.FOLLOW_UP, C.LEGAL_RESPONSE),
            notifies=(REPORTER,),
        ),
        _t(
            Action.SCHEDULE,
            {S.DISPATCHED},
            None,
            {R.PETUGAS_OPD},
            ("note", "planned_date"),
            meets=(C.FOLLOW_UP, C.LEGAL_RESPONSE),
            cancels=(C.PROMISE,),  # a new date replaces the old promise (broken if already late)
            starts=(C.PROMISE,),
            notifies=(REPORTER,),
        ),
        _t(
            Action.START_WORK,
            {S.DISPATCHED},
            None,
            {R.PETUGAS_OPD},
            ("note",),
            meets=(C.FOLLOW_UP, C.LEGAL_RESPONSE),
            notifies=(REPORTER,),
        ),
        _t(
            Action.CANNOT_HANDLE,
            {S.DISPATCHED},
            None,
            {R.PETUGAS_OPD},
            ("note",),
            meets=(C.FOLLOW_UP, C.LEGAL_RESPONSE),
            cancels=(C.PROMISE,),
            notifies=(KOORDINATOR,),
        ),
        _t(
            Action.REPLY,
            {S.FOLLOWED_UP},
            S.DISPATCHED,
            {R.CITIZEN},
            ("note",),
            meets=(C.REPLY_WINDOW,),
            starts=(C.FOLLOW_UP,),
            notifies=(REPORTER, HOLDING_OPD),
            staff_see_note=False,
        ),
        _t(
            Action.ACCEPT,
            {S.FOLLOWED_UP},
            S.RESOLVED,
            {R.CITIZEN},
            meets=(C.REPLY_WINDOW, C.RESOLUTION),
            resolves=True,
            notifies=(REPORTER,),
        ),
        _t(
            Action.AUTO_RESOLVE,
            {S.FOLLOWED_UP},
            S.RESOLVED,
            {R.SYSTEM},
            meets=(C.REPLY_WINDOW, C.RESOLUTION),
            resolves=True,
            notifies=(REPORTER,),
        ),
        _t(
            Action.REOPEN,
            {S.RESOLVED},
            S.DISPATCHED,
            {R.CITIZEN, R.KOORDINATOR},
            ("note",),
            starts=(C.FOLLOW_UP, C.RESOLUTION),
            notifies=(REPORTER, NEW_OPD),
            staff_see_note=False,
        ),
    ]
)
# Filing a complaint (written by services.complaint_submit(), not a move of this machine): its
# first event and the clocks every complaint runs from the start.
SUBMIT = Transition(
    Action.SUBMIT,
    sources=frozenset(),
    target=S.SUBMITTED,
    roles=frozenset({R.CITIZEN}),
    starts=(C.VERIFICATION, C.RESOLUTION, C.LEGAL_RESPONSE),
    notifies=(REPORTER,),
)
del S, R, C


def allowed_actions(*, actor: Actor, complaint: Complaint, now: datetime | None = None) -> list[str]:
    """Actions ``actor`` may take on ``complaint`` now (for showing buttons; the move re-checks):
    those of the table open to the actor's roles from the complaint's status, a re-open only
    within the Pemda's window."""
    roles = actor_roles(actor, complaint)
    allowed = [a for a, t in TRANSITIONS.items() if complaint.status in t.sources and roles & t.roles]
    if Action.REOPEN in allowed and not reopen_window_open(complaint, now or timezone.now()):
        allowed.remove(Action.REOPEN)
    return allowed


def reopen_until(complaint: Complaint) -> datetime | None:
    """Until when the reporter (or the koordinator) may re-open the closed ``complaint``."""
    if complaint.closed_at is None:
        return None
    return complaint.closed_at + timedelta(days=complaint.pemda.reopen_window_days)


def reopen_window_open(complaint: Complaint, now: datetime) -> bool:
    until = reopen_until(complaint)
    return until is not None and now <= until


@dataclass(frozen=True)
class TransitionResult:
    complaint: Complaint
    event: ComplaintEvent


def complaint_transition(
    *,
    complaint_id: int,
    action: str,
    actor: Actor,
    note: str = "",
    opd: Opd | None = None,
    reason: str = "",
    duplicate_of: Complaint | None = None,
    institution: str = "",
    planned_date: date | None = None,
    uploads: tuple = (),
    now: datetime | None = None,
) -> TransitionResult:
    """Apply one move to a complaint, or raise a DomainError having changed nothing. ``uploads``
    (validated ``CleanUpload``s) are the OPD's photos for the reporter on a progress update or
    the "selesai ditangani" answer, stored in the same transaction."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidInput(_("Tindakan tidak dikenal."), code="unknown_action", field="action")
    now = now or timezone.now()
    note = (note or "").strip()
    institution = (institution or "").strip()

    with transaction.atomic():
        try:
            complaint = (
                Complaint.objects.select_for_update(of=("self",)).select_related("pemda").get(pk=complaint_id)
            )
        except Complaint.DoesNotExist:
            raise NotFound() from None

        roles = actor_roles(actor, complaint) & transition.roles
        if not roles:
            raise PermissionDenied(code="role_not_allowed")
        role = next(r for r in ROLE_PRECEDENCE if r in roles)
        if complaint.status not in transition.sources:
            raise TransitionNotAllowed(status=complaint.status, action=action)
        _validate_input(
            transition,
            complaint,
            note=note,
            opd=opd,
            reason=reason,
            duplicate_of=duplicate_of,
            institution=institution,
            now=now,
        )
        promise_due = _validate_progress(
            transition, complaint, planned_date=planned_date, uploads=uploads, now=now
        )

        facts_before = complaint_facts(complaint)  # the rollups follow whatever the move changes
        from_status = complaint.status
        to_status = transition.target or from_status
        event = event_append(
            complaint=complaint,
            action=action,
            from_status=from_status,
            to_status=to_status,
            actor=actor.authenticated_user,
            actor_role=role,
            opd=opd if "opd" in transition.requires else None,
            note=note or institution,
            created_at=now,
        )
        changed = _apply(
            complaint,
            action,
            to_status,
            event,
            opd=opd,
            reason=reason,
            duplicate_of=duplicate_of,
            institution=institution,
            now=now,
        )
        if changed:
            complaint.save(update_fields=[*changed, "updated_at"])
        open_hop = ComplaintHop.objects.filter(complaint=complaint, ended_at__isnull=True).first()
        for upload in uploads:
            attachment_add(complaint=complaint, upload=upload, uploaded_by=actor.authenticated_user, now=now)
        deadlines_on_transition(
            complaint=complaint,
            effects=transition.clock_effects,
            hop=open_hop,
            now=now,
            due_at={Stage.PROMISE: promise_due} if promise_due else None,
        )
        rollup_apply(complaint_facts(complaint), facts_before)
        transition_notify(transition, complaint=complaint, event=event, now=now)
    return TransitionResult(complaint=complaint, event=event)


def transition_notify(transition: Transition, *, complaint, event, now: datetime, identity=None) -> None:
    """Queue what ``transition`` tells its audiences (inside the move's transaction). A filing
    passes the reporter ``identity`` it just stored (no re-read; its event is new, so its outbox
    keys cannot exist yet)."""
    notify_transition(
        complaint=complaint,
        event=event,
        audiences=transition.notifies,
        staff_see_note=transition.staff_see_note,
        reporter=reporter_contact_of(identity) if identity else reporter_contact_for_delivery(complaint),
        now=now,
        new_event=identity is not None,
    )


def _validate_input(transition, complaint, *, note, opd, reason, duplicate_of, institution, now) -> None:
    requires = transition.requires
    if "note" in requires and not note:
        raise InvalidInput(_("Catatan wajib diisi."), code="note_required", field="note")
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidInput(
            _("Catatan paling banyak %(max)s karakter.") % {"max": NOTE_MAX_LENGTH},
            code="note_too_long",
            field="note",
        )
    if "opd" in requires:
        if opd is None:
            raise InvalidInput(_("Pilih OPD tujuan."), code="opd_required", field="opd")
        if opd.pemda_id != complaint.pemda_id or not opd.is_active:
            raise InvalidInput(_("OPD tujuan bukan OPD aktif pemda ini."), code="opd_invalid", field="opd")
        if transition.action == Action.REDISPATCH and opd.pk == complaint.current_opd_id:
            raise InvalidInput(_("Aduan sudah berada di OPD tersebut."), code="opd_unchanged", field="opd")
    if "reason" in requires:
        if reason not in ArchiveReason.values:
            raise InvalidInput(_("Pilih alasan pengarsipan."), code="reason_required", field="reason")
        if reason == ArchiveReason.DUPLICATE:
            if duplicate_of is None:
                raise InvalidInput(_("Pilih aduan asli."), code="duplicate_of_required", field="duplicate_of")
            if duplicate_of.pk == complaint.pk or duplicate_of.pemda_id != complaint.pemda_id:
                raise InvalidInput(
                    _("Aduan asli harus aduan lain dari pemda yang sama."),
                    code="duplicate_of_invalid",
                    field="duplicate_of",
                )
    if "institution" in requires and not institution:
        raise InvalidInput(_("Sebutkan instansi tujuan."), code="institution_required", field="institution")
    if len(institution) > 200:
        raise InvalidInput(
            _("Nama instansi terlalu panjang."), code="institution_too_long", field="institution"
        )
    if transition.action == Action.REOPEN and not reopen_window_open(complaint, now):
        raise ReopenWindowClosed()


# Moves that may carry the OPD's photos for the reporter.
PHOTO_ACTIONS = frozenset({Action.ACKNOWLEDGE, Action.SCHEDULE, Action.START_WORK, Action.FOLLOW_UP})
PLANNED_DATE_MAX_DAYS = 366


def _validate_progress(transition, complaint, *, planned_date, uploads, now) -> datetime | None:
    """Checks of the field-work moves; return the promise clock's due time (the end of the planned
    day in the Pemda's zone) for ``schedule``."""
    if uploads and transition.action not in PHOTO_ACTIONS:
        raise InvalidInput(_("Tindakan ini tidak menerima foto."), code="photo_not_allowed", field="photo")
    if (
        transition.action == Action.FOLLOW_UP
        and complaint.category_id
        and complaint.category.done_photo_required
    ):
        if not any(u.content_type.startswith("image/") for u in uploads):
            raise InvalidInput(
                _("Kategori ini mewajibkan foto bukti bahwa aduan selesai ditangani."),
                code="photo_required",
                field="photo",
            )
    if "planned_date" not in transition.requires:
        return None
    if planned_date is None:
        raise InvalidInput(
            _("Isi tanggal rencana penanganan."), code="planned_date_required", field="planned_date"
        )
    zone = complaint.pemda.zoneinfo
    today = now.astimezone(zone).date()
    if not today <= planned_date <= today + timedelta(days=PLANNED_DATE_MAX_DAYS):
        raise InvalidInput(
            _("Tanggal rencana harus antara hari ini dan satu tahun ke depan."),
            code="planned_date_invalid",
            field="planned_date",
        )
    return datetime.combine(planned_date + timedelta(days=1), time(0), tzinfo=zone)


def _apply(complaint, action, to_status, event, *, opd, reason, duplicate_of, institution, now) -> list[str]:
    """Set the complaint's fields for the move and keep the OPD hops in step; return changed fields."""
    changed: list[str] = []
    if to_status != complaint.status:
        complaint.status = to_status
        complaint.status_changed_at = now
        changed += ["status", "status_changed_at"]

    if action in (Action.DISPATCH, Action.REDISPATCH):
        _close_open_hop(complaint, event, now)
        complaint.current_opd = opd
        complaint.assigned_to = None  # a new OPD assigns its own officer
        changed += ["current_opd", "assigned_to"]
        ComplaintHop.objects.create(complaint=complaint, opd=opd, started_at=now, started_by=event)
    elif action == Action.REOPEN:
        ComplaintHop.objects.create(
            complaint=complaint, opd_id=complaint.current_opd_id, started_at=now, started_by=event
        )
        complaint.closed_at = None
        changed.append("closed_at")
    elif action == Action.ARCHIVE:
        complaint.archive_reason = reason
        complaint.duplicate_of = duplicate_of if reason == ArchiveReason.DUPLICATE else None
        changed += ["archive_reason", "duplicate_of"]
    elif action == Action.FORWARD_OUT:
        complaint.forwarded_to = institution
        changed.append("forwarded_to")
    elif action == Action.FOLLOW_UP:
        _hop_handled(complaint, now)

    if to_status in CLOSED_STATUSES and complaint.closed_at is None:
        complaint.closed_at = now
        changed.append("closed_at")
        _close_open_hop(complaint, event, now)
    return changed


def _hop_handled(complaint, now) -> None:
    """Record on the open hop when its OPD reported the work done, and after how many working days."""
    hop = ComplaintHop.objects.filter(complaint=complaint, ended_at__isnull=True).first()
    if hop is not None:
        cal = calendar_for(complaint.pemda, around=now)
        hop.handled_at = now
        hop.handled_working_days = max(0, count_working_days(hop.started_at, now, cal))
        hop.save(update_fields=["handled_at", "handled_working_days"])


def _close_open_hop(complaint, event, now) -> None:
    ComplaintHop.objects.filter(complaint=complaint, ended_at__isnull=True).update(
        ended_at=now, ended_by=event
    )


def auto_resolve(complaint_id: int, *, now: datetime) -> None:
    """The reporter's reply window ran out (the deadline sweep of aduan.sla calls this): the
    complaint is resolved by the system, unless it moved on meanwhile."""
    try:
        complaint_transition(
            complaint_id=complaint_id, action=Action.AUTO_RESOLVE, actor=Actor.system(), now=now
        )
    except DomainError as exc:  # e.g. the reporter replied a moment ago: nothing to resolve
        logger.info("auto-resolve of complaint %s skipped: %s", complaint_id, exc.code)
