"""Thin, repeat-safe delivery tasks: they re-read the outbox row and do nothing if it is done.

A lost database connection (a restarted or failed-over PostgreSQL, a killed session) makes a task
retry with exponential backoff; the outbox row in PostgreSQL stays the source of truth, and
``outbox_flush`` (beat, every minute) delivers any row whose task was lost with the broker.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from .services import notification_deliver, outbox_due

# Database connection errors: worth retrying (a fresh connection is opened on the next try).
DB_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 8,
}
FLUSH_BATCHES = 25  # at most 25 × limit rows per run; the next run takes the rest


@shared_task(name="aduan.notifications.tasks.notification_send", ignore_result=True, **DB_RETRY)
def notification_send(pk: int) -> bool:
    """Deliver one notification now (queued on commit of the change that caused it)."""
    return notification_deliver(pk)


@shared_task(name="aduan.notifications.tasks.outbox_flush", ignore_result=True, **DB_RETRY)
def outbox_flush(limit: int = 200) -> int:
    """Deliver pending notifications whose attempt is due: retries after a failure, and any whose
    send task was lost (broker down at commit time, or restarted and emptied). Works through the
    backlog in batches, so a thousand lost tasks are delivered by one run."""
    now = timezone.now()
    sent = 0
    for _ in range(FLUSH_BATCHES):
        due = outbox_due(now=now, limit=limit)
        sent += sum(notification_deliver(pk, now=now) for pk in due)
        if len(due) < limit:
            break
    return sent
