"""Breach forecasts: for an open clock, an *estimate* of the probability that it breaches.

Model. For an open clock of stage S at an OPD that has run ``w`` working days of its allowance
``A`` (working days, pauses excluded), the forecast is ``P(D ≥ A | D ≥ w)`` where ``D`` is the
working days such clocks take (``Deadline.working_days_taken``: a clock that takes ``A`` working
days or more has run past its due time). The distribution of ``D`` comes from the compliance
rollups (aduan.sla.rollups) over the trailing year of the OPD:

- the histogram of finished clocks' working days (``follow_up_days`` for the first follow-up,
  ``resolved`` for resolution, attributed to the resolving OPD), and
- the breaches (``<stage>_br``): those not already in the histogram as a late value (clocks that
  breached and have not finished, or finished without a duration) count as ``D = ∞``:
  ``late = max(0, breached − #histogram ≥ A)``.

Shrinkage: an OPD with few clocks says little, so ``PRIOR_WEIGHT`` pseudo-clocks are added, spread
like the Pemda-wide distribution of the stage (all OPDs of the Pemda together; the distribution of
every Pemda read when the Pemda itself has none). The probability is then
``(tail(A) + r) / (tail(w) + 1)`` with ``r`` the parent's breach rate (½ without one): with no
history at all it is ½, with plenty it is the empirical ratio. It rises with elapsed time
(monotonic in ``w``), is 1 once the clock has breached and 0 once it is met.

Only the first follow-up and resolution clocks are forecast: they are the ones the rollups hold a
working-day histogram for (verification, promise, legal-response and clarification clocks have
counts only). A complaint's forecast is that of its open forecast clock due soonest.

Category. Durations differ by category (a broken road takes longer than a missing document), so
where the complaint has a category its clock is forecast from the OPD's histogram **for that
category** (the rollups' month cells ``follow_up_days_cat``, ``resolved_cat`` and their breaches,
over the twelve whole months before this one), shrunk in the same way towards the OPD's own
distribution, itself shrunk towards the Pemda's: a category the OPD has seen often speaks for
itself, a rare one borrows from the OPD. A complaint without a category, or a category the OPD has
no history of, is forecast from the OPD's histogram as above. The category also sets the allowance
``A``: its own SLA policy decides how long the clock may take, read from the clock's due time.

Cost: ``histograms_for`` is two queries per page (whatever the number of Pemdas on it; the
staff pages keep the result per Pemdas and day), and
``forecasts_for`` uses the open clocks already prefetched by the staff lists (``open_deadlines``).
The figures are estimates and staff pages label them so.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Sum

from aduan.sla.calendar import WorkCalendar, count_working_days
from aduan.sla.models import MetricRollup, Stage
from aduan.sla.rollups import CATEGORY_METRICS, MONTH_ONLY

from .metrics import rollup_rows

PRIOR_WEIGHT = 20  # pseudo-clocks from the parent (Pemda-wide) distribution
HISTORY_DAYS = 365
LIKELY = 0.5  # "likely to breach" from this probability on
INFINITE = 10**6  # the value of a breached clock with no duration

# stage → (histogram metric, breach metric)
SOURCES = {
    Stage.FOLLOW_UP: ("follow_up_days", "follow_up_br"),
    Stage.RESOLUTION: ("resolved", "resolution_br"),
}
FORECAST_STAGES = tuple(SOURCES)
_METRIC_STAGE = {metric: (stage, kind) for stage, pair in SOURCES.items() for kind, metric in enumerate(pair)}
# the same for the category cells (month cells, label: the category id)
_CATEGORY_STAGE = {CATEGORY_METRICS[metric]: where for metric, where in _METRIC_STAGE.items()}
CATEGORY_MONTHS = 12


@dataclass
class Histogram:
    """Durations in working days (value → count) and the breaches of the same clocks."""

    counts: dict[int, float] = field(default_factory=dict)
    breached: float = 0
    # at_least[x]: the clocks that took x working days or more, for x from 0 to the longest; built
    # on first use (a page asks several tails of the same histogram per row), dropped by add().
    _at_least: list[float] | None = field(default=None, init=False, repr=False, compare=False)

    def add(self, value: int, n: float) -> None:
        self.counts[value] = self.counts.get(value, 0) + n
        self._at_least = None

    def at_least(self, x: int) -> float:
        """How many clocks of the histogram took ``x`` working days or more."""
        table = self._at_least
        if table is None:
            if any(v < 0 for v in self.counts):  # not a duration: no table, the plain sum
                return sum(n for v, n in self.counts.items() if v >= x)
            table = [0.0] * (max(self.counts, default=-1) + 2)
            for v, n in self.counts.items():
                table[v] += n
            for i in range(len(table) - 2, -1, -1):
                table[i] += table[i + 1]
            self._at_least = table
        if x <= 0:
            return table[0]
        return table[x] if x < len(table) else 0.0

    def tail(self, x: int, allowance: int) -> float:
        """How many clocks took ``x`` working days or more (the breached ones without a late
        duration in the histogram count as taking for ever)."""
        return self.at_least(x) + max(0.0, self.breached - self.at_least(allowance))

    def total(self, allowance: int) -> float:
        return self.tail(0, allowance)

    def shrunk(self, parent: "Histogram | None", allowance: int, weight=PRIOR_WEIGHT) -> "Histogram":
        """This histogram plus ``weight`` pseudo-clocks spread like ``parent``: what
        ``breach_probability`` counts for an OPD, as one histogram (the parent of a category's)."""
        size = parent.total(allowance) if parent is not None else 0
        if not size:
            return self
        out = Histogram(dict(self.counts), self.breached + weight * parent.breached / size)
        for v, n in parent.counts.items():
            out.add(v, weight * n / size)
        return out

    def merged(self, other: "Histogram") -> "Histogram":
        out = Histogram(dict(self.counts), self.breached + other.breached)
        for v, n in other.counts.items():
            out.add(v, n)
        return out


def breach_probability(
    *,
    elapsed: int,
    allowance: int,
    local: Histogram,
    parent: Histogram | None = None,
    prior_weight=PRIOR_WEIGHT,
) -> float:
    """``P(D ≥ allowance | D ≥ elapsed)`` from the OPD's histogram shrunk towards ``parent``, with
    one more pseudo-clock that breaches at the base rate (the parent's, else ½): so a clock that
    has outlived nearly all its history is not given a certainty either way."""
    if elapsed >= allowance:
        return 1.0
    elapsed = max(0, elapsed)
    size = parent.total(allowance) if parent is not None else 0
    base_rate = parent.tail(allowance, allowance) / size if size else 0.5

    def tail(x: int) -> float:
        t = local.tail(x, allowance)
        if size:
            t += prior_weight * parent.tail(x, allowance) / size
        return t

    return (tail(allowance) + base_rate) / (tail(elapsed) + 1.0)


@dataclass
class Histograms:
    """Per (Pemda, OPD, stage), per (Pemda, stage) and per stage (every Pemda read)."""

    by_opd: dict[tuple[int, int, str], Histogram] = field(default_factory=dict)
    by_pemda: dict[tuple[int, str], Histogram] = field(default_factory=dict)
    by_stage: dict[str, Histogram] = field(default_factory=dict)
    # (Pemda, OPD, category, stage): the twelve whole months before this one
    by_category: dict[tuple[int, int, int, str], Histogram] = field(default_factory=dict)
    # the OPDs' histograms shrunk towards their Pemda's, per allowance: built once per page's rows
    _shrunk: dict = field(default_factory=dict, repr=False, compare=False)

    def pair(
        self,
        pemda_id: int,
        opd_id: int | None,
        stage: str,
        category_id: int | None = None,
        allowance: int = 1,
    ) -> tuple[Histogram, Histogram | None]:
        """(local, parent) for ``breach_probability``: the OPD's histogram and the Pemda's; or,
        where the OPD has a history of the category, the category's and the OPD's shrunk
        towards the Pemda's (``allowance`` sizes that shrinkage)."""
        local = self.by_opd.get((pemda_id, opd_id or 0, stage), Histogram())
        parent = self.by_pemda.get((pemda_id, stage)) or self.by_stage.get(stage)
        if category_id is not None:
            own = self.by_category.get((pemda_id, opd_id or 0, category_id, stage))
            if own is not None and own.total(allowance) > 0:
                key = (pemda_id, opd_id or 0, stage, allowance)
                opd = self._shrunk.get(key)
                if opd is None:
                    opd = self._shrunk[key] = local.shrunk(parent, allowance)
                return own, opd
        return local, parent


def histograms_from_rows(rows) -> Histograms:
    """Build from rollup rows ``(pemda_id, opd_id, metric, label, value, n)`` (the queries' results)."""
    out = Histograms()
    for pemda_id, opd_id, metric, label, value, n in rows:
        if metric in _CATEGORY_STAGE:
            stage, kind = _CATEGORY_STAGE[metric]
            if kind == 0 and value < 0:
                continue
            hist = out.by_category.setdefault((pemda_id, opd_id, int(label), stage), Histogram())
            if kind == 0:
                hist.add(value, n)
            else:
                hist.breached += n
            continue
        stage, kind = _METRIC_STAGE[metric]
        if kind == 0 and value < 0:
            continue  # a resolution of unknown duration
        for hist in (
            out.by_opd.setdefault((pemda_id, opd_id, stage), Histogram()),
            out.by_pemda.setdefault((pemda_id, stage), Histogram()),
            out.by_stage.setdefault(stage, Histogram()),
        ):
            if kind == 0:
                hist.add(value, n)
            else:
                hist.breached += n
    return out


def category_months(today: date) -> tuple[date, date]:
    """The first days of the first and the last of the ``CATEGORY_MONTHS`` whole months before
    ``today``'s month."""
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    months = last.year * 12 + last.month - 1 - (CATEGORY_MONTHS - 1)
    return date(months // 12, months % 12 + 1, 1), last


def histograms_for(pemda_ids, *, today: date) -> Histograms:
    """The histograms of ``pemda_ids``: per OPD the trailing year up to the day before ``today``
    (one query over the span and day cells of four metrics, a few hundred rows per Pemda), per OPD
    and category the twelve whole months before ``today``'s month (one query over their month
    cells). Not cached across requests, so a page's query count does not depend on what an
    earlier request left behind."""
    pemda_ids = sorted(set(pemda_ids))
    metrics = [m for pair in SOURCES.values() for m in pair]
    rows = list(
        rollup_rows(
            pemda_ids=pemda_ids,
            first=today - timedelta(days=HISTORY_DAYS),
            last=today - timedelta(days=1),
            metrics=metrics,
        )
    )
    first, last = category_months(today)
    rows += (
        MetricRollup.objects.filter(pemda_id__in=pemda_ids, span=MetricRollup.CATEGORY_MONTH)
        .filter(metric__in=MONTH_ONLY, day__gte=first, day__lte=last)
        .values("pemda_id", "opd_id", "metric", "label", "value")
        .annotate(total=Sum("n"))
        .order_by()
        .values_list("pemda_id", "opd_id", "metric", "label", "value", "total")
    )
    return histograms_from_rows(rows)


@dataclass
class Risk:
    """The forecast of one clock, shown to staff as an estimate."""

    probability: float
    stage: str
    due_at: datetime

    @property
    def percent(self) -> int:
        return round(self.probability * 100)

    @property
    def css(self) -> str:
        return "late" if self.probability >= LIKELY else ("soon" if self.probability >= 0.2 else "ok")


def clock_days(deadline, now: datetime, cal: WorkCalendar) -> tuple[int, int]:
    """(elapsed, allowance) of a clock in working days, pauses excluded."""
    paused = deadline.paused_working_days or 0
    allowance = count_working_days(deadline.started_at, deadline.due_at, cal) - paused
    elapsed = count_working_days(deadline.started_at, now, cal) - paused if now > deadline.started_at else 0
    return elapsed, max(1, allowance)


def forecast_clock(complaint):
    """The clock a complaint's forecast is about: its open forecast clock due soonest (from the
    prefetched ``open_deadlines``)."""
    running = [d for d in complaint.open_deadlines if d.stage in FORECAST_STAGES and d.met_at is None]
    return min(running, key=lambda d: d.due_at) if running else None


def forecasts_for(
    complaints, *, now: datetime, calendars: dict, histograms=histograms_for
) -> dict[int, Risk]:
    """Annotate a page of complaints (with ``open_deadlines`` prefetched and ``calendars`` per
    Pemda): ``{complaint pk: Risk}``; 2 queries for the histograms, read by ``histograms(pemda_ids,
    today=…)`` (the staff pages pass their per-process copy)."""
    complaints = list(complaints)
    if not complaints:
        return {}
    pemda_ids = {c.pemda_id for c in complaints}
    # the cells are local days: "today" is the Pemda's (of several, the earliest, so that no
    # Pemda's unfinished day is read as history)
    today = min(now.astimezone(calendars[pk].zone).date() for pk in pemda_ids)
    hists = histograms(pemda_ids, today=today)
    out = {}
    for c in complaints:
        d = forecast_clock(c)
        if d is None:
            continue
        opd_id = d.opd_id or c.current_opd_id
        if d.met_at is None and d.breached_at is None and d.due_at > now:
            elapsed, allowance = clock_days(d, now, calendars[c.pemda_id])
            local, parent = hists.pair(c.pemda_id, opd_id, d.stage, c.category_id, allowance)
            p = breach_probability(elapsed=elapsed, allowance=allowance, local=local, parent=parent)
        else:
            p = 1.0
        out[c.pk] = Risk(p, d.stage, d.due_at)
    return out
