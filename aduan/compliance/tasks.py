"""Score recomputation (beat runs ``recompute_all`` nightly; pages queue ``recompute`` on demand),
and the nightly check of the metric rollups against a full scan (``metrics_check``).
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

CHECK_SAMPLE = 5  # Pemdas the nightly rollup check compares with a full scan


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


@shared_task(name="aduan.compliance.tasks.metrics_check", ignore_result=True)
def metrics_check(sample: int = CHECK_SAMPLE) -> int:
    """Nightly: compare the rollups with a full scan for ``sample`` Pemdas chosen at random (this
    year, this month, last month). A difference is logged as an error (each line) and the result
    kept for the ``aduan_metrics_rollup_differences`` gauge; repair with ``manage.py metrics_rebuild
    --pemda CODE``. Returns the number of differences."""
    from .rollup_check import check_result_store, default_periods, rollups_check

    now = timezone.now()
    pemdas = list(Pemda.objects.order_by("?")[:sample])
    problems = rollups_check(pemdas=pemdas, periods=default_periods(timezone.localdate(now)), now=now)
    for line in problems:
        logger.error("compliance rollups differ from a full scan: %s", line)
    check_result_store(checked=len(pemdas), differences=len(problems), at=now)
    return len(problems)
