"""Who is told what about an Ombudsman report (outbox rows written in the service's transaction,
sent after commit by aduan.notifications).

Staff messages (kind ``staff_ombudsman``) carry the ticket number, the title, the Pemda and a link:
never the reporter's identity, never the reporter's reason (their own words may identify them).
The reporter (kind ``citizen_ombudsman``) is told at their own contact only.
"""

from datetime import datetime

from django.conf import settings
from django.db.models import Q

from aduan.agencies.models import Role, StaffMembership
from aduan.complaints.selectors import reporter_contact_for_delivery
from aduan.notifications.models import Audience, Channel
from aduan.notifications.services import local_str, notification_queue, site_url

STAFF_KIND = "staff_ombudsman"
CITIZEN_KIND = "citizen_ombudsman"


def _staff(*, province_id=None, pemda_id=None, kepala_opd_id=None) -> list:
    scope = Q(pk__in=[])
    if province_id is not None:
        scope |= Q(role=Role.OMBUDSMAN, province_id=province_id)
    if pemda_id is not None:
        scope |= Q(role=Role.KOORDINATOR, pemda_id=pemda_id)
    if kepala_opd_id is not None:
        scope |= Q(role=Role.KEPALA_OPD, opd_id=kepala_opd_id)
    rows = StaffMembership.objects.filter(scope, is_active=True, user__is_active=True).select_related("user")
    return list({m.user_id: m.user for m in rows.order_by("user_id")}.values())


def _context(report, event: str, **extra) -> dict:
    complaint = report.complaint
    return {
        "event": event,
        "ticket_number": complaint.ticket_number,
        "title": complaint.title,
        "pemda": complaint.pemda.name,
        "province": report.province.name,
        **extra,
    }


def _to_staff(users, *, key: str, context: dict, report, now: datetime) -> int:
    sent = 0
    for user in users:
        if not user.email:
            continue
        sent += (
            notification_queue(
                key=f"{key}:u{user.pk}",
                kind=STAFF_KIND,
                channel=Channel.EMAIL,
                audience=Audience.STAFF,
                address=user.email,
                recipient_user=user,
                complaint=report.complaint,
                context={
                    **context,
                    "recipient": user.get_full_name(),
                    "link": site_url(f"/staf/ombudsman/laporan/{report.pk}/"),
                },
                now=now,
            )
            is not None
        )
    return sent


def _to_reporter(report, *, key: str, context: dict, now: datetime) -> int:
    complaint = report.complaint
    reporter = reporter_contact_for_delivery(complaint)
    if reporter is None:
        return 0
    if reporter.email:
        channel, address = Channel.EMAIL, reporter.email
    elif reporter.phone and settings.ADUAN_WEBHOOK_URL:
        channel, address = Channel.WEBHOOK, reporter.phone
    else:
        return 0
    queued = notification_queue(
        key=f"{key}:citizen",
        kind=CITIZEN_KIND,
        channel=channel,
        audience=Audience.CITIZEN,
        address=address,
        complaint=complaint,
        language=reporter.language,
        context={**context, "link": site_url(f"/lacak/{complaint.tracking_secret}/")},
        now=now,
    )
    return int(queued is not None)


def report_submitted(report, *, now: datetime) -> None:
    context = _context(report, "submitted", ground=str(report.get_ground_display()))
    _to_staff(_staff(province_id=report.province_id), key=f"omb{report.pk}:submitted", context=context,
              report=report, now=now)  # fmt: skip
    _to_reporter(report, key=f"omb{report.pk}:submitted", context=context, now=now)


def clarification_requested(report, request, *, now: datetime) -> None:
    zone = report.complaint.pemda.zoneinfo
    due = local_str(request.deadline.due_at, zone) if request.deadline_id else ""
    context = _context(report, "clarification", question=request.question, due_at=due)
    users = _staff(pemda_id=report.complaint.pemda_id)
    _to_staff(users, key=f"omb-cl{request.pk}:requested", context=context, report=report, now=now)
    _to_reporter(
        report, key=f"omb-cl{request.pk}:requested", context=_context(report, "clarification"), now=now
    )


def clarification_answered(report, request, *, by_ombudsman: bool, now: datetime) -> None:
    context = _context(report, "answered", answer=request.answer)
    users = _staff(province_id=report.province_id)
    if by_ombudsman:  # recorded by the Ombudsman: the koordinator sees what was recorded
        users += _staff(pemda_id=report.complaint.pemda_id)
    _to_staff(users, key=f"omb-cl{request.pk}:answered", context=context, report=report, now=now)


def report_closed(report, *, now: datetime) -> None:
    actions = [f"{a.description} (≤ {a.due_date:%d-%m-%Y})" for a in report.actions.all()]
    context = _context(
        report,
        "closed",
        finding=str(report.get_finding_display()),
        finding_code=report.finding,
        finding_note=report.finding_note,
        actions=actions,
    )
    users = _staff(pemda_id=report.complaint.pemda_id, kepala_opd_id=report.complaint.current_opd_id)
    _to_staff(users, key=f"omb{report.pk}:closed", context=context, report=report, now=now)
    _to_reporter(report, key=f"omb{report.pk}:closed", context=context, now=now)


def action_done(report, action, *, now: datetime) -> None:
    context = _context(report, "action_done", action=action.description, done_note=action.done_note)
    _to_staff(_staff(province_id=report.province_id), key=f"omb-act{action.pk}:done", context=context,
              report=report, now=now)  # fmt: skip


def action_due_soon(report, action, *, now: datetime) -> int:
    context = _context(
        report, "action_due", action=action.description, due_date=f"{action.due_date:%d-%m-%Y}"
    )
    users = _staff(pemda_id=report.complaint.pemda_id)
    return _to_staff(users, key=f"omb-act{action.pk}:due", context=context, report=report, now=now)


def action_overdue(report, action, *, now: datetime) -> int:
    context = _context(
        report, "action_overdue", action=action.description, due_date=f"{action.due_date:%d-%m-%Y}"
    )
    users = _staff(pemda_id=report.complaint.pemda_id, province_id=report.province_id)
    return _to_staff(users, key=f"omb-act{action.pk}:overdue", context=context, report=report, now=now)
