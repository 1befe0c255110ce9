"""The figures behind readiness and the domain gauges: one query each, whatever the size (each
reads a partial index or a small set of rows), and never a personal field."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min
from django.utils.dateparse import parse_datetime

from aduan.complaints.models import CLOSED_STATUSES, Attachment, Complaint, ScanStatus
from aduan.notifications.models import DeliveryState, Notification
from aduan.sla.models import Deadline

QUARANTINED = (ScanStatus.PENDING, ScanStatus.ERROR)


def _grace() -> timedelta:
    return timedelta(minutes=settings.ADUAN_READINESS["grace_minutes"])


def heartbeat_age(stamp: str | None, now: datetime) -> float | None:
    """Seconds since the worker's last heartbeat (``None`` when there is none)."""
    moment = parse_datetime(stamp) if stamp else None
    return None if moment is None else max(0.0, (now - moment).total_seconds())


def outbox_overdue(now: datetime) -> dict[str, int]:
    """Notifications pending for longer than the grace period, and failed ones (given up)."""
    rows = (
        Notification.objects.filter(state__in=[DeliveryState.PENDING, DeliveryState.FAILED])
        .exclude(state=DeliveryState.PENDING, created_at__gt=now - _grace())
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {DeliveryState.PENDING.value: 0, DeliveryState.FAILED.value: 0}
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


def quarantine_overdue(now: datetime) -> int:
    return Attachment.objects.filter(
        scan_status__in=QUARANTINED, purged_at__isnull=True, created_at__lte=now - _grace()
    ).count()


def open_complaints_by_status() -> dict[str, int]:
    rows = (
        Complaint.objects.exclude(status__in=CLOSED_STATUSES)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["status"]: row["n"] for row in rows}


def sweep_lag_seconds(now: datetime) -> float:
    """How late the sweep is: the age of the oldest clock that is due for a look (0 when none)."""
    oldest = (
        Deadline.objects.open()
        .filter(paused_at__isnull=True, next_check_at__lte=now)
        .aggregate(oldest=Min("next_check_at"))["oldest"]
    )
    return 0.0 if oldest is None else (now - oldest).total_seconds()


def outbox_by_state() -> dict[str, int]:
    rows = (
        Notification.objects.filter(state__in=[DeliveryState.PENDING, DeliveryState.FAILED])
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {DeliveryState.PENDING.value: 0, DeliveryState.FAILED.value: 0}
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


def quarantine_by_status() -> dict[str, int]:
    rows = (
        Attachment.objects.filter(scan_status__in=QUARANTINED, purged_at__isnull=True)
        .values("scan_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {status.value: 0 for status in QUARANTINED}
    counts.update({row["scan_status"]: row["n"] for row in rows})
    return counts
