"""Public figures of complaint handling, per Pemda and per OPD, for a period (no personal data).

Used by the home page (this month) and the statistics page (a year or a month). Every function runs a
FIXED number of queries, whatever the number of OPDs or complaints: counts, sums and on-time shares
are SQL aggregates (``Count(filter=...)``, ``Sum``) grouped by OPD; medians are the one exception
to "aggregate in SQL" — one query fetches the sorted integers (``Deadline.working_days_taken``, stored
when a clock stops) for the period and the middle is taken in Python. That is one query and fine at
Pemda scale (a few thousand resolutions a year); move it to ``percentile_cont`` on PostgreSQL when
compliance/metrics.py arrives.

What each figure means (periods are half-open ``[start, end)`` in the Pemda's own time zone):

- received (Pemda): complaints submitted in the period.
- received (OPD): complaints dispatched or re-dispatched to the OPD in the period (ComplaintHop rows
  started by a dispatch or redispatch; a complaint counts once per OPD).
- followed up on time: first follow-up clocks (``Deadline`` stage ``follow_up``, each attributed to
  the OPD holding the complaint) met in the period without a breach, out of all follow-up clocks met
  or breached in the period. A clock cancelled by a re-dispatch after running out counts as breached
  for the OPD that let it run out.
- working days to resolve: ``working_days_taken`` of ``resolution`` clocks met in the period by an
  actual resolution (the reporter accepting the answer, or the reply window passing) — clocks stopped
  by archiving or forwarding out are left out. Attributed to the OPD whose hop ended with that
  resolution. Counted from submission, pauses (ditunda) excluded.
- rating: mean ``ComplaintRating.score`` of ratings given in the period, attributed to the OPD that
  held the complaint when it was (last) resolved.
- supporters: sum of ``supporters_count`` of complaints submitted in the period (per OPD: those the
  OPD holds now).
"""

import re
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Sum

from aduan.agencies.models import Opd
from aduan.complaints.models import Complaint, ComplaintHop, ComplaintRating
from aduan.sla.models import Deadline, Stage
from aduan.sla.selectors import last_resolving_opd

# Workflow actions (aduan.complaints.workflow.Action values; not imported to keep this module light).
DISPATCH_ACTIONS = ("dispatch", "redispatch")

_PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
MIN_YEAR, MAX_YEAR = 2000, 2100


# --- Periods --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A calendar year or month in one time zone, as the half-open interval ``[start, end)``."""

    year: int
    month: int | None  # None: the whole year
    zone: ZoneInfo

    @classmethod
    def this_month(cls, now: datetime, zone: ZoneInfo) -> "Period":
        local = now.astimezone(zone)
        return cls(local.year, local.month, zone)

    @classmethod
    def this_year(cls, now: datetime, zone: ZoneInfo) -> "Period":
        return cls(now.astimezone(zone).year, None, zone)

    @classmethod
    def parse(cls, text: str | None, zone: ZoneInfo) -> "Period | None":
        """``"2026"`` or ``"2026-11"``; None for anything else (callers fall back to a default)."""
        match = _PERIOD_RE.match((text or "").strip())
        if not match:
            return None
        year, month = int(match.group(1)), int(match.group(2)) if match.group(2) else None
        if not MIN_YEAR <= year <= MAX_YEAR or (month is not None and not 1 <= month <= 12):
            return None
        return cls(year, month, zone)

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month or 1, 1, tzinfo=self.zone)

    @property
    def end(self) -> datetime:
        if self.month is None:
            return datetime(self.year + 1, 1, 1, tzinfo=self.zone)
        if self.month == 12:
            return datetime(self.year + 1, 1, 1, tzinfo=self.zone)
        return datetime(self.year, self.month + 1, 1, tzinfo=self.zone)

    @property
    def key(self) -> str:
        """The value of the ``periode`` parameter for this period."""
        return f"{self.year}" if self.month is None else f"{self.year}-{self.month:02d}"

    def q(self, field_name: str) -> Q:
        return Q(**{f"{field_name}__gte": self.start, f"{field_name}__lt": self.end})


# --- Figures --------------------------------------------------------------------------------------


@dataclass
class Figures:
    """The public figures of one OPD or one Pemda (or several) for one period."""

    received: int = 0
    followed_up_on_time: int = 0
    followed_up_total: int = 0
    resolve_days: list[int] = field(default_factory=list)  # sorted
    rating_sum: int = 0
    rating_count: int = 0
    supporters: int = 0

    @property
    def on_time_percent(self) -> float | None:
        """Share of follow-up clocks met on time, in percent with one decimal (None: no clocks)."""
        if not self.followed_up_total:
            return None
        return round(100 * self.followed_up_on_time / self.followed_up_total, 1)

    @property
    def resolved(self) -> int:
        return len(self.resolve_days)

    @property
    def median_resolve_days(self) -> float | None:
        """Median working days to resolve (None: nothing resolved); x.5 when the count is even."""
        return statistics.median(self.resolve_days) if self.resolve_days else None

    @property
    def mean_rating(self) -> float | None:
        if not self.rating_count:
            return None
        return round(self.rating_sum / self.rating_count, 2)


@dataclass
class OpdRow:
    opd: Opd
    figures: Figures


@dataclass
class OpdTable:
    rows: list[OpdRow]
    totals: Figures


def _scope(prefix: str, pemdas: Iterable | None) -> Q:
    """Restrict to the given Pemdas (None: every Pemda)."""
    if pemdas is None:
        return Q()
    return Q(**{f"{prefix}__in": [p.pk for p in pemdas]})


