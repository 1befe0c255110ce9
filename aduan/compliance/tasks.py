"""Score recomputation (beat runs ``recompute_all`` nightly; pages queue ``recompute`` on demand).
Both are safe to repeat: ``score_compute`` returns the latest snapshot when nothing changed, and
writes a new one in one transaction under the Pemda's row lock (a worker killed mid-way leaves
nothing; the rerun makes exactly one)."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from aduan.agencies.models import Pemda

from .services import NoMethodology, score_compute

logger = logging.getLogger(__name__)


@shared_task(
    name="aduan.compliance.tasks.recompute",
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),  # a lost database connection: retry with backoff
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=6,
)
def recompute(pemda_id: int, year: int, user_id: int | None = None) -> bool:
    """Recompute one Pemda's score for one year; True if a new snapshot was made."""
    from aduan.users.models import User

    user = User.objects.filter(pk=user_id).first() if user_id else None
    try:
        _snapshot, created = score_compute(pemda_id=pemda_id, year=year, user=user)
    except NoMethodology:
        logger.info("no methodology for %s; pemda %s not scored", year, pemda_id)
        return False
    return created


@shared_task(name="aduan.compliance.tasks.recompute_all", ignore_result=True)
def recompute_all() -> int:
    """Recompute every Pemda's score for its current local year; returns how many changed."""
    now = timezone.now()
    changed = 0
    for pemda in Pemda.objects.all():
        try:
            changed += recompute(pemda.pk, timezone.localtime(now, pemda.zoneinfo).year)
        except Exception:
            logger.exception("compliance score of pemda %s failed; retried next night", pemda.pk)
    return changed


@shared_task(name="aduan.compliance.tasks.dashboards_warm", ignore_result=True)
def dashboards_warm() -> int:
    """Refresh the cached default figures of every Pemda's dashboard (beat, every 5 minutes, below
    ADUAN_METRICS_CACHE_SECONDS): visitors read them from the cache instead of waiting seconds."""
    from .metrics import dashboards_warm as warm

    return warm(pemdas=Pemda.objects.all(), now=timezone.now())
