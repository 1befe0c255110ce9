"""Every write of Ombudsman reports. Each one locks the complaint's row (the order the workflow and
the deadline sweep use), then the report's, checks the actor and the input, and changes everything
or nothing (a refused action raises a DomainError).

- ``report_submit``: the reporter takes an eligible complaint to their province's Ombudsman, once.
- ``clarification_request``: the Ombudsman asks the Pemda for clarification; starts the
  14-calendar-day ``clarification`` clock (aduan.sla: reminder, escalation to the koordinator and
  the kepala OPD, swept like every clock).
- ``clarification_answer``: the Pemda's answer (typed by its koordinator, or recorded by the
  Ombudsman); meets the clock.
- ``report_close``: the Ombudsman's finding (maladministrasi or not) and corrective actions.
- ``action_done``: the koordinator reports a corrective action carried out, with a note.
- ``corrective_actions_remind``: the koordinator is reminded ACTION_REMIND_DAYS before a corrective
  action's due date; once past it, the koordinator and the Ombudsman are told (each message once).
"""

import hmac
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.agencies.selectors import staff_roles
from aduan.complaints.models import Complaint
from aduan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionDenied
from aduan.sla.models import Deadline, Stage
from aduan.sla.services import ClockEffects, deadlines_on_transition

from . import notify
from .models import (
    OPEN_REPORT_STATUSES,
    REASON_MAX_LENGTH,
    ClarificationRequest,
    CorrectiveAction,
    Finding,
    OmbudsmanReport,
    ReportStatus,
)
from .selectors import grounds_for

REASON_MIN_LENGTH = 20
ACTIONS_MAX = 10
ACTION_DUE_MAX_DAYS = 366
ACTION_REMIND_DAYS = 3


class NotEligible(DomainError):
    code = "ombudsman_not_eligible"
    default_message = _(
        "Aduan ini belum dapat dilaporkan ke Ombudsman: hanya aduan yang diarsipkan, diteruskan ke "
        "instansi lain, jawabannya Anda tolak dua kali, atau melewati 60 hari tanpa selesai."
    )


class AlreadyReported(DomainError):
    code = "ombudsman_already_reported"
    default_message = _("Aduan ini sudah dilaporkan ke Ombudsman.")


class ReportStateError(DomainError):
    code = "ombudsman_report_state"
    default_message = _("Tindakan ini tidak dapat dilakukan pada status laporan saat ini.")


def _text(value: str, *, field: str, required_message, max_length: int = REASON_MAX_LENGTH) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(required_message, code=f"{field}_required", field=field)
    if len(value) > max_length:
        raise InvalidInput(
            _("Paling banyak %(max)s karakter.") % {"max": max_length}, code=f"{field}_too_long", field=field
        )
    return value


def _lock_complaint(complaint_id: int) -> Complaint:
    try:
        return Complaint.objects.select_for_update(of=("self",)).select_related("pemda").get(pk=complaint_id)
    except Complaint.DoesNotExist:
        raise NotFound() from None


def _lock_report(report_id: int) -> tuple[OmbudsmanReport, Complaint]:
    """Lock the report's complaint, then the report (the workflow's and the sweep's order)."""
    complaint_id = OmbudsmanReport.objects.filter(pk=report_id).values_list("complaint_id", flat=True).first()
    if complaint_id is None:
        raise NotFound()
    complaint = _lock_complaint(complaint_id)
    report = OmbudsmanReport.objects.select_for_update().get(pk=report_id)
    report.complaint = complaint
    return report, complaint


def _require_ombudsman(user, report) -> None:
    if report.province_id not in staff_roles(user).ombudsman_province_ids:
        raise NotFound()  # existence is not leaked


