"""The retention job (beat: config/celery.py, daily). Repeat-safe: work is selected by state."""

from celery import shared_task
from django.utils import timezone

from .services import retention_apply as retention_run


@shared_task(name="aduan.privacy.tasks.retention_apply", ignore_result=True)
def retention_apply() -> int:
    """Anonymise, purge and scrub what has passed its retention; returns the RetentionRun id."""
    return retention_run(now=timezone.now()).pk
