"""The backlog of a period: complaints open at its end by age, for the OPD holding them now (a
state at one instant, not a sum of days; aduan.compliance.metrics explains the rollups). For a period
that has ended it is read from the rollups' state cells (``open``, ``open_days``), for one still
running from the open complaints (``backlog_scan_into``, which ``metrics_scan`` uses for every
period)."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When

from aduan.complaints.models import Complaint
from aduan.sla.models import MetricRollup
from aduan.sla.rollups import BACKLOG_DAYS, span_runs

from .cells import OPEN_STATUSES, DaysAfter, Zones, cells_db, cells_through, per_pemda
from .figures import BACKLOG_BUCKETS


def backlog_into(cells, zones: Zones, now: datetime) -> None:
    """Complaints open at the end of the period (or now, if earlier) by age, for the OPD holding
    them now: a state at one instant, not a sum of days. Where the period has ended, from the
    backlog's cells of the rollups (``backlog_rollups_into``); where it runs on, the backlog is
    now's, from the complaints table (``backlog_scan_into``: the open complaints, through their
    index). One query for each of the two kinds present."""
    ended, running = [], {}
    for zone, ids in zones.by_zone.items():
        if zones.period.bounds(ZoneInfo(zone))[1] <= now:
            ended += ids
        else:
            running[zone] = ids
    if ended:
        backlog_rollups_into(cells, ended, zones.period.last)
    if running:
        backlog_scan_into(cells, zones, now, by_zone=running)


def backlog_scan_into(cells, zones: Zones, now: datetime, *, by_zone: dict | None = None) -> None:
    """The backlog at the end of the period (or now, if earlier) from the complaints table: open
    then means submitted before that instant and open now or closed at or after it; the age is
    counted back from it in whole days (``submitted_at`` in ``[as_of − high − 1 days, as_of −
    low days)``). One query. Zones whose period ends at the same instant share one condition; where
    that instant is ``now`` (a running period) the query is two parts joined by UNION ALL: the
    complaints open at the time of the query (an index-only scan of the covering index
    complaint_pemda_status) and those closed since ``now`` (through complaint_pemda_closed, usually
    none), so the figure is the state at ``now`` whenever the query runs."""
    by_zone = zones.by_zone if by_zone is None else by_zone
    by_instant: dict[datetime, list[int]] = defaultdict(list)  # zones whose period ends together
    for zone, ids in by_zone.items():
        by_instant[zones.as_of(zone, now)] += ids
    bucket_counts = {}
    for key, _label, low, high in BACKLOG_BUCKETS:
        cond = Q(pk__in=[])
        for as_of, ids in by_instant.items():
            age = Q(submitted_at__lt=as_of - timedelta(days=low))
            if high is not None:
                age &= Q(submitted_at__gte=as_of - timedelta(days=high + 1))
            cond |= age if len(by_instant) == 1 else Q(pemda_id__in=ids) & age
        # submitted_at (never empty), not pk: the covering index holds it, not the id
        bucket_counts[key] = Count("submitted_at", filter=cond)
    # Open at as_of: submitted before it, and open now (closed_at is empty exactly for the open
    # statuses: complaint_closed_at_iff_closed) or closed at or after it.
    open_now, closed_since = Q(pk__in=[]), Q(pk__in=[])
    for as_of, ids in by_instant.items():
        before = Q(pemda_id__in=ids, submitted_at__lt=as_of)
        open_now |= before & Q(status__in=OPEN_STATUSES)
        closed_since |= before & Q(closed_at__gte=as_of)
    if any(as_of >= now for as_of in by_instant):
        parts = [open_now, closed_since]  # apart: the first alone is an index-only scan
    else:
        parts = [open_now | closed_since]
    by_opd = Complaint.objects.values("pemda_id", "current_opd_id")
    queries = [by_opd.filter(part).annotate(**bucket_counts).order_by() for part in parts]
    rows = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
    for row in rows:
        cell = cells[(row["pemda_id"], row["current_opd_id"])]
        for key, *_rest in BACKLOG_BUCKETS:
            cell.backlog[key] += row[key]


_BOUNDED = [(key, low, high) for key, _label, low, high in BACKLOG_BUCKETS if high is not None]
_OLDEST = next(key for key, _label, _low, high in BACKLOG_BUCKETS if high is None)
# The bounded buckets end where the ``open_days`` cells' exact ages do (a test checks it).


def backlog_rollups_into(cells, pemda_ids: list[int], last: date) -> None:
    """The backlog at the end of the local day ``last`` (a period that has ended) from the
    rollups (aduan.sla.rollups): the running total of ``open`` is every complaint open then; the
    ``open_days`` cells of the 61 days up to ``last`` still open then give the buckets up to 60
    days by age ``last − day``, and the oldest bucket is the rest. The same figures as
    ``backlog_scan_into`` at that instant (midnight in the Pemda's zone). One query (through the
    index metric_rollup_backlog)."""
    window = last - timedelta(days=BACKLOG_DAYS - 1)
    if cells_db().vendor == "postgresql":
        bucket, bucket_params = "CASE WHEN metric = 'open' THEN ''", []
        for key, low, high in _BOUNDED:
            bucket += " WHEN day BETWEEN %s AND %s THEN %s"
            bucket_params += [last - timedelta(days=high), last - timedelta(days=low), key]
        year = date(last.year, 1, 1)
        branches = [
            ("metric = 'open' AND span = %s AND day < %s", [MetricRollup.YEAR, year], 1),
            *(
                ("metric = 'open' AND span = %s AND day BETWEEN %s AND %s", [span, start, end], 1)
                for span, start, end in span_runs(year, last)
            ),
            (
                "metric = 'open_days' AND span = 0 AND day BETWEEN %s AND %s AND day + value > %s",
                [window, last, last],
                1,
            ),
        ]
        rows = per_pemda(
            pemda_ids, "opd_id, metric, day", ["opd_id", bucket + " END"], branches, bucket_params
        )
    else:
        rows = (
            MetricRollup.objects.filter(pemda_id__in=pemda_ids)
            .alias(until=DaysAfter(F("day"), F("value")))
            .filter(
                (Q(metric="open") & cells_through(last))
                | Q(metric="open_days", span=MetricRollup.DAY, day__gte=window, day__lte=last, until__gt=last)
            )
            .annotate(
                bucket=Case(
                    When(metric="open", then=Value("")),
                    *[
                        When(
                            day__gte=last - timedelta(days=high),
                            day__lte=last - timedelta(days=low),
                            then=Value(key),
                        )
                        for key, low, high in _BOUNDED
                    ],
                    output_field=CharField(),
                )
            )
            .values("pemda_id", "opd_id", "bucket")
            .annotate(total=Sum("n"))
            .order_by()
            .values_list("pemda_id", "opd_id", "bucket", "total")
        )
    counts: dict[tuple, dict[str, int]] = defaultdict(dict)
    for pemda_id, opd_id, key, n in rows:
        counts[(pemda_id, opd_id or None)][key] = n
    for cell_key, by_bucket in counts.items():
        total = by_bucket.pop("", 0)
        if not total:
            continue
        backlog = cells[cell_key].backlog
        for key, n in by_bucket.items():
            backlog[key] += n
        backlog[_OLDEST] += total - sum(by_bucket.values())
