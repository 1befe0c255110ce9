"""Complaint-handling metrics per OPD, per Pemda and per province, for any period.

``metrics_for(pemdas=..., period=..., now=...)`` runs a FIXED number of queries (12) whatever the
number of complaints, OPDs or Pemdas: counts and sums are SQL aggregates grouped by (Pemda, OPD);
medians and p90 come from one ordered query of the stored integer durations per family
(``Deadline.working_days_taken``, written when a clock stops) — portable to SQLite and PostgreSQL.
OPD figures roll up to the Pemda and the Pemda to the province in Python (sums and merged lists).

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
- backlog: complaints open at the end of the period (or now, if earlier), by age in calendar days
  since submission, for the OPD holding them now.
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
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from aduan.agencies.models import Opd
from aduan.complaints.models import Complaint, ComplaintHop, ComplaintRating, SkmResponse
from aduan.sla.models import Deadline, Stage
from aduan.sla.selectors import last_resolving_opd

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
    "dashboards_warm",
    "median",
    "median_of",
    "metrics_cached",
    "metrics_for",
    "p90",
    "p90_of",
    "trend_for",
]


class _Zones:
    """The Pemdas of a query grouped by time zone, to build one condition per zone."""

    def __init__(self, pemdas: Iterable, period: Period):
        self.by_zone: dict[str, list[int]] = defaultdict(list)
        for p in pemdas:
            self.by_zone[p.timezone].append(p.pk)
        self.period = period

    def within(self, field_name: str, pemda_field: str) -> Q:
        """``field_name`` inside the period, in the zone of the row's Pemda."""
        q = Q(pk__in=[])
        for zone, ids in self.by_zone.items():
            start, end = self.period.bounds(ZoneInfo(zone))
            q |= Q(**{f"{pemda_field}__in": ids, f"{field_name}__gte": start, f"{field_name}__lt": end})
        return q

    def scope(self, pemda_field: str) -> Q:
        return Q(**{f"{pemda_field}__in": [pk for ids in self.by_zone.values() for pk in ids]})

    def as_of(self, zone: str, now: datetime) -> datetime:
        return min(self.period.bounds(ZoneInfo(zone))[1], now)


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


# --- The queries ------------------------------------------------------------------------------


