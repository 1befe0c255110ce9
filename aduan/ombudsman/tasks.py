"""The corrective actions' follow-up (beat: config/celery.py, hourly). Repeat-safe: each message
is queued once under its outbox key, however often or concurrently the task runs."""

from celery import shared_task
from django.utils import timezone

from .services import corrective_actions_remind


@shared_task(name="aduan.ombudsman.tasks.actions_remind", ignore_result=True)
def actions_remind() -> int:
    """Remind the koordinator of corrective actions due soon and tell them (and the Ombudsman) of
    the ones past their due date; returns how many messages were queued."""
    return corrective_actions_remind(now=timezone.now())
