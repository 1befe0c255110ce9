"""Metrics recompute benchmark (issue 8): every OPD of every Pemda over a trailing year with
``aduan.compliance.metrics.metrics_for``, and the ratio to the heart of the same aggregate written
as raw SQL (follow-up and resolution clocks per OPD: counts, on time, median and p90 of the stored
working days — PostgreSQL's percentile_disc)."""

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


def run(*, repeats: int = 3) -> dict:
    django_setup()
    from django.db import connection
    from django.utils import timezone

    from aduan.agencies.models import Pemda
    from aduan.compliance.metrics import Period, metrics_for

    now = timezone.now()
    today = now.date()
    period = Period(today - timedelta(days=365), today, "trailing-year")
    pemdas = list(Pemda.objects.all())
    timings, raw_timings = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        result = metrics_for(pemdas=pemdas, period=period, now=now)
        timings.append(time.perf_counter() - started)
    start, end = now - timedelta(days=365), now
    for _ in range(repeats):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, [start, end])
            rows = cursor.fetchall()
        raw_timings.append(time.perf_counter() - started)
    figures = {
        "pemdas": len(pemdas),
        "opds": len(result.opds),
        "raw_sql_groups": len(rows),
        **summary("metrics_recompute", timings),
        **summary("raw_sql", raw_timings),
    }
    raw = figures["raw_sql_median_ms"] or 0
    figures["ratio_to_raw_sql"] = round(figures["metrics_recompute_median_ms"] / raw, 2) if raw else None
    return report(figures, title="metrics recompute, every OPD, trailing year")


if __name__ == "__main__":
    run()
