"""Public figures of complaint handling, per Pemda and per OPD, for a period (no personal data).

Used by the home page (this month) and the statistics page (a year or a month). The periods are
``aduan.compliance.periods.Period`` and the figures ``aduan.compliance.figures.Figures`` — the classes
of the compliance dashboard, filled here with the few figures the public pages show, counted the same
way (tests/portal/test_portal.py holds the two to the same numbers). Every function runs
a FIXED number of queries, whatever the number of OPDs or complaints: counts and sums are SQL
aggregates grouped by OPD; working days to resolve travel as a histogram {days: clocks} per OPD.

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

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Sum

from aduan.agencies.models import Opd
from aduan.complaints.models import Complaint, ComplaintHop, ComplaintRating
from aduan.compliance.figures import Figures
from aduan.compliance.periods import Period
from aduan.sla.models import Deadline, Stage
from aduan.sla.selectors import last_resolving_opd

# Workflow actions (aduan.complaints.workflow.Action values; not imported to keep this module light).
DISPATCH_ACTIONS = ("dispatch", "redispatch")


def _within(period: Period, zone: ZoneInfo, field_name: str) -> Q:
    start, end = period.bounds(zone)
    return Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})


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


def _by_opd(pemdas, period: Period, zone: ZoneInfo) -> tuple[dict, dict, dict, dict, dict]:
    """Per-OPD raw figures, five queries in all: received, follow-up, resolutions, ratings,
    complaints submitted (count and supporters). Keys are OPD ids (None for no OPD)."""
    received = dict(
        ComplaintHop.objects.filter(
            _scope("complaint__pemda_id", pemdas),
            _within(period, zone, "started_at"),
            started_by__action__in=DISPATCH_ACTIONS,
        )
        .values("opd_id")
        .annotate(n=Count("complaint_id", distinct=True))
        .values_list("opd_id", "n")
    )

    met_in_period = _within(period, zone, "met_at")
    follow_up = {
        opd_id: (on_time, total)
        for opd_id, on_time, total in Deadline.objects.filter(
            _scope("complaint__pemda_id", pemdas),
            met_in_period | _within(period, zone, "breached_at"),
            stage=Stage.FOLLOW_UP,
        )
        .values("opd_id")
        .annotate(on_time=Count("pk", filter=met_in_period & Q(breached_at__isnull=True)), total=Count("pk"))
        .values_list("opd_id", "on_time", "total")
    }

    # Resolution clocks met by a resolution (the clock stores who resolved it), as a histogram of
    # working days per OPD — the same grouping as the compliance metrics.
    resolutions: dict = defaultdict(lambda: (0, Counter()))
    for opd_id, days, n in (
        Deadline.objects.filter(
            _scope("complaint__pemda_id", pemdas),
            met_in_period,
            stage=Stage.RESOLUTION,
            resolved_by__isnull=False,
        )
        .values("resolved_by_id", "working_days_taken")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("resolved_by_id", "working_days_taken", "n")
    ):
        count, hist = resolutions[opd_id]
        if days is not None:
            hist[days] += n
        resolutions[opd_id] = (count + n, hist)

    ratings = {
        opd_id: (total, n)
        for opd_id, total, n in ComplaintRating.objects.filter(
            _scope("complaint__pemda_id", pemdas), _within(period, zone, "created_at")
        )
        .annotate(rated_opd=last_resolving_opd())
        .values("rated_opd")
        .annotate(total=Sum("score"), n=Count("pk"))
        .values_list("rated_opd", "total", "n")
    }

    submitted = {
        opd_id: (n, supporters or 0)
        for opd_id, n, supporters in Complaint.objects.filter(
            _scope("pemda_id", pemdas), _within(period, zone, "submitted_at")
        )
        .values("current_opd_id")
        .annotate(n=Count("pk"), supporters=Sum("supporters_count"))
        .values_list("current_opd_id", "n", "supporters")
    }
    return received, follow_up, dict(resolutions), ratings, submitted


def _totals(follow_up: dict, resolutions: dict, ratings: dict, submitted: dict) -> Figures:
    hist = Counter()
    for _count, opd_hist in resolutions.values():
        hist.update(opd_hist)
    return Figures(
        level="pemda",
        submitted=sum(n for n, _s in submitted.values()),
        followed_up_on_time=sum(on_time for on_time, _t in follow_up.values()),
        follow_up_total=sum(total for _o, total in follow_up.values()),
        resolved=sum(count for count, _h in resolutions.values()),
        resolve_hist=hist,
        rating_sum=sum(total or 0 for total, _n in ratings.values()),
        rating_count=sum(n for _t, n in ratings.values()),
        supporters=sum(s for _n, s in submitted.values()),
    )


def pemda_figures(*, pemdas: Iterable | None, period: Period, zone: ZoneInfo) -> Figures:
    """Figures of the given Pemdas together (None: all) for ``period`` in ``zone``: five queries."""
    _received, follow_up, resolutions, ratings, submitted = _by_opd(pemdas, period, zone)
    return _totals(follow_up, resolutions, ratings, submitted)


def opd_table(*, pemdas: Iterable | None, period: Period, zone: ZoneInfo) -> OpdTable:
    """One row per OPD of the given Pemdas (None: all) — active OPDs, and inactive ones that have
    figures in the period — plus the totals: six queries, or none when the same table was computed
    in the last ``ADUAN_PUBLIC_STATS_CACHE_SECONDS`` (public figures: a few minutes old is fine, and
    at national scale the aggregates take seconds)."""
    pemdas = list(pemdas) if pemdas is not None else None
    seconds = settings.ADUAN_PUBLIC_STATS_CACHE_SECONDS
    if not seconds:
        return _opd_table(pemdas=pemdas, period=period, zone=zone)
    scope = ",".join(str(p.pk) for p in sorted(pemdas, key=lambda p: p.pk)) if pemdas is not None else "all"
    key = f"public-stats:v2:{scope}:{period.first}:{period.last}:{zone.key}"
    table = cache.get(key)
    if table is None:
        table = _opd_table(pemdas=pemdas, period=period, zone=zone)
        cache.set(key, table, seconds)
    return table


def _opd_table(*, pemdas: list | None, period: Period, zone: ZoneInfo) -> OpdTable:
    received, follow_up, resolutions, ratings, submitted = _by_opd(pemdas, period, zone)
    with_data = set(received) | set(follow_up) | set(resolutions) | set(ratings)
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
        resolved, hist = resolutions.get(opd.pk, (0, Counter()))
        rows.append(
            OpdRow(
                opd=opd,
                figures=Figures(
                    level="opd",
                    received_by_opd=received.get(opd.pk, 0),
                    followed_up_on_time=on_time,
                    follow_up_total=total,
                    resolved=resolved,
                    resolve_hist=hist,
                    rating_sum=rating_sum or 0,
                    rating_count=rating_count,
                    supporters=submitted.get(opd.pk, (0, 0))[1],
                ),
            )
        )
    return OpdTable(rows=rows, totals=_totals(follow_up, resolutions, ratings, submitted))
