"""Thin, repeat-safe delivery tasks: they re-read the outbox row and do nothing if it is done."""

from celery import shared_task
from django.utils import timezone

from .services import digests_send, notification_deliver, outbox_due


@shared_task(name="aduan.notifications.tasks.notification_send", ignore_result=True)
def notification_send(pk: int) -> bool:
    """Deliver one notification now (queued on commit of the change that caused it)."""
    return notification_deliver(pk)


@shared_task(name="aduan.notifications.tasks.outbox_flush", ignore_result=True)
def outbox_flush(limit: int = 200) -> int:
    """Deliver pending notifications whose attempt is due: retries after a failure, and any whose
    send task was lost (broker down at commit time)."""
    now = timezone.now()
    return sum(notification_deliver(pk, now=now) for pk in outbox_due(now=now, limit=limit))


@shared_task(name="aduan.notifications.tasks.digests", ignore_result=True)
def digests() -> int:
    """Queue the daily digest per OPD (once per local day; runs often, acts once)."""
    return digests_send(now=timezone.now())
