"""Complaint-handling metrics per OPD, per Pemda and per province, for any period.

``metrics_for(pemdas=..., period=..., now=...)`` runs 3 queries whatever the number of complaints,
OPDs, Pemdas or the length of the period: the rollup cells of the period, the backlog and the OPDs.

- The cells (aduan.sla.rollups: counts per Pemda × OPD × local day, dekad, month, quarter and year,
  written in the transaction of each move and clock stop; the module docstring there explains the
  figures that are not sums of days — distinct complaints received, late clocks counted once,
  ratings attributed to the OPD that last resolved) are **sums** over the fewest whole spans that
  cover the period: a calendar month, quarter or year is one span. On PostgreSQL each Pemda's
  cells are summed apart by index-only range scans (``rollup_rows``), one row per OPD, metric and
  label with the histogram's values as arrays, each added to the OPD's figures and its Pemda's.
- The backlog is a **state** at one instant (the end of the period, or now if earlier), not a sum
  of days. A period that has ended reads it from the rollups' state cells (``open`` summed over
  every day up to its end, ``open_days`` for the ages up to 60 days: backlog.py ``backlog_rollups_into``); a
  period that runs on reads the complaints open now from the complaints table
  (``backlog_scan_into``, which ``metrics_scan`` uses for every period).

Medians and p90 come from the histograms of stored working days (``Deadline.working_days_taken``).
OPD figures roll up to the Pemda and the Pemda to the province (sums and merged histograms).
``metrics_scan`` computes the same figures by a full scan (the consistency check and the tests
compare them). ``trend_for`` (the month-by-month trend) and ``channels.channel_figures`` are one
query each on the same cells.

Periods are calendar spans in each Pemda's own time zone (half-open ``[start, end)``); several
Pemdas in different zones are handled in the same queries by one condition per zone.

What each figure means:
- received: Pemda — complaints submitted in the period; OPD — complaints dispatched or re-dispatched
  to it in the period (its hops, each complaint once).
- verified ≤ 3 HK: verification clocks met or breached in the period; on time = met, never breached.
- dispatched: first dispatches in the period (a complaint counts once, for the OPD it first went to).
- followed up: first-follow-up clocks met in the period; ≤ 5 HK = met without a breach, out of all
  met or breached in the period (a clock cancelled by re-dispatch after running out is a breach of
  the OPD that let it run out — the SLA app charges it to that hop's OPD).
- resolved: resolution clocks met in the period by a real resolution (accept or auto-resolve; not
  archiving or forwarding), for the OPD whose hop ended with it; on target = never breached.
- days to follow-up / to resolution: median and p90 (nearest rank) of ``working_days_taken``.
- first response ≤ 5 HK: the same follow-up clocks (the OPD's first update, progress or answer, meets it).
- promises kept: promise clocks (the OPD's planned dates) met or breached in the period; kept = met
  by "selesai ditangani" without a breach.
- days to selesai ditangani: working days from the start of the hop to the OPD's "selesai
  ditangani" (``ComplaintHop.handled_working_days``), for the hops handled in the period.
- backlog: complaints open at the end of the period (or now, if earlier), by age in whole days
  since submission (a complaint filed exactly 4 days before is 0–3 days old), for the OPD holding
  them now; "open" as the complaints table says now (filed before, and open or closed since).
- re-open rate: re-opened complaints (hops started by a re-open in the period) ÷ resolved.
- breaches: clocks whose deadline passed in the period, per stage, charged to the hop's OPD
  (verification breaches are the koordinator's: no OPD).
- supporters: "+1"s on complaints submitted in the period; mean rating and SKM of answers given in
  the period, for the OPD that last resolved the complaint.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q, Sum

from aduan.agencies.models import Opd
from aduan.sla.models import MetricRollup, Stage
from aduan.sla.rollups import (
    CHANNEL_METRICS,
    DAY_ONLY,
    FAR,
    GAP_METRIC,
    MONTH_ONLY,
    NEAR,
    NEAR_DAYS,
    STATE_METRICS,
    span_cover,
)

from .backlog import backlog_into
from .cells import DaysBefore, Zones, cells_db, per_pemda, span_cells
from .figures import BACKLOG_BUCKETS, Figures, median, median_of, p90, p90_of, percent
from .periods import Period, PeriodInvalid

DISPATCH_ACTIONS = ("dispatch", "redispatch")
ON_TIME = Q(met_at__isnull=False, breached_at__isnull=True)
SKM_FIELDS = tuple(f"u{i}" for i in range(1, 10))

__all__ = [
    "BACKLOG_BUCKETS",
    "Figures",
    "Metrics",
    "Period",
    "PeriodInvalid",
    "Trend",
    "dashboard_defaults",
    "median",
    "median_of",
    "metrics_cached",
    "metrics_for",
    "p90",
    "p90_of",
    "trend_for",
]


@dataclass
class Metrics:
    period: Period
    pemdas: list
    opds: list[Opd]
    by_opd: dict[int, Figures]
    by_pemda: dict[int, Figures]
    by_province: dict[int, Figures]

    def opds_of(self, pemda) -> list[Opd]:
        return [o for o in self.opds if o.pemda_id == pemda.pk]


# --- The queries ---------------------------------------------------------------------------------

_CLOCK_TOTALS = {
    Stage.VERIFICATION: ("verified_total", "verified_on_time", None),
    Stage.FOLLOW_UP: ("follow_up_total", "followed_up_on_time", "followed_up"),
    Stage.PROMISE: ("promise_total", "promise_kept", None),
}


def rollup_rows(
    *, pemda_ids, first: date, last: date, metrics=None, exclude=(), today: date | None = None, arrays=False
):
    """The rollup cells of ``pemda_ids`` for the days ``[first, last]``, summed per (Pemda, OPD,
    metric, label, value): those of ``metrics`` if given, else all but ``exclude``. The backlog's
    cells are not sums of days: left out; the forecast's category cells (a span of their own,
    ``MONTH_ONLY``) are never among them, and asking for them is an error. One query.

    The gap metrics (aduan.sla.rollups: "both", "dup") count where their earlier event also lies
    in the period: by day with the gap in its first ``NEAR_DAYS`` days, then their near cells by
    spans (always in) and their far ones by day with the gap; their rows come under those names
    (``GAP_METRIC`` gives the metric each counts for).

    On PostgreSQL the query sums each Pemda's cells apart (a lateral subquery per Pemda: small
    hash tables that stay in memory) from one index-only range scan per run of spans (the unique
    index metric_rollup_cell carries ``n``; the partial index metric_rollup_day_only too). Given
    ``today`` (the earliest local date of now among the Pemdas' zones), a period that reaches it
    may be read with a last span reaching past ``last`` and the day cells beyond ``last`` (in the
    future: usually none) subtracted (``span_cover``). ``arrays=True`` (PostgreSQL only) gives one row
    per (Pemda, OPD, metric, label) with the list of values and the list of their totals."""
    pemda_ids = list(pemda_ids)
    if metrics is not None and MONTH_ONLY.intersection(metrics):
        raise ValueError("the category cells are read by their own span (aduan.compliance.forecast)")
    if metrics is not None:
        plain = sorted(m for m in metrics if m not in GAP_METRIC)
        gaps = sorted(m for m in DAY_ONLY if m in metrics)
    else:
        plain = None
        gaps = sorted(m for m in DAY_ONLY if m not in exclude)
    split = first + timedelta(days=NEAR_DAYS)  # from here on, near gaps always reach into the period
    if cells_db().vendor != "postgresql":
        return _rollup_rows_orm(pemda_ids, first, last, split, plain, gaps, exclude)
    branches: list[tuple[str, list, int]] = []
    if plain is None:
        left_out = sorted({*GAP_METRIC, *STATE_METRICS, *exclude})
        branches += _span_branches(first, last, today, "metric <> ALL(%s)", left_out)
    elif plain:
        branches += _span_branches(first, last, today, "metric = ANY(%s)", plain)
    if gaps:
        by_day = "metric = ANY(%s) AND day BETWEEN %s AND %s AND day - value >= %s"
        branches.append((by_day, [gaps, first, min(last, split - timedelta(days=1)), first], 1))
        if last >= split:
            branches += _span_branches(split, last, today, "metric = ANY(%s)", [NEAR[m] for m in gaps])
            branches.append((by_day, [[FAR[m] for m in gaps], split, last, first], 1))
    columns = ["opd_id", "metric", "label", "value"]
    return per_pemda(pemda_ids, ", ".join(columns), columns, branches, arrays=arrays)


def _span_branches(first: date, last: date, today: date | None, metrics: str, names: list) -> list:
    """The branches (``per_pemda``) that sum the cells of the metrics ``names`` over ``[first,
    last]`` by whole spans."""
    runs, beyond = span_cover(first, last, empty_after=today)
    branches = [
        (f"span = %s AND day BETWEEN %s AND %s AND {metrics}", [span, start, end, names], 1)
        for span, start, end in runs
    ]
    if beyond is not None:  # the days past ``last`` that the last span holds: taken out again
        branches.append((f"span = 0 AND day > %s AND day <= %s AND {metrics}", [last, beyond, names], -1))
    return branches


def _rollup_rows_orm(pemda_ids, first: date, last: date, split: date, plain, gaps, exclude):
    """``rollup_rows`` as one plain query (databases other than PostgreSQL)."""
    day_cells = Q(span=MetricRollup.DAY, origin__gte=first)
    if plain is None:
        cells = ~Q(metric__in=[*GAP_METRIC, *STATE_METRICS, *exclude]) & span_cells(first, last)
    else:
        cells = Q(metric__in=plain) & span_cells(first, last)
    if gaps:
        cells |= day_cells & Q(metric__in=gaps, day__gte=first, day__lte=min(last, split - timedelta(days=1)))
        if last >= split:
            cells |= Q(metric__in=[NEAR[m] for m in gaps]) & span_cells(split, last)
            cells |= day_cells & Q(metric__in=[FAR[m] for m in gaps], day__gte=split, day__lte=last)
    return list(
        MetricRollup.objects.filter(pemda_id__in=pemda_ids)
        .alias(origin=DaysBefore(F("day"), F("value")))
        .filter(cells)
        .values("pemda_id", "opd_id", "metric", "label", "value")
        .annotate(total=Sum("n"))
        .order_by()
        .values_list("pemda_id", "opd_id", "metric", "label", "value", "total")
    )


def _adders() -> dict:
    """How each rollup metric adds to an OPD's (or the Pemda's) figures, given one label's values
    and their totals (scalar metrics have the one value 0): one small function per metric name,
    so that folding is one dictionary look-up per (OPD, metric, label). Metrics absent here (the
    channel table's) add nothing."""

    def counter(name: str, sign: int = 1):
        def add(cell, label, values, totals):
            setattr(cell, name, getattr(cell, name) + sign * sum(totals))

        return add

    def histogram(name: str, count: str | None = None):
        def add(cell, label, values, totals):
            if count:
                setattr(cell, count, getattr(cell, count) + sum(totals))
            hist = getattr(cell, name)
            for value, n in zip(values, totals, strict=True):
                if n and value >= 0:  # a resolution of unknown duration has no place in it
                    hist[value] = hist.get(value, 0) + n

        return add

    def submitted(cell, label, values, totals):
        n = sum(totals)
        if n:
            cell.submitted += n
            cell.channels.add(label)

    def skm_element(cell, label, values, totals):
        index = SKM_FIELDS.index(label)
        sums = list(cell.skm_sums)
        sums[index] += sum(totals)
        cell.skm_sums = sums

    def breach(stage: str, total: str | None):
        def add(cell, label, values, totals):
            n = sum(totals)
            if n:
                cell.breaches[stage] = cell.breaches.get(stage, 0) + n
            if total:
                setattr(cell, total, getattr(cell, total) + n)

        return add

    def met(total: str, followed: str | None):
        def add(cell, label, values, totals):
            n = sum(totals)
            setattr(cell, total, getattr(cell, total) + n)
            if followed:
                setattr(cell, followed, getattr(cell, followed) + n)

        return add

    adders = {
        "sub": submitted,
        "sup": counter("supporters"),
        "hop_recv": counter("received_by_opd"),
        "hop_recv_dup": counter("received_by_opd", -1),
        "hop_disp": counter("dispatched"),
        "hop_reopen": counter("reopened"),
        "handled": histogram("handled_hist"),
        "follow_up_days": histogram("follow_up_hist"),
        "resolved": histogram("resolve_hist", "resolved"),
        "resolved_ok": counter("resolved_on_time"),
        "rating": counter("rating_count"),
        "rating_sum": counter("rating_sum"),
        "skm": counter("skm_count"),
        "skm_u": skm_element,
    }
    for stage in Stage.values:
        total, on_time, followed = _CLOCK_TOTALS.get(stage, (None, None, None))
        adders[f"{stage}_br"] = breach(stage, total)
        if total:
            adders[f"{stage}_met"] = met(total, followed)
            adders[f"{stage}_ok"] = counter(on_time)
            adders[f"{stage}_both"] = counter(total, -1)
    for name, metric in GAP_METRIC.items():  # near and far cells count for their gap metric
        if metric in adders:
            adders[name] = adders[metric]
    return adders


ADDERS = _adders()


def rollup_arrays(**kwargs) -> list:
    """``rollup_rows(arrays=True, **kwargs)`` on any database: one row per (Pemda, OPD, metric,
    label) with the list of values and the list of their totals, as ``ADDERS`` take them."""
    arrays = cells_db().vendor == "postgresql"
    rows = rollup_rows(arrays=arrays, **kwargs)
    return rows if arrays else _as_arrays(rows)


def metrics_for(*, pemdas: Iterable, period: Period, now: datetime) -> Metrics:
    """Metrics of ``pemdas`` (and their OPDs and provinces) for ``period``, from the rollups: 3
    queries (the rollup cells of the period, the backlog, the OPDs) whatever the period (4 when
    the period has ended in some of the Pemdas' zones and not in others). Each cell is added to
    its OPD's figures and to its Pemda's at once."""
    pemdas = list(pemdas)
    zones = Zones(pemdas, period)
    cells: dict[tuple[int, int | None], Figures] = defaultdict(lambda: Figures(level="opd"))
    by_pemda = {p.pk: Figures(level="pemda") for p in pemdas}
    today = min((now.astimezone(ZoneInfo(zone)).date() for zone in zones.by_zone), default=None)
    rows = rollup_arrays(
        pemda_ids=list(by_pemda), first=period.first, last=period.last, exclude=CHANNEL_METRICS, today=today
    )
    for pemda_id, opd_id, metric, label, values, totals in rows:
        pemda = by_pemda[pemda_id]
        if metric == "verification_br" and opd_id:  # a breach of the OPD, a clock of the koordinator
            n = sum(totals)
            if n:
                for breaches in (cells[(pemda_id, opd_id)].breaches, pemda.breaches):
                    breaches[Stage.VERIFICATION] = breaches.get(Stage.VERIFICATION, 0) + n
                cells[(pemda_id, None)].verified_total += n
                pemda.verified_total += n
            continue
        if metric.startswith("verification_"):
            opd_id = 0  # verification is the koordinator's: the Pemda's figure
        add = ADDERS.get(metric)
        if add is not None:
            add(cells[(pemda_id, opd_id or None)], label, values, totals)
            add(pemda, label, values, totals)
    backlog_into(cells, zones, now)
    for (pemda_id, _opd_id), cell in cells.items():
        backlog = by_pemda[pemda_id].backlog
        for key, n in cell.backlog.items():
            backlog[key] += n
    return assemble(pemdas, period, zones, cells, by_pemda=by_pemda)


def _as_arrays(rows) -> list:
    """Flat rollup rows as the rows of ``rollup_rows(arrays=True)``."""
    grouped: dict[tuple, tuple[list, list]] = {}
    for pemda_id, opd_id, metric, label, value, n in rows:
        values, totals = grouped.setdefault((pemda_id, opd_id, metric, label), ([], []))
        values.append(value)
        totals.append(n)
    return [(*key, values, totals) for key, (values, totals) in grouped.items()]


def assemble(pemdas: list, period: Period, zones: Zones, cells, by_pemda: dict | None = None) -> Metrics:
    """The OPDs (active ones, and inactive ones with figures) and the figures per OPD, Pemda
    (the sum of its cells, unless given) and province from the cells per (Pemda, OPD)."""
    with_data = {opd_id for (_p, opd_id) in cells if opd_id is not None}
    opds = list(
        Opd.objects.filter(zones.scope("pemda_id"))
        .filter(Q(is_active=True) | Q(pk__in=with_data))
        .order_by("pemda__name", "name")
    )
    pemda_of = {p.pk: p for p in pemdas}
    for opd in opds:
        opd.pemda = pemda_of[opd.pemda_id]

    by_opd = {o.pk: cells.get((o.pemda_id, o.pk)) or Figures(level="opd") for o in opds}
    if by_pemda is None:
        by_pemda = {p.pk: Figures(level="pemda") for p in pemdas}
        for (pemda_id, _opd_id), cell in cells.items():
            by_pemda[pemda_id].merge(cell)
    by_province: dict[int, Figures] = {}
    for p in pemdas:
        by_province.setdefault(p.province_id, Figures(level="province")).merge(by_pemda[p.pk])
    return Metrics(
        period=period, pemdas=pemdas, opds=opds, by_opd=by_opd, by_pemda=by_pemda, by_province=by_province
    )


# --- Cached for pages ---------------------------------------------------------------------------


def _cache_key(prefix: str, *parts) -> str:
    raw = ":".join(str(p) for p in parts)
    return f"compliance:{prefix}:v1:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def metrics_cached(*, pemdas: Iterable, period: Period, now: datetime, refresh: bool = False) -> Metrics:
    """``metrics_for`` for pages: the same figures, computed at most once per
    ``ADUAN_METRICS_CACHE_SECONDS`` for the same Pemdas and period (0: always computed). The
    figures come from the rollups in milliseconds; the cache spares the database repeated visits.
    ``refresh=True`` computes and stores them whatever the cache holds."""
    pemdas = list(pemdas)
    seconds = settings.ADUAN_METRICS_CACHE_SECONDS
    if not seconds:
        return metrics_for(pemdas=pemdas, period=period, now=now)
    key = _cache_key("metrics", sorted(p.pk for p in pemdas), period.first, period.last)
    metrics = None if refresh else cache.get(key)
    if metrics is None:
        metrics = metrics_for(pemdas=pemdas, period=period, now=now)
        cache.set(key, metrics, seconds)
    return metrics


def trend_cached(*, pemda, last_month: date, months: int = 12, refresh: bool = False) -> "Trend":
    """``trend_for`` cached like ``metrics_cached``."""
    seconds = settings.ADUAN_METRICS_CACHE_SECONDS
    if not seconds:
        return trend_for(pemda=pemda, last_month=last_month, months=months)
    key = _cache_key("trend", pemda.pk, last_month, months)
    trend = None if refresh else cache.get(key)
    if trend is None:
        trend = trend_for(pemda=pemda, last_month=last_month, months=months)
        cache.set(key, trend, seconds)
    return trend


def dashboard_defaults(pemda, now: datetime) -> tuple[Period, date]:
    """The period (the Pemda's current local year) and the trend's last month that a Pemda's
    dashboard shows when no period is asked for."""
    today = now.astimezone(pemda.zoneinfo).date()
    period = Period.year(today.year)
    return period, min(period.last, today).replace(day=1)


# --- Month by month (one Pemda) ---------------------------------------------------------------


@dataclass
class MonthCell:
    total: int = 0
    on_time: int = 0

    @property
    def pct(self) -> Decimal | None:
        return percent(self.on_time, self.total)


@dataclass
class Trend:
    months: list[date]  # first day of each month
    received: dict[date, int]
    follow_up: dict[date, MonthCell]  # whole Pemda
    heat: dict[int, dict[date, MonthCell]]  # OPD id → month → follow-up clocks


def trend_months(last_month: date, months: int) -> tuple[list[date], Period]:
    """The first days of the ``months`` months up to ``last_month``, and the period they span."""
    firsts = []
    y, m = last_month.year, last_month.month
    for _i in range(months):
        firsts.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    firsts.reverse()
    return firsts, Period(firsts[0], Period.month(last_month.year, last_month.month).last, "trend")


def trend_for(*, pemda, last_month: date, months: int = 12) -> Trend:
    """Received complaints and follow-up clocks on time per month for the ``months`` months up to
    ``last_month`` in the Pemda's zone, and the same per OPD (the SLA heat map), from the rollups:
    1 query. A follow-up clock counts in the month it settled: its breach, else its meeting."""
    firsts, period = trend_months(last_month, months)
    received = {f: 0 for f in firsts}
    follow_up = {f: MonthCell() for f in firsts}
    heat: dict[int, dict[date, MonthCell]] = defaultdict(lambda: {f: MonthCell() for f in firsts})
    for opd_id, month, metric, n in (
        MetricRollup.objects.filter(
            pemda_id=pemda.pk,
            span=MetricRollup.MONTH,
            day__gte=period.first,
            day__lte=period.last,
            metric__in=("sub", "follow_up_br", "follow_up_ok"),  # the index metric_rollup_trend
        )
        .values("opd_id", "day", "metric")
        .annotate(total=Sum("n"))
        .order_by()
        .values_list("opd_id", "day", "metric", "total")
    ):
        if not n:
            continue
        if metric == "sub":
            received[month] += n
            continue
        for cell in (follow_up[month], heat[opd_id or None][month]):
            cell.total += n
            cell.on_time += n if metric == "follow_up_ok" else 0
    return Trend(months=firsts, received=received, follow_up=follow_up, heat=dict(heat))


def _as_date(value, zone) -> date:
    if isinstance(value, datetime):
        return value.astimezone(zone).date().replace(day=1) if value.tzinfo else value.date().replace(day=1)
    return value.replace(day=1)
