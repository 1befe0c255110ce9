"""Rebuilding and checking the compliance rollups (aduan.sla.rollups).

- ``rollups_rebuild(pemdas, progress=...)``: every cell of each Pemda recomputed from its complaints
  (aduan.complaints.rollups.facts_of, the same definition the moves use), one transaction per Pemda.
  Run it after a bulk load (the synthetic generator and ``load_demo`` do), after a Pemda's time
  zone changed, or when the check finds a difference. Moves of that Pemda that commit while its
  rebuild runs may be missed or counted twice: rebuild when the Pemda is quiet, then check.
- ``rollups_check(pemdas, periods, now)``: ``metrics_for`` and ``trend_for`` (the rollups) against
  ``metrics_scan`` and ``trend_scan`` (a full scan) for each Pemda and period; returns the
  differences, one line each (empty: consistent). ``manage.py metrics_rebuild --check`` and the
  nightly ``aduan.compliance.tasks.metrics_check`` (a sample of Pemdas) run it.
"""

import dataclasses
import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db import connection, transaction

from aduan.complaints.models import Complaint
from aduan.complaints.rollups import facts_of, rows_of
from aduan.sla.models import MetricRollup
from aduan.sla.rollups import Facts, rollup_replace

from .metrics import Period, metrics_for, trend_for
from .metrics_scan import metrics_scan, trend_scan

logger = logging.getLogger(__name__)

BATCH = 2000
CHECK_CACHE_KEY = "compliance:rollup-check:v1"  # the last nightly result, for /metrics


def rollups_rebuild(pemdas: Iterable, *, progress: Callable[[int], None] | None = None) -> int:
    """Recompute every cell of ``pemdas`` from a full scan; returns how many complaints were read.
    ``progress(done)`` is called with the running total of complaints after each batch."""
    done = 0
    for pemda in pemdas:
        with transaction.atomic():
            facts: Facts = Facts()
            batch = []
            for row in rows_of(Complaint.objects.filter(pemda=pemda).order_by("pk")):
                batch.append(row)
                if len(batch) >= BATCH:
                    facts.update(facts_of(batch))
                    done += len(batch)
                    batch = []
                    if progress:
                        progress(done)
            if batch:
                facts.update(facts_of(batch))
                done += len(batch)
            rollup_replace(pemda_ids=[pemda.pk], facts=facts)
        if progress:
            progress(done)
    if connection.vendor == "postgresql":  # fresh statistics, or the planner guesses one row
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {MetricRollup._meta.db_table}")
    return done


def _differences(label: str, ours, reference) -> list[str]:
    if ours == reference:
        return []
    if dataclasses.is_dataclass(ours):
        return [
            f"{label}.{f.name}: rollups {getattr(ours, f.name)!r} ≠ scan {getattr(reference, f.name)!r}"
            for f in dataclasses.fields(ours)
            if getattr(ours, f.name) != getattr(reference, f.name)
        ]
    return [f"{label}: rollups {ours!r} ≠ scan {reference!r}"]


def rollups_check(*, pemdas: Iterable, periods: Iterable[Period], now: datetime) -> list[str]:
    """Every difference between the rollups and a full scan, for each Pemda and period."""
    problems: list[str] = []
    for pemda in pemdas:
        for period in periods:
            ours = metrics_for(pemdas=[pemda], period=period, now=now)
            reference = metrics_scan(pemdas=[pemda], period=period, now=now)
            where = f"pemda {pemda.code} {period.key}"
            if [o.pk for o in ours.opds] != [o.pk for o in reference.opds]:
                problems.append(f"{where}: OPDs differ")
            problems += _differences(where, ours.by_pemda[pemda.pk], reference.by_pemda[pemda.pk])
            for opd_id, figures in reference.by_opd.items():
                problems += _differences(f"{where} opd {opd_id}", ours.by_opd.get(opd_id), figures)
        last_month = max(p.last for p in periods).replace(day=1)
        ours_trend = trend_for(pemda=pemda, last_month=last_month)
        reference_trend = trend_scan(pemda=pemda, last_month=last_month)
        problems += _differences(
            f"pemda {pemda.code} trend to {last_month:%Y-%m}", ours_trend, reference_trend
        )
    return problems


def default_periods(today: date) -> list[Period]:
    """What the nightly check compares: this year, this month and last month."""
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return [
        Period.year(today.year),
        Period.month(today.year, today.month),
        Period.month(last_month.year, last_month.month),
    ]


def check_result_store(*, checked: int, differences: int, at: datetime) -> None:
    cache.set(CHECK_CACHE_KEY, {"checked": checked, "differences": differences, "at": at.isoformat()}, None)


def check_result() -> dict | None:
    """The last nightly check: Pemdas checked, differences found, when (None: never ran)."""
    return cache.get(CHECK_CACHE_KEY)
