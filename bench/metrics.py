"""Metrics benchmark (issue 20): every OPD of every Pemda over a trailing year, in the same run
- ``metrics_for``: the figures from the rollups (aduan.sla.rollups) — what pages and the API use
  (its query count, and also for last calendar year);
- ``metrics_scan``: the same figures by the old full scan of complaints, hops, clocks and ratings;
- the heart of that scan written as raw SQL (follow-up and resolution clocks per OPD: counts, on
  time, median and p90 of the stored working days — PostgreSQL's percentile_disc);
and checks that the rollups and the scan give the same figures for every OPD. ``--no-scan`` (or
``scan=False``) leaves the slow scan out."""

import time
from datetime import timedelta

from common import django_setup, report, summary

RAW_SQL = """
SELECT d.opd_id, d.stage,
       count(*) AS clocks,
       count(*) FILTER (WHERE d.breached_at IS NULL) AS on_time,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY d.working_days_taken) AS median_days,
       percentile_disc(0.9) WITHIN GROUP (ORDER BY d.working_days_taken) AS p90_days
FROM sla_deadline d
WHERE d.stage IN ('follow_up', 'resolution')
  AND coalesce(d.met_at, d.cancelled_at) >= %s AND coalesce(d.met_at, d.cancelled_at) < %s
GROUP BY d.opd_id, d.stage
"""


def _timed(fn, repeats):
    timings, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        timings.append(time.perf_counter() - started)
    return result, timings


def run(*, repeats: int = 3, scan: bool = True) -> dict:
    django_setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from aduan.agencies.models import Pemda
    from aduan.compliance.metrics import Period, metrics_for
    from aduan.compliance.metrics_scan import metrics_scan
    from aduan.sla.models import MetricRollup

    now = timezone.now()
    today = now.date()
    period = Period(today - timedelta(days=365), today, "trailing-year")
    pemdas = list(Pemda.objects.all())
    figures = {"pemdas": len(pemdas), "rollup_cells": MetricRollup.objects.count()}
    with CaptureQueriesContext(connection) as queries:
        metrics_for(pemdas=pemdas, period=period, now=now)
    figures["metrics_rollups_queries"] = len(queries)
    ours, timings = _timed(lambda: metrics_for(pemdas=pemdas, period=period, now=now), repeats)
    figures["opds"] = len(ours.opds)
    figures.update(summary("metrics_rollups", timings))
    # A calendar year that has ended: one year span, the backlog from the rollups' state cells.
    last_year = Period.year(today.year - 1)
    _, timings = _timed(lambda: metrics_for(pemdas=pemdas, period=last_year, now=now), repeats)
    figures.update(summary("metrics_rollups_last_year", timings))
    start, end = now - timedelta(days=365), now

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, [start, end])
            return cursor.fetchall()

    rows, raw_timings = _timed(raw, repeats)
    figures["raw_sql_groups"] = len(rows)
    figures.update(summary("raw_sql", raw_timings))
    if scan:
        reference, scan_timings = _timed(lambda: metrics_scan(pemdas=pemdas, period=period, now=now), 1)
        figures.update(summary("metrics_full_scan", scan_timings))
        figures["full_scan_over_rollups"] = round(
            figures["metrics_full_scan_median_ms"] / figures["metrics_rollups_median_ms"], 1
        )
        figures["opds_differing"] = sum(
            1 for pk, f in reference.by_opd.items() if ours.by_opd.get(pk) != f
        ) + sum(1 for pk, f in reference.by_pemda.items() if ours.by_pemda.get(pk) != f)
    raw_ms = figures["raw_sql_median_ms"] or 0
    figures["rollups_over_raw_sql"] = (
        round(figures["metrics_rollups_median_ms"] / raw_ms, 2) if raw_ms else None
    )
    return report(figures, title="metrics recompute, every OPD, trailing year: rollups vs full scan")


if __name__ == "__main__":
    import sys

    run(scan="--no-scan" not in sys.argv)
