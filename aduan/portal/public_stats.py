"""Public figures of complaint handling, per Pemda and per OPD, for a period (no personal data).

Used by the home page (this month) and the statistics page (a year or a month: per OPD of one
Pemda, or, on an installation serving several Pemdas, per Pemda until one is chosen). The periods are
``aduan.compliance.periods.Period`` and the figures ``aduan.compliance.figures.Figures`` — the classes
of the compliance dashboard, filled here with the few figures the public pages show, read from the
same rollup cells (aduan.sla.rollups: counts per Pemda × OPD × local day, month and year, written in
the transaction of each move and clock stop) and added up by the same functions
(``aduan.compliance.metrics``); tests/portal/test_portal.py holds the two to the same numbers. A
month or a year is one span of cells, so every function runs a FIXED number of queries — the cells
of the public metrics, the OPDs of the table, the Pemdas' ids when asked for all of them — whatever
the number of OPDs or complaints, without reading complaints, hops, clocks or ratings.

What each figure means (a period is a span of local days in each Pemda's own time zone):

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

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q

from aduan.agencies.models import Opd, Pemda
from aduan.compliance.figures import Figures
from aduan.compliance.metrics import ADDERS, rollup_arrays
from aduan.compliance.periods import Period

# The rollup metrics behind the public figures (aduan.sla.rollups): complaints submitted and their
# "+1"s, OPDs' distinct complaints received, first follow-up clocks met / on time / breached / met
# after a breach, resolutions with their working days, ratings.
PUBLIC_METRICS = (
    *("sub", "sup", "hop_recv", "hop_recv_dup"),
    *("follow_up_met", "follow_up_ok", "follow_up_br", "follow_up_both"),
    *("resolved", "rating", "rating_sum"),
)


@dataclass
class OpdRow:
    opd: Opd
    figures: Figures


@dataclass
class OpdTable:
    rows: list[OpdRow]
    totals: Figures


@dataclass
class PemdaRow:
    pemda: Pemda
    figures: Figures


@dataclass
class PemdaTable:
    rows: list[PemdaRow]
    totals: Figures


def _pemda_ids(pemdas: Iterable | None) -> list[int]:
    """The ids of the given Pemdas (None: every Pemda, one query)."""
    if pemdas is None:
        return list(Pemda.objects.values_list("pk", flat=True))
    return [p.pk for p in pemdas]


def _cells(pemda_ids: list[int], period: Period, *, by: str | None = "opd") -> tuple[dict, Figures]:
    """The period's cells of ``PUBLIC_METRICS`` added up per OPD (``by="opd"``; key None: no OPD)
    or per Pemda (``by="pemda"``, the Pemda's own figures) or not at all (None), and for the
    Pemdas together, one query."""
    cells: dict = defaultdict(lambda: Figures(level=by or "pemda"))
    total = Figures(level="pemda")
    for pemda_id, opd_id, metric, label, values, totals in rollup_arrays(
        pemda_ids=pemda_ids, first=period.first, last=period.last, metrics=PUBLIC_METRICS
    ):
        add = ADDERS[metric]
        add(total, label, values, totals)
        if by == "opd":
            add(cells[opd_id or None], label, values, totals)
        elif by == "pemda":
            add(cells[pemda_id], label, values, totals)
    return cells, total


def pemda_figures(*, pemdas: Iterable | None, period: Period) -> Figures:
    """Figures of the given Pemdas together (None: all) for ``period``: one query (two for all)."""
    return _cells(_pemda_ids(pemdas), period, by=None)[1]


def opd_table(*, pemdas: Iterable | None, period: Period) -> OpdTable:
    """One row per OPD of the given Pemdas (None: all) — active OPDs, and inactive ones that have
    figures in the period — plus the totals: two queries (three for all), or none when the same
    table was computed in the last ``ADUAN_PUBLIC_STATS_CACHE_SECONDS`` (public figures: a few
    minutes old is fine)."""
    pemdas = list(pemdas) if pemdas is not None else None
    scope = ",".join(str(p.pk) for p in sorted(pemdas, key=lambda p: p.pk)) if pemdas is not None else "all"
    return _cached(
        f"public-stats:v3:{scope}:{period.first}:{period.last}",
        lambda: _opd_table(pemdas=pemdas, period=period),
    )


def pemda_table(*, period: Period) -> PemdaTable:
    """One row per Pemda (its own figures: complaints submitted to it, its OPDs' follow-ups,
    resolutions, ratings) plus the totals of all: two queries, cached as ``opd_table``. The
    statistics page of an installation serving several Pemdas (the Ombudsman's, a province's)
    shows this first instead of every OPD of every Pemda."""
    return _cached(
        f"public-stats:pemdas:v1:{period.first}:{period.last}", lambda: _pemda_table(period=period)
    )


def _cached(key: str, compute):
    seconds = settings.ADUAN_PUBLIC_STATS_CACHE_SECONDS
    if not seconds:
        return compute()
    table = cache.get(key)
    if table is None:
        table = compute()
        cache.set(key, table, seconds)
    return table


def _pemda_table(*, period: Period) -> PemdaTable:
    pemdas = list(Pemda.objects.order_by("name"))
    cells, total = _cells([p.pk for p in pemdas], period, by="pemda")
    rows = [PemdaRow(pemda=p, figures=cells.get(p.pk) or Figures(level="pemda")) for p in pemdas]
    return PemdaTable(rows=rows, totals=total)


def _opd_table(*, pemdas: list | None, period: Period) -> OpdTable:
    pemda_ids = _pemda_ids(pemdas)
    cells, total = _cells(pemda_ids, period)
    with_data = {
        opd_id
        for opd_id, c in cells.items()
        if opd_id is not None
        and (c.received_by_opd or c.follow_up_total or c.resolved or c.rating_count or c.supporters)
    }
    opds = (
        Opd.objects.filter(pemda_id__in=pemda_ids)
        .filter(Q(is_active=True) | Q(pk__in=with_data))
        .select_related("pemda")
        .order_by("pemda__name", "name")
    )
    rows = [OpdRow(opd=opd, figures=cells.get(opd.pk) or Figures(level="opd")) for opd in opds]
    return OpdTable(rows=rows, totals=total)
