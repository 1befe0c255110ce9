"""Small project-wide tasks."""

import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "aduan:celery:heartbeat"
logger = logging.getLogger(__name__)


@shared_task(name="aduan.core.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Record that a worker ran a task just now (beat sends this every minute)."""
    stamp = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, stamp, timeout=None)
    logger.info("heartbeat recorded")  # /readyz reads the stamp (aduan/ops/checks.py)
    return stamp
