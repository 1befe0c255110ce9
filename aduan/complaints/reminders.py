"""What the deadline sweep's effects tell people (handed to aduan.sla by ``apps.py``).

Reminders and escalations of the staff clocks go to staff (``notifications.deadline_effects_queue``);
the reminder of the reporter's reply window goes to the reporter alone, at their own contact, a few
working days before the window closes and the complaint is resolved without them.
"""

from datetime import datetime

from django.conf import settings

from aduan.notifications.models import Audience, Channel
from aduan.notifications.services import deadline_effects_queue, notification_queue, site_url
from aduan.sla.display import deadline_due_texts
from aduan.sla.models import EffectKind, Stage

from .selectors import reporter_contact_for_delivery


def deadline_effects_due(effects, *, now: datetime) -> int:
    """Queue the messages of the sweep's effects [(deadline, kind, level), ...]."""
    staff, citizen = [], []
    for effect in effects:
        deadline, kind, _level = effect
        is_reporter_reminder = deadline.stage == Stage.REPLY_WINDOW and kind == EffectKind.REMINDER
        (citizen if is_reporter_reminder else staff).append(effect)
    queued = deadline_effects_queue(staff, now=now, due_texts=deadline_due_texts) if staff else 0
    for deadline, _kind, _level in citizen:
        queued += reply_window_reminder_queue(deadline, now=now)
    return queued


def reply_window_reminder_queue(deadline, *, now: datetime) -> int:
    """Remind the reporter that their reply window closes at ``deadline.due_at`` (once per clock)."""
    complaint = deadline.complaint
    reporter = reporter_contact_for_delivery(complaint)
    if reporter is None:
        return 0
    context = {
        "ticket_number": complaint.ticket_number,
        "title": complaint.title,
        "pemda": complaint.pemda.name,
        "due_at": deadline_due_texts([deadline])[deadline.pk],
        "link": site_url(f"/lacak/{complaint.tracking_secret}/"),
    }
    if reporter.email:
        channel, address = Channel.EMAIL, reporter.email
    elif reporter.phone and settings.ADUAN_WEBHOOK_URL:
        channel, address = Channel.WEBHOOK, reporter.phone
    else:
        return 0
    queued = notification_queue(
        key=f"dl{deadline.pk}:reminder:1:citizen",
        kind="citizen_reply_reminder",
        channel=channel,
        audience=Audience.CITIZEN,
        address=address,
        complaint=complaint,
        language=reporter.language,
        context=context,
        now=now,
    )
    return int(queued is not None)