def _by_opd(pemdas, period: Period) -> tuple[dict, dict, dict, dict, dict]:
    """Per-OPD raw figures, five queries in all: received, follow-up, resolve days, ratings,
    complaints submitted (count and supporters). Keys are OPD ids (None for no OPD)."""
    received = dict(
        ComplaintHop.objects.filter(
            _scope("complaint__pemda_id", pemdas),
            period.q("started_at"),
            started_by__action__in=DISPATCH_ACTIONS,
        )
        .values("opd_id")
        .annotate(n=Count("complaint_id", distinct=True))
        .values_list("opd_id", "n")
    )

    met_in_period = period.q("met_at")
    follow_up = {
        opd_id: (on_time, total)
        for opd_id, on_time, total in Deadline.objects.filter(
            _scope("complaint__pemda_id", pemdas),
            met_in_period | period.q("breached_at"),
            stage=Stage.FOLLOW_UP,
        )
        .values("opd_id")
        .annotate(on_time=Count("pk", filter=met_in_period & Q(breached_at__isnull=True)), total=Count("pk"))
        .values_list("opd_id", "on_time", "total")
    }

    resolve_days: dict = defaultdict(list)
    rows = (
        Deadline.objects.filter(
            _scope("complaint__pemda_id", pemdas),
            met_in_period,
            stage=Stage.RESOLUTION,
            working_days_taken__isnull=False,
        )
        .filter(resolved_by__isnull=False)  # met by a resolution; the clock stores who resolved it
        .order_by("working_days_taken")
        .values_list("resolved_by_id", "working_days_taken")
    )
    for opd_id, days in rows:
        resolve_days[opd_id].append(days)  # stays sorted: the query orders by days

    ratings = {
        opd_id: (total, n)
        for opd_id, total, n in ComplaintRating.objects.filter(
            _scope("complaint__pemda_id", pemdas), period.q("created_at")
        )
        .annotate(rated_opd=last_resolving_opd())
        .values("rated_opd")
        .annotate(total=Sum("score"), n=Count("pk"))
        .values_list("rated_opd", "total", "n")
    }

    submitted = {
        opd_id: (n, supporters or 0)
        for opd_id, n, supporters in Complaint.objects.filter(
            _scope("pemda_id", pemdas), period.q("submitted_at")
        )
        .values("current_opd_id")
        .annotate(n=Count("pk"), supporters=Sum("supporters_count"))
        .values_list("current_opd_id", "n", "supporters")
    }
    return received, follow_up, dict(resolve_days), ratings, submitted


def _totals(follow_up: dict, resolve_days: dict, ratings: dict, submitted: dict) -> Figures:
    return Figures(
        received=sum(n for n, _s in submitted.values()),
        followed_up_on_time=sum(on_time for on_time, _t in follow_up.values()),
        followed_up_total=sum(total for _o, total in follow_up.values()),
        resolve_days=sorted(d for days in resolve_days.values() for d in days),
        rating_sum=sum(total for total, _n in ratings.values()),
        rating_count=sum(n for _t, n in ratings.values()),
        supporters=sum(s for _n, s in submitted.values()),
    )


def pemda_figures(*, pemdas: Iterable | None, period: Period) -> Figures:
    """Figures of the given Pemdas together (None: all) for ``period``: five queries."""
    _received, follow_up, resolve_days, ratings, submitted = _by_opd(pemdas, period)
    return _totals(follow_up, resolve_days, ratings, submitted)


def opd_table(*, pemdas: Iterable | None, period: Period) -> OpdTable:
    """One row per OPD of the given Pemdas (None: all) — active OPDs, and inactive ones that have
    figures in the period — plus the totals: six queries, or none when the same table was computed
    in the last ``ADUAN_PUBLIC_STATS_CACHE_SECONDS`` (public figures: a few minutes old is fine, and
    at national scale the aggregates take seconds)."""
    pemdas = list(pemdas) if pemdas is not None else None
    seconds = settings.ADUAN_PUBLIC_STATS_CACHE_SECONDS
    if not seconds:
        return _opd_table(pemdas=pemdas, period=period)
    scope = ",".join(str(p.pk) for p in sorted(pemdas, key=lambda p: p.pk)) if pemdas is not None else "all"
    key = f"public-stats:v1:{scope}:{period.year}:{period.month}:{period.zone.key}"
    table = cache.get(key)
    if table is None:
        table = _opd_table(pemdas=pemdas, period=period)
        cache.set(key, table, seconds)
    return table


def _opd_table(*, pemdas: list | None, period: Period) -> OpdTable:
    received, follow_up, resolve_days, ratings, submitted = _by_opd(pemdas, period)
    with_data = set(received) | set(follow_up) | set(resolve_days) | set(ratings)
    with_data |= {opd_id for opd_id, (_n, s) in submitted.items() if s}
    with_data.discard(None)
    opds = (
        Opd.objects.filter(_scope("pemda_id", pemdas))
        .filter(Q(is_active=True) | Q(pk__in=with_data))
        .select_related("pemda")
        .order_by("pemda__name", "name")
    )
    rows = []
    for opd in opds:
        on_time, total = follow_up.get(opd.pk, (0, 0))
        rating_sum, rating_count = ratings.get(opd.pk, (0, 0))
        rows.append(
            OpdRow(
                opd=opd,
                figures=Figures(
                    received=received.get(opd.pk, 0),
                    followed_up_on_time=on_time,
                    followed_up_total=total,
                    resolve_days=resolve_days.get(opd.pk, []),
                    rating_sum=rating_sum or 0,
                    rating_count=rating_count,
                    supporters=submitted.get(opd.pk, (0, 0))[1],
                ),
            )
        )
    return OpdTable(rows=rows, totals=_totals(follow_up, resolve_days, ratings, submitted))
