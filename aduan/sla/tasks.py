"""The deadline sweep task (beat runs it every minute; see config/celery.py)."""

from celery import shared_task
from django.utils import timezone

from .services import deadlines_sweep

BATCH_SIZE = 500
MAX_BATCHES = 20  # at most 10,000 clocks per run; the next run picks up the rest


@shared_task(name="aduan.sla.tasks.sweep", ignore_result=True)
def sweep() -> int:
    """Act on every clock whose reminder, breach, escalation or auto-resolution is due."""
    handled = 0
    for _ in range(MAX_BATCHES):
        count = deadlines_sweep(now=timezone.now(), batch_size=BATCH_SIZE)
        handled += count
        if count < BATCH_SIZE:
            break
    return handled
