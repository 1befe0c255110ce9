"""The deadline sweep task (beat runs it every minute; see config/celery.py)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from .services import deadlines_sweep

BATCH_SIZE = 500
MAX_BATCHES = 20  # at most 10,000 clocks per run; the next run picks up the rest


@shared_task(
    name="aduan.sla.tasks.sweep",
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),  # a lost database connection: retry soon
    retry_backoff=2,
    retry_backoff_max=30,
    max_retries=3,  # then beat's next run (every minute) takes over
)
def sweep() -> int:
    """Act on every clock whose reminder, breach, escalation or auto-resolution is due. Each chunk
    commits on its own with its effects recorded under unique keys, so a sweep killed or cut off
    half-way is simply finished by the next one (nothing twice)."""
    handled = 0
    for _ in range(MAX_BATCHES):
        count = deadlines_sweep(now=timezone.now(), batch_size=BATCH_SIZE)
        handled += count
        if count < BATCH_SIZE:
            break
    return handled
