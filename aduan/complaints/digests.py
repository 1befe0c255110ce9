"""The daily digest: each OPD officer and head hears, once a day, of their OPD's complaints whose
first answer is due within two working days or overdue (the follow-up clocks of aduan.sla, sent
through the aduan.notifications outbox)."""

from datetime import datetime, timedelta

from django.utils import timezone

from aduan.agencies.models import Role
from aduan.notifications.models import Audience, Channel
from aduan.notifications.services import notification_queue, site_url, staff_with_roles
from aduan.sla.display import deadline_due_texts
from aduan.sla.models import Deadline, Stage

DIGEST_LOCAL_HOUR = 7


def digests_send(*, now: datetime) -> int:
    """Queue today's digest for every OPD officer and head whose OPD has clocks due within two
    working days or overdue, once per local day (after 07:00 in the Pemda's zone)."""
    soon = now + timedelta(days=3)
    rows = (
        Deadline.objects.open()
        .filter(stage=Stage.FOLLOW_UP, opd__isnull=False, due_at__lte=soon)
        .select_related("opd__pemda", "complaint__pemda")
        .order_by("opd_id", "due_at")
    )
    rows = list(rows)
    labels = deadline_due_texts(rows)
    by_opd: dict[int, list] = {}
    for d in rows:
        by_opd.setdefault(d.opd_id, []).append(d)
    queued = 0
    for opd_id, deadlines in by_opd.items():
        opd = deadlines[0].opd
        zone = opd.pemda.zoneinfo
        local_now = timezone.localtime(now, zone)
        if local_now.hour < DIGEST_LOCAL_HOUR:
            continue
        items = [
            {
                "ticket_number": d.complaint.ticket_number,
                "title": d.complaint.title,
                "due_at": labels[d.pk],
                "overdue": d.due_at <= now,
                "paused": d.paused_at is not None,
            }
            for d in deadlines
        ]
        context = {
            "opd": str(opd),
            "date": f"{local_now:%d-%m-%Y}",
            "items": items,
            "overdue_count": sum(i["overdue"] for i in items),
            "link": site_url("/staf/"),
        }
        for user in staff_with_roles(roles=[Role.PETUGAS_OPD, Role.KEPALA_OPD], opd_id=opd_id):
            queued += (
                notification_queue(
                    key=f"digest:{opd_id}:{local_now:%Y%m%d}:u{user.pk}",
                    kind="staff_digest",
                    channel=Channel.EMAIL,
                    audience=Audience.STAFF,
                    address=user.email,
                    recipient_user=user,
                    context={**context, "recipient": user.get_full_name()},
                    now=now,
                )
                is not None
            )
    return queued