def metrics_for(*, pemdas: Iterable, period: Period, now: datetime) -> Metrics:
    """Metrics of ``pemdas`` (and their OPDs and provinces) for ``period``: 12 queries."""
    pemdas = list(pemdas)
    zones = _Zones(pemdas, period)
    cells: dict[tuple[int, int | None], Figures] = defaultdict(lambda: Figures(level="opd"))

    # 1. Submitted complaints: count, supporters, channels (per Pemda, OPD holding them now, channel).
    for pemda_id, opd_id, channel, n, supporters in (
        Complaint.objects.filter(zones.within("submitted_at", "pemda_id"))
        .values("pemda_id", "current_opd_id", "channel")
        .annotate(n=Count("pk"), supporters=Sum("supporters_count"))
        .values_list("pemda_id", "current_opd_id", "channel", "n", "supporters")
    ):
        cell = cells[(pemda_id, opd_id)]
        cell.submitted += n
        cell.supporters += supporters or 0
        cell.channels.add(channel)

    # 2. Verification clocks (the koordinator's: no OPD).
    for pemda_id, total, on_time in (
        Deadline.objects.filter(
            zones.within("met_at", "complaint__pemda_id")
            | zones.within("breached_at", "complaint__pemda_id"),
            stage=Stage.VERIFICATION,
        )
        .values("complaint__pemda_id")
        .annotate(
            total=Count("pk"), on_time=Count("pk", filter=Q(met_at__isnull=False, breached_at__isnull=True))
        )
        .values_list("complaint__pemda_id", "total", "on_time")
    ):
        cells[(pemda_id, None)].verified_total += total
        cells[(pemda_id, None)].verified_on_time += on_time

    # 3. Hops started in the period: received by the OPD, first dispatches, re-opens.
    for pemda_id, opd_id, received, first, reopened in (
        ComplaintHop.objects.filter(zones.within("started_at", "complaint__pemda_id"))
        .values("complaint__pemda_id", "opd_id")
        .annotate(
            received=Count("complaint_id", distinct=True, filter=Q(started_by__action__in=DISPATCH_ACTIONS)),
            first=Count("pk", filter=Q(started_by__action="dispatch")),
            reopened=Count("pk", filter=Q(started_by__action="reopen")),
        )
        .values_list("complaint__pemda_id", "opd_id", "received", "first", "reopened")
    ):
        cell = cells[(pemda_id, opd_id)]
        cell.received_by_opd += received
        cell.dispatched += first
        cell.reopened += reopened

    # 4. First-response (follow_up) clocks met or breached in the period, and the OPDs' promises
    # (promise clocks) kept or broken in the period (counts), 5. the first responses' durations.
    met = zones.within("met_at", "complaint__pemda_id")
    follow_ups = Deadline.objects.filter(stage=Stage.FOLLOW_UP)
    for pemda_id, opd_id, stage, total, done, on_time in (
        Deadline.objects.filter(stage__in=(Stage.FOLLOW_UP, Stage.PROMISE))
        .filter(met | zones.within("breached_at", "complaint__pemda_id"))
        .values("complaint__pemda_id", "opd_id", "stage")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=met),
            on_time=Count("pk", filter=met & Q(breached_at__isnull=True)),
        )
        .values_list("complaint__pemda_id", "opd_id", "stage", "total", "done", "on_time")
    ):
        cell = cells[(pemda_id, opd_id)]
        if stage == Stage.PROMISE:
            cell.promise_total += total
            cell.promise_kept += on_time
            continue
        cell.follow_up_total += total
        cell.followed_up += done
        cell.followed_up_on_time += on_time
    for pemda_id, opd_id, days, n in (
        follow_ups.filter(met, working_days_taken__isnull=False)
        .values("complaint__pemda_id", "opd_id", "working_days_taken")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("complaint__pemda_id", "opd_id", "working_days_taken", "n")
    ):
        cells[(pemda_id, opd_id)].follow_up_hist[days] += n

    # 6. Resolutions in the period: counts and the duration histogram in one grouped query over the
    # resolution clocks met in the period by a resolution (the clock stores the resolving OPD).
    for pemda_id, opd_id, days, n, on_time in (
        Deadline.objects.filter(met, stage=Stage.RESOLUTION, resolved_by__isnull=False)
        .values("complaint__pemda_id", "resolved_by_id", "working_days_taken")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(breached_at__isnull=True)))
        .order_by()
        .values_list("complaint__pemda_id", "resolved_by_id", "working_days_taken", "n", "on_time")
    ):
        cell = cells[(pemda_id, opd_id)]
        cell.resolved += n
        cell.resolved_on_time += on_time
        if days is not None:
            cell.resolve_hist[days] += n

    # 6b. Time to "selesai ditangani": the hops whose OPD reported the work done in the period.
    for pemda_id, opd_id, days, n in (
        ComplaintHop.objects.filter(zones.within("handled_at", "complaint__pemda_id"))
        .values("complaint__pemda_id", "opd_id", "handled_working_days")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("complaint__pemda_id", "opd_id", "handled_working_days", "n")
    ):
        if days is not None:
            cells[(pemda_id, opd_id)].handled_hist[days] += n

    # 7. Backlog at the end of the period (or now), by age.
    bucket_counts = {}
    for key, _label, low, high in BACKLOG_BUCKETS:
        cond = Q(pk__in=[])
        for zone, ids in zones.by_zone.items():
            as_of = zones.as_of(zone, now)
            age = Q(pemda_id__in=ids, submitted_at__lte=as_of - timedelta(days=low))
            if high is not None:
                age &= Q(submitted_at__gt=as_of - timedelta(days=high + 1))
            cond |= age
        bucket_counts[key] = Count("pk", filter=cond)
    open_at = Q(pk__in=[])
    for zone, ids in zones.by_zone.items():
        as_of = zones.as_of(zone, now)
        open_at |= Q(pemda_id__in=ids, submitted_at__lt=as_of) & (
            Q(closed_at__isnull=True) | Q(closed_at__gte=as_of)
        )
    for row in (
        Complaint.objects.filter(open_at).values("pemda_id", "current_opd_id").annotate(**bucket_counts)
    ):
        cell = cells[(row["pemda_id"], row["current_opd_id"])]
        for key, *_rest in BACKLOG_BUCKETS:
            cell.backlog[key] += row[key]

    # 8. Breaches whose deadline fell in the period, per stage and the hop's OPD.
    for pemda_id, opd_id, stage, n in (
        Deadline.objects.filter(zones.within("breached_at", "complaint__pemda_id"))
        .exclude(stage=Stage.REPLY_WINDOW)
        .values("complaint__pemda_id", "opd_id", "stage")
        .annotate(n=Count("pk"))
        .values_list("complaint__pemda_id", "opd_id", "stage", "n")
    ):
        breaches = cells[(pemda_id, opd_id)].breaches
        breaches[stage] = breaches.get(stage, 0) + n

    # 9. Ratings given in the period.
    for pemda_id, opd_id, total, n in (
        ComplaintRating.objects.filter(zones.within("created_at", "complaint__pemda_id"))
        .annotate(rated_opd=last_resolving_opd())
        .values("complaint__pemda_id", "rated_opd")
        .annotate(total=Sum("score"), n=Count("pk"))
        .values_list("complaint__pemda_id", "rated_opd", "total", "n")
    ):
        cells[(pemda_id, opd_id)].rating_sum += total or 0
        cells[(pemda_id, opd_id)].rating_count += n

    # 10. SKM answers given in the period (element totals, so NRRs merge exactly).
    for row in (
        SkmResponse.objects.filter(zones.within("created_at", "complaint__pemda_id"))
        .annotate(rated_opd=last_resolving_opd())
        .values("complaint__pemda_id", "rated_opd")
        .annotate(n=Count("pk"), **{f"s_{f}": Sum(f) for f in SKM_FIELDS})
    ):
        cell = cells[(row["complaint__pemda_id"], row["rated_opd"])]
        cell.skm_count += row["n"]
        cell.skm_sums = [a + (row[f"s_{f}"] or 0) for a, f in zip(cell.skm_sums, SKM_FIELDS, strict=True)]

    # 11. The OPDs: active ones, and inactive ones with figures.
    with_data = {opd_id for (_p, opd_id) in cells if opd_id is not None}
    opds = list(
        Opd.objects.filter(zones.scope("pemda_id"))
        .filter(Q(is_active=True) | Q(pk__in=with_data))
        .select_related("pemda")
        .order_by("pemda__name", "name")
    )

    by_opd = {o.pk: cells.get((o.pemda_id, o.pk)) or Figures(level="opd") for o in opds}
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
    aggregates of a big Pemda's year take seconds; a dashboard must answer in milliseconds.
    ``refresh=True`` computes and stores them whatever the cache holds (``dashboards_warm``)."""
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


def metrics_of(metrics: Metrics, pemda) -> Metrics:
    """The part of ``metrics`` (computed for several Pemdas) that ``metrics_for(pemdas=[pemda])``
    gives for one of them: its OPDs, its figures, and its province made of it alone."""
    province = Figures(level="province")
    province.merge(metrics.by_pemda[pemda.pk])
    opds = metrics.opds_of(pemda)
    return Metrics(
        period=metrics.period,
        pemdas=[pemda],
        opds=opds,
        by_opd={o.pk: metrics.by_opd[o.pk] for o in opds},
        by_pemda={pemda.pk: metrics.by_pemda[pemda.pk]},
        by_province={pemda.province_id: province},
    )


def dashboards_warm(*, pemdas: Iterable, now: datetime) -> int:
    """Compute and cache what each Pemda's dashboard shows by default (its year's metrics and the
    trend), so that no visitor waits for the aggregates: run by beat more often than the cache
    expires. Pemdas sharing a default period are computed together (the same 12 queries for all
    of them) and cached one by one. Returns how many Pemdas were warmed (0 when caching is off)."""
    seconds = settings.ADUAN_METRICS_CACHE_SECONDS
    if not seconds:
        return 0
    groups: dict[Period, list] = defaultdict(list)
    for pemda in pemdas:
        groups[dashboard_defaults(pemda, now)[0]].append(pemda)
    warmed = 0
    for period, members in groups.items():
        together = metrics_for(pemdas=members, period=period, now=now)
        for pemda in members:
            key = _cache_key("metrics", [pemda.pk], period.first, period.last)
            cache.set(key, metrics_of(together, pemda), seconds)
            trend_cached(pemda=pemda, last_month=dashboard_defaults(pemda, now)[1], refresh=True)
            warmed += 1
    return warmed


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


def trend_for(*, pemda, last_month: date, months: int = 12) -> Trend:
    """Received complaints and follow-up clocks on time per month for the ``months`` months up to
    ``last_month`` in the Pemda's zone, and the same per OPD (the SLA heat map): 2 queries."""
    zone = pemda.zoneinfo
    firsts = []
    y, m = last_month.year, last_month.month
    for _i in range(months):
        firsts.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    firsts.reverse()
    period = Period(firsts[0], Period.month(last_month.year, last_month.month).last, "trend")
    start, end = period.bounds(zone)

    received = {f: 0 for f in firsts}
    for month, n in (
        Complaint.objects.filter(pemda=pemda, submitted_at__gte=start, submitted_at__lt=end)
        .annotate(month=TruncMonth("submitted_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    ):
        received[_as_date(month, zone)] = n

    follow_up = {f: MonthCell() for f in firsts}
    heat: dict[int, dict[date, MonthCell]] = defaultdict(lambda: {f: MonthCell() for f in firsts})
    for opd_id, month, total, on_time in (
        Deadline.objects.filter(complaint__pemda=pemda, stage=Stage.FOLLOW_UP)
        .annotate(settled=Coalesce("breached_at", "met_at"))
        .filter(settled__gte=start, settled__lt=end)
        .annotate(month=TruncMonth("settled", tzinfo=zone))
        .values("opd_id", "month")
        .annotate(total=Count("pk"), on_time=Count("pk", filter=Q(breached_at__isnull=True)))
        .values_list("opd_id", "month", "total", "on_time")
    ):
        key = _as_date(month, zone)
        for cell in (follow_up[key], heat[opd_id][key]):
            cell.total += total
            cell.on_time += on_time
    return Trend(months=firsts, received=received, follow_up=follow_up, heat=dict(heat))


def _as_date(value, zone) -> date:
    if isinstance(value, datetime):
        return value.astimezone(zone).date().replace(day=1) if value.tzinfo else value.date().replace(day=1)
    return value.replace(day=1)
