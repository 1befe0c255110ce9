"""Complaints received off-line: recorded by staff at /staf/aduan/baru/ (phone, letter, walk-in,
WhatsApp, social media, e-mail, SP4N-LAPOR!).

``complaint_intake()`` checks who records it and what only intake asks (the real moment of
receipt, the reason when typed in late, the SP4N-LAPOR! number), then files it through the same
``services.complaint_submit()`` as the web form — same ticket numbers, clocks, first event and
hash chain, anonim rules and outbox (the reporter is sent the tracking link) — and stores the
IntakeRecord and the scanned letter in the same transaction: all or nothing.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from aduan.agencies.models import Pemda
from aduan.agencies.selectors import staff_roles
from aduan.core.exceptions import InvalidInput, PermissionDenied
from aduan.sla.calendar import count_working_days
from aduan.sla.services import calendar_for

from .attachments import CleanUpload, attachment_add
from .models import STAFF_INTAKE_CHANNELS, ActorRole, Channel, Complaint, IntakeRecord
from .services import ReporterData, complaint_submit

# An entry typed in more than this many working days after receipt needs a reason (on the timeline).
LATE_AFTER_WORKING_DAYS = 2
LATE_REASON_MAX = 1000
LAPOR_NUMBER_MAX = 40
ANONYMOUS_LETTER = _("Aduan anonim tidak dapat dilampiri surat pindaian (memuat identitas); ringkas isinya.")


@dataclass(frozen=True)
class IntakeData:
    """What intake records beside the filing form's fields."""

    channel: str
    received_at: datetime
    late_reason: str = ""
    lapor_number: str = ""


def intake_role(user, pemda: Pemda) -> str:
    """The role in which ``user`` records complaints for ``pemda`` (koordinator first), or raise."""
    roles = staff_roles(user)
    if pemda.pk in roles.koordinator_pemda_ids:
        return ActorRole.KOORDINATOR
    if pemda.pk in roles.loket_pemda_ids:
        return ActorRole.PETUGAS_LOKET
    raise PermissionDenied(code="role_not_allowed")


def intake_is_late(*, pemda: Pemda, received_at: datetime, now: datetime) -> bool:
    """Whether an entry typed in at ``now`` is more than LATE_AFTER_WORKING_DAYS working days late."""
    cal = calendar_for(pemda, around=received_at)
    return count_working_days(received_at, now, cal) > LATE_AFTER_WORKING_DAYS


def _check(intake: IntakeData, *, pemda: Pemda, now: datetime) -> IntakeData:
    late_reason = (intake.late_reason or "").strip()
    lapor_number = (intake.lapor_number or "").strip().upper()
    if intake.channel not in STAFF_INTAKE_CHANNELS:
        raise InvalidInput(_("Pilih kanal penerimaan aduan."), code="channel_invalid", field="channel")
    if intake.received_at is None or timezone.is_naive(intake.received_at):
        raise InvalidInput(_("Isi waktu aduan diterima."), code="received_at_required", field="received_at")
    if intake.received_at > now:
        raise InvalidInput(
            _("Waktu diterima tidak boleh di masa depan."), code="received_at_future", field="received_at"
        )
    if len(late_reason) > LATE_REASON_MAX:
        raise InvalidInput(
            _("Paling banyak %(max)s karakter.") % {"max": LATE_REASON_MAX},
            code="late_reason_too_long",
            field="late_reason",
        )
    if not late_reason and intake_is_late(pemda=pemda, received_at=intake.received_at, now=now):
        raise InvalidInput(
            _("Aduan ini dicatat lebih dari %(n)d hari kerja setelah diterima: isi alasannya.")
            % {"n": LATE_AFTER_WORKING_DAYS},
            code="late_reason_required",
            field="late_reason",
        )
    if intake.channel == Channel.LAPOR and not lapor_number:
        raise InvalidInput(
            _("Isi nomor pelacakan SP4N-LAPOR!."), code="lapor_number_required", field="lapor_number"
        )
    if len(lapor_number) > LAPOR_NUMBER_MAX:
        raise InvalidInput(
            _("Paling banyak %(max)s karakter.") % {"max": LAPOR_NUMBER_MAX},
            code="lapor_number_too_long",
            field="lapor_number",
        )
    if lapor_number and IntakeRecord.objects.filter(pemda=pemda, lapor_number=lapor_number).exists():
        raise _lapor_taken(pemda, lapor_number)
    return IntakeData(intake.channel, intake.received_at, late_reason, lapor_number)


