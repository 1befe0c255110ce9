"""Nightly upkeep of accounts (beat: config/celery.py)."""

from celery import shared_task
from django.utils import timezone

from .tokens import api_tokens_purge


@shared_task(name="aduan.users.tasks.tokens_purge", ignore_result=True)
def tokens_purge() -> int:
    """Delete API tokens expired long ago (aduan.users.tokens.EXPIRED_KEPT_DAYS); returns how many.
    Repeat-safe: work is selected by state."""
    return api_tokens_purge(now=timezone.now())
