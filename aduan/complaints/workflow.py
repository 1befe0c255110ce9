"""THE complaint state machine (DESIGN.md §5).

``TRANSITIONS`` names, for every action, the statuses it may start from, the status it leads to,
the roles allowed to take it and the input it needs. ``complaint_transition()`` is the only code
that changes ``Complaint.status``: it locks the row, checks the table and the actor's role for
this complaint, applies the move, records OPD hops and writes exactly one ComplaintEvent, all in
one transaction, together with the complaint's clocks (aduan.sla) and the notifications it
causes (aduan.notifications outbox, sent after commit). A refused move raises a DomainError and
changes nothing.

Lifecycle:  submitted ─dispatch→ dispatched ─follow_up→ followed_up ─accept / auto_resolve→ resolved
            submitted ─hold→ on_hold ─complete→ submitted;  submitted|on_hold ─archive→ archived
            submitted|on_hold|dispatched ─forward_out→ forwarded_out
            dispatched ─redispatch→ dispatched (new hop);  followed_up ─reply→ dispatched
            resolved ─reopen (within the Pemda's window)→ dispatched
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.agencies.models import Opd
from aduan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionDenied
from aduan.notifications.services import notify_transition
from aduan.sla.services import deadlines_on_transition

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
from .selectors import ROLE_PRECEDENCE, Actor, actor_roles, reporter_contact_for_delivery

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
    FOLLOW_UP = "follow_up", _("Tindak lanjuti")
    REPLY = "reply", _("Tanggapi tindak lanjut")
    ACCEPT = "accept", _("Terima tindak lanjut")
    AUTO_RESOLVE = "auto_resolve", _("Selesai otomatis")
    REOPEN = "reopen", _("Buka kembali")


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
    requires: tuple[str, ...] = field(default=())  # of "opd", "note", "reason", "institution"


def _t(action, sources, target, roles, requires=()) -> tuple[str, Transition]:
    return action, Transition(action, frozenset(sources), target, frozenset(roles), tuple(requires))


S, R = Status, ActorRole
TRANSITIONS: dict[str, Transition] = dict(
    [
        _t(Action.DISPATCH, {S.SUBMITTED}, S.DISPATCHED, {R.KOORDINATOR}, ("opd",)),
        _t(Action.HOLD, {S.SUBMITTED}, S.ON_HOLD, {R.KOORDINATOR}, ("note",)),
        _t(Action.COMPLETE, {S.ON_HOLD}, S.SUBMITTED, {R.CITIZEN, R.KOORDINATOR}, ("note",)),
        _t(Action.ARCHIVE, {S.SUBMITTED, S.ON_HOLD}, S.ARCHIVED, {R.KOORDINATOR}, ("reason",)),
        _t(
            Action.FORWARD_OUT,
            {S.SUBMITTED, S.ON_HOLD, S.DISPATCHED},
            S.FORWARDED_OUT,
            {R.KOORDINATOR},
            ("institution",),
        ),
        _t(Action.REDISPATCH, {S.DISPATCHED}, S.DISPATCHED, {R.KOORDINATOR}, ("opd",)),
        _t(Action.REQUEST_REDISPATCH, {S.DISPATCHED}, None, {R.PETUGAS_OPD}, ("note",)),
        _t(Action.FOLLOW_UP, {S.DISPATCHED}, S.FOLLOWED_UP, {R.PETUGAS_OPD}, ("note",)),
        _t(Action.REPLY, {S.FOLLOWED_UP}, S.DISPATCHED, {R.CITIZEN}, ("note",)),
        _t(Action.ACCEPT, {S.FOLLOWED_UP}, S.RESOLVED, {R.CITIZEN}),
        _t(Action.AUTO_RESOLVE, {S.FOLLOWED_UP}, S.RESOLVED, {R.SYSTEM}),
        _t(Action.REOPEN, {S.RESOLVED}, S.DISPATCHED, {R.CITIZEN, R.KOORDINATOR}, ("note",)),
    ]
)
del S, R


def allowed_actions(*, actor: Actor, complaint: Complaint) -> list[str]:
    """Actions ``actor`` may take on ``complaint`` now (for showing buttons; the move re-checks)."""
    roles = actor_roles(actor, complaint)
    return [a for a, t in TRANSITIONS.items() if complaint.status in t.sources and roles & t.roles]


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
    now: datetime | None = None,
) -> TransitionResult:
    """Apply one move to a complaint, or raise a DomainError having changed nothing."""
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
        deadlines_on_transition(complaint=complaint, action=action, hop=open_hop, now=now)
        notify_transition(
            complaint=complaint, event=event, reporter=reporter_contact_for_delivery(complaint), now=now
        )
    return TransitionResult(complaint=complaint, event=event)


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
    if transition.action == Action.REOPEN:
        window = timedelta(days=complaint.pemda.reopen_window_days)
        if complaint.closed_at is None or now > complaint.closed_at + window:
            raise ReopenWindowClosed()


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

    if to_status in CLOSED_STATUSES and complaint.closed_at is None:
        complaint.closed_at = now
        changed.append("closed_at")
        _close_open_hop(complaint, event, now)
    return changed


def _close_open_hop(complaint, event, now) -> None:
    ComplaintHop.objects.filter(complaint=complaint, ended_at__isnull=True).update(
        ended_at=now, ended_by=event
    )