def _lapor_taken(pemda: Pemda, lapor_number: str) -> InvalidInput:
    ticket = (
        Complaint.objects.filter(intake__pemda=pemda, intake__lapor_number=lapor_number)
        .values_list("ticket_number", flat=True)
        .first()
    )
    return InvalidInput(
        _("Nomor SP4N-LAPOR! %(number)s sudah tercatat sebagai aduan %(ticket)s.")
        % {"number": lapor_number, "ticket": ticket or "—"},
        code="lapor_number_taken",
        field="lapor_number",
    )


def _event_note(intake: IntakeData, pemda: Pemda) -> str:
    """The first event's note, in the source language (the timeline is shared by all readers)."""
    with override("id"), timezone.override(pemda.zoneinfo):
        received = date_format(timezone.localtime(intake.received_at), "j F Y H:i")
        note = _("Diterima melalui %(channel)s pada %(received)s.") % {
            "channel": Channel(intake.channel).label,
            "received": received,
        }
        if intake.lapor_number:
            note += " " + _("Nomor SP4N-LAPOR!: %(number)s.") % {"number": intake.lapor_number}
        if intake.late_reason:
            note += " " + _("Dicatat terlambat: %(reason)s") % {"reason": intake.late_reason}
    return note


def complaint_intake(
    *,
    pemda: Pemda,
    intake: IntakeData,
    recorded_by,
    uploads: tuple[CleanUpload, ...] = (),
    now: datetime | None = None,
    **complaint_fields,
) -> Complaint:
    """Record a complaint received off-line. ``recorded_by`` is the staff user (None for the
    system: an import); ``complaint_fields`` are ``complaint_submit``'s (title, chronology,
    reporter, is_anonymous, …). Raises PermissionDenied or InvalidInput and stores nothing."""
    now = now or timezone.now()
    role = intake_role(recorded_by, pemda) if recorded_by is not None else ActorRole.SYSTEM
    intake = _check(intake, pemda=pemda, now=now)
    if uploads and complaint_fields.get("is_anonymous"):
        # OPD staff see a complaint's files: a signed letter would show them who an anonim reporter is.
        raise InvalidInput(
            ANONYMOUS_LETTER,
            code="anonymous_letter",
            field="attachments",
        )
    complaint_fields.setdefault("reporter", ReporterData())
    try:
        with transaction.atomic():
            complaint = complaint_submit(
                pemda=pemda,
                channel=intake.channel,
                now=now,
                received_at=intake.received_at,
                recorded_by=recorded_by,
                recorded_role=role,
                event_note=_event_note(intake, pemda),
                **complaint_fields,
            )
            IntakeRecord.objects.create(
                complaint=complaint,
                pemda=pemda,
                recorded_at=now,
                recorded_by=recorded_by,
                recorded_role=role,
                late_reason=intake.late_reason,
                lapor_number=intake.lapor_number,
            )
            for upload in uploads:
                attachment_add(complaint=complaint, upload=upload, uploaded_by=None, now=now)
    except IntegrityError as exc:
        # Two desks typing the same SP4N-LAPOR! number at once: the unique constraint decides.
        if intake.lapor_number and "intake_lapor_unique" in str(exc):
            raise _lapor_taken(pemda, intake.lapor_number) from None
        raise
    return complaint