def report_submit(
    *, complaint_id: int, secret: str, reason: str, consent: bool, now: datetime | None = None
) -> OmbudsmanReport:
    """The reporter (holder of the tracking ``secret``) takes the complaint to the Ombudsman of the
    Pemda's province. An anonim complaint stays anonim whatever ``consent`` says."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint = _lock_complaint(complaint_id)
        if not secret or not hmac.compare_digest(secret.encode(), complaint.tracking_secret.encode()):
            raise PermissionDenied(code="role_not_allowed")
        if OmbudsmanReport.objects.filter(complaint=complaint).exists():
            raise AlreadyReported()
        grounds = grounds_for(complaint, now=now)
        if not grounds:
            raise NotEligible()
        reason = _text(
            reason, field="reason", required_message=_("Tuliskan alasan Anda melapor ke Ombudsman.")
        )
        if len(reason) < REASON_MIN_LENGTH:
            raise InvalidInput(
                _("Alasan paling sedikit %(min)s karakter.") % {"min": REASON_MIN_LENGTH},
                code="reason_too_short",
                field="reason",
            )
        try:
            with transaction.atomic():
                report = OmbudsmanReport.objects.create(
                    complaint=complaint,
                    province_id=complaint.pemda.province_id,
                    ground=grounds[0],
                    reason=reason,
                    identity_shared=bool(consent) and not complaint.is_anonymous,
                    submitted_at=now,
                )
        except IntegrityError:  # a concurrent submit won (the unique complaint): one report
            raise AlreadyReported() from None
        notify.report_submitted(report, now=now)
    return report


def clarification_request(*, report_id: int, user, question: str, now: datetime | None = None):
    """The Ombudsman asks the Pemda for clarification; the 14-day clock starts."""
    now = now or timezone.now()
    with transaction.atomic():
        report, complaint = _lock_report(report_id)
        _require_ombudsman(user, report)
        if report.status not in (ReportStatus.SUBMITTED, ReportStatus.ANSWERED):
            raise ReportStateError()
        question = _text(
            question, field="question", required_message=_("Tuliskan hal yang perlu diklarifikasi Pemda.")
        )
        deadlines_on_transition(
            complaint=complaint, effects=ClockEffects(starts=(Stage.CLARIFICATION,)), hop=None, now=now
        )
        deadline = Deadline.objects.open().filter(complaint=complaint, stage=Stage.CLARIFICATION).first()
        request = ClarificationRequest.objects.create(
            report=report, question=question, requested_by=user, requested_at=now, deadline=deadline
        )
        report.status = ReportStatus.CLARIFICATION
        report.save(update_fields=["status", "updated_at"])
        notify.clarification_requested(report, request, now=now)
    return request


def clarification_answer(*, report_id: int, user, answer: str, now: datetime | None = None):
    """The Pemda's answer, typed by the koordinator of the complaint's Pemda or recorded by the
    Ombudsman (e.g. received by letter); meets the clarification clock."""
    now = now or timezone.now()
    with transaction.atomic():
        report, complaint = _lock_report(report_id)
        me = staff_roles(user)
        is_ombudsman = report.province_id in me.ombudsman_province_ids
        if not is_ombudsman and complaint.pemda_id not in me.koordinator_pemda_ids:
            raise NotFound()
        request = (
            ClarificationRequest.objects.select_for_update().filter(report=report, answered_at=None).first()
        )
        if report.status != ReportStatus.CLARIFICATION or request is None:
            raise ReportStateError()
        answer = _text(answer, field="answer", required_message=_("Tuliskan jawaban klarifikasi Pemda."))
        deadlines_on_transition(
            complaint=complaint, effects=ClockEffects(meets=(Stage.CLARIFICATION,)), hop=None, now=now
        )
        request.answer, request.answered_by, request.answered_at = answer, user, now
        request.save(update_fields=["answer", "answered_by", "answered_at"])
        report.status = ReportStatus.ANSWERED
        report.save(update_fields=["status", "updated_at"])
        notify.clarification_answered(report, request, by_ombudsman=is_ombudsman, now=now)
    return request


def _clean_actions(complaint, actions, *, now: datetime) -> list[tuple[str, date]]:
    today = now.astimezone(complaint.pemda.zoneinfo).date()
    cleaned = []
    for description, due_date in actions:
        description = (description or "").strip()
        if not description and due_date is None:
            continue  # an empty row of the form
        if not description:
            raise InvalidInput(_("Uraikan tindakan korektif."), code="action_required", field="actions")
        if len(description) > 2000:
            raise InvalidInput(
                _("Uraian tindakan korektif paling banyak 2000 karakter."),
                code="action_too_long",
                field="actions",
            )
        if due_date is None:
            raise InvalidInput(
                _("Isi batas waktu setiap tindakan korektif."), code="action_due_required", field="actions"
            )
        if not today <= due_date <= date.fromordinal(today.toordinal() + ACTION_DUE_MAX_DAYS):
            raise InvalidInput(
                _("Batas waktu tindakan korektif harus antara hari ini dan satu tahun ke depan."),
                code="action_due_invalid",
                field="actions",
            )
        cleaned.append((description, due_date))
    if len(cleaned) > ACTIONS_MAX:
        raise InvalidInput(
            _("Paling banyak %(max)s tindakan korektif.") % {"max": ACTIONS_MAX},
            code="actions_too_many",
            field="actions",
        )
    return cleaned


def report_close(
    *, report_id: int, user, finding: str, note: str, actions=(), now: datetime | None = None
) -> OmbudsmanReport:
    """The Ombudsman closes the report with a finding and corrective actions [(text, due date)]
    (at least one when maladministration was found). An unanswered clarification is cancelled."""
    now = now or timezone.now()
    with transaction.atomic():
        report, complaint = _lock_report(report_id)
        _require_ombudsman(user, report)
        if report.status not in OPEN_REPORT_STATUSES:
            raise ReportStateError()
        if finding not in Finding.values:
            raise InvalidInput(_("Pilih temuan pemeriksaan."), code="finding_required", field="finding")
        note = _text(note, field="note", required_message=_("Uraikan temuan pemeriksaan."))
        cleaned = _clean_actions(complaint, actions, now=now)
        if finding == Finding.MALADMINISTRATION and not cleaned:
            raise InvalidInput(
                _("Temuan maladministrasi memerlukan paling sedikit satu tindakan korektif."),
                code="actions_required",
                field="actions",
            )
        if report.status == ReportStatus.CLARIFICATION:
            deadlines_on_transition(
                complaint=complaint, effects=ClockEffects(cancels=(Stage.CLARIFICATION,)), hop=None, now=now
            )
        CorrectiveAction.objects.bulk_create(
            [
                CorrectiveAction(report=report, description=d, due_date=due, created_at=now)
                for d, due in cleaned
            ]
        )
        report.status, report.finding, report.finding_note = ReportStatus.CLOSED, finding, note
        report.closed_at, report.closed_by = now, user
        report.save(
            update_fields=["status", "finding", "finding_note", "closed_at", "closed_by", "updated_at"]
        )
        notify.report_closed(report, now=now)
    return report


def action_done(*, action_id: int, user, note: str, now: datetime | None = None) -> CorrectiveAction:
    """The koordinator of the complaint's Pemda reports a corrective action carried out."""
    now = now or timezone.now()
    report_id = CorrectiveAction.objects.filter(pk=action_id).values_list("report_id", flat=True).first()
    if report_id is None:
        raise NotFound()
    with transaction.atomic():
        report, complaint = _lock_report(report_id)
        if complaint.pemda_id not in staff_roles(user).koordinator_pemda_ids:
            raise NotFound()
        action = CorrectiveAction.objects.select_for_update().get(pk=action_id)
        if action.done_at is not None:
            raise ReportStateError(
                _("Tindakan korektif ini sudah dilaporkan selesai."), code="action_already_done"
            )
        note = _text(note, field="done_note", required_message=_("Tuliskan apa yang sudah dilaksanakan."))
        action.done_at, action.done_by, action.done_note = now, user, note
        action.save(update_fields=["done_at", "done_by", "done_note"])
        notify.action_done(report, action, now=now)
    return action


def corrective_actions_remind(*, now: datetime) -> int:
    """Queue the reminders of open corrective actions due within ACTION_REMIND_DAYS and the notices
    of those past their due date (in each Pemda's own zone); each once (outbox keys)."""
    queued = 0
    horizon = (now + timedelta(days=ACTION_REMIND_DAYS + 1)).date()
    actions = (
        CorrectiveAction.objects.filter(done_at__isnull=True, due_date__lte=horizon)
        .select_related("report__complaint__pemda", "report__province")
        .order_by("due_date", "pk")
    )
    for action in actions:
        today = now.astimezone(action.report.complaint.pemda.zoneinfo).date()
        if action.due_date < today:
            queued += notify.action_overdue(action.report, action, now=now)
        elif (action.due_date - today).days <= ACTION_REMIND_DAYS:
            queued += notify.action_due_soon(action.report, action, now=now)
    return queued
