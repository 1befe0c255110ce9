"""Rollups of the compliance metrics: counts per Pemda × OPD × local day × metric, written in the
same transaction as the move, clock stop or breach that changes them, so that every dashboard and
API period is a sum of a few small rows instead of a scan of complaints, hops, clocks and ratings
(aduan.compliance.metrics reads them; ``metrics_scan`` keeps the full scan to check).

A cell is ``MetricRollup(pemda_id, span, day, opd_id, metric, label, value) → n``: ``opd_id`` 0 is
"no OPD", ``day`` the local calendar day in the Pemda's zone (periods are spans of local days, so a
period is exactly a range of days), ``label`` a channel or an SKM element, ``value`` the working
days of a histogram or a gap in days. Every day cell is also added to the cells of its dekad (days
1–10, 11–20, 21 to the month's end), month, quarter and year (``span``; ``day`` = the span's first
day), except the ``BY_DAY`` metrics (see below). A period is read as the fewest whole spans that
cover it (``span_runs``): a calendar month, quarter or year is one span, any period at most a run
of days, dekads, months and quarters at each end around whole years; one that reaches today may
end with the span that holds today, the days after it (the future: no cells yet, usually)
subtracted (``span_cover``), so a trailing year is a few days, two dekads and this year.

Writers produce *facts* (a ``Counter`` of day-cell keys → counts) and ``rollup_apply(new, old)``
adds their difference, with its spans (``with_spans``), in one ``INSERT … ON CONFLICT DO UPDATE SET
n = n + excluded.n``: an atomic increment, so concurrent writers never lose a count. The rebuild
replaces a Pemda's cells by those of its facts, writing only the differences (``rollup_replace``).

The facts of one clock (``clock_facts``, here) depend only on its stored stop: met, breached,
working days taken, the resolving OPD. Those of one complaint (aduan.complaints.rollups) are its
clocks' plus its submission, closing, hops, rating and SKM answers; a move
(``complaint_transition``) retracts the complaint's facts as they were when it locked the row and
adds them as they are at the end, so whatever the move changed is followed exactly.

Metrics (same definitions as aduan/compliance/metrics.py). All but the last two are **sums over the
days of a period**:

- ``sub`` / ``sup`` (label: channel; OPD: the one holding the complaint *now*; day: submission):
  complaints submitted and their "+1"s. Not additive by day over time: when the complaint moves to
  another OPD, the move retracts the cell of the old OPD and adds the new one (before/after facts).
- ``hop_disp``, ``hop_reopen``: hops started by a first dispatch / a re-open (day: hop start).
- ``hop_recv`` and ``hop_recv_dup`` — **distinct complaints received** by an OPD in a period are
  not a sum of days (a complaint re-dispatched twice to the same OPD counts once). Every dispatch or
  re-dispatch hop adds 1 to ``hop_recv``; a hop whose complaint came to the same OPD before also
  adds 1 to ``hop_recv_dup`` with ``value`` = days since that previous hop. For a period
  ``[a, b]`` the distinct count is ``Σ hop_recv − Σ hop_recv_dup`` over the cells with ``a ≤ day ≤
  b`` and ``day − value ≥ a``: each chain of k hops inside the period subtracts k − 1.
- ``handled`` (value: working days): hops whose OPD reported "selesai ditangani" that day.
- ``<stage>_met``, ``<stage>_ok``, ``<stage>_br``, ``<stage>_both`` for the verification (label:
  channel), follow-up and promise clocks: met that day, met without a breach, breached that day
  (the due day), and met that day after a breach (``value`` = days since the breach). "Clocks met
  or breached in the period" count a late clock once even if both fell in the period, so the total
  is ``met + br − both`` with ``both`` counted only where ``day − value ≥ a`` (the same device as
  ``hop_recv_dup``). ``ch_fu_*`` repeat the follow-up ones per channel at OPD 0 (the channel table).
- These gap metrics ("dup", "both": ``DAY_ONLY``) are kept three ways (``gap_facts``): an event up
  to ``NEAR_DAYS`` (31) days after the earlier one by day with its gap (``X``) and, without the
  gap, in every span (``X_near``); a later one by day with its gap (``X_far``). In a period's first
  31 days the ``X`` cells are checked by day (a far one cannot reach back into the period there);
  after them every near one counts, so they are summed by spans, and the rare far ones checked by
  day: a year is read from its first month's gap cells, not from 365 days of them.
- ``follow_up_days`` (value: working days taken): the first-response histogram.
- ``resolved`` (OPD: the one that resolved; value: working days, −1 unknown) and ``resolved_ok``.
- ``<stage>_br`` for every other stage except the reply window: the breaches table.
- ``rating``, ``rating_sum``, ``skm``, ``skm_u`` (label u1–u9) on the day given — **attributed to
  the OPD that last resolved the complaint** (``selectors.last_resolving_opd``): a later
  resolution by another OPD is a move, whose before/after facts move the rating to it.

**By category, for the breach forecast** (aduan.compliance.forecast): ``follow_up_days_cat`` and
``resolved_cat`` (label: the complaint's category id; value: working days, as ``follow_up_days`` and
``resolved``) and ``follow_up_br_cat``, ``resolution_br_cat`` (the breaches), per OPD. A category is
chosen when the complaint is filed and never changes, so these are plain sums of days like the
others, but they are kept **by month only** (``MONTH_ONLY``), in cells of a span of their own
(``CATEGORY_MONTH``: no day, dekad, quarter or year cell): the forecast reads the last twelve whole
months, and no dashboard period's range of cells holds them (``rollup_rows`` refuses them). A
complaint without a category adds none.

The **backlog** (complaints open at the end of a period, by age, for the OPD holding them now) is a
*state* at one instant, not a sum over the period's days. Two metrics (``STATE_METRICS``) let it be
read at the end of any local day ``L`` without the complaints table:

- ``open`` (OPD: holding it now): +1 on the day of submission, −1 on the day it was closed (if
  it is closed now). Its sum over *every* day up to ``L`` (years, quarters, … days: the running
  total, never a period's sum) is the number of complaints open at the end of ``L``.
- ``open_days`` (by day only, day: submission): ``value`` = local days from submission to closing,
  ``BACKLOG_DAYS`` while open or if longer. A complaint submitted on ``S ≥ L − 60`` is open at the
  end of ``L`` exactly when ``value > L − S``: the recent ages of the backlog (buckets up to 60
  days) are read from 61 days of these cells, and the oldest bucket is the running total minus them.

"Closed" is what the complaints table says now (``closed_at``, kept when a complaint is re-opened
and closed again): the backlog at the end of a past period counts a complaint open from its
submission to its latest closing, as the full scan does.

If a Pemda's time zone changes, its cells keep the old days: run ``manage.py metrics_rebuild``.
"""

import calendar
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection

from .models import MetricRollup, Stage

# (pemda_id, opd_id, day, metric, label, value)
CellKey = tuple[int, int, date, str, str, int]
Facts = Counter  # Counter[CellKey]

COUNTED_STAGES = (Stage.VERIFICATION, Stage.FOLLOW_UP, Stage.PROMISE)
NO_OPD = 0
# The "gap" metrics (see above): an event counted only if the earlier one it reaches back to lies
# in the period too. Each is kept three ways, by its gap: up to ``NEAR_DAYS``, by day with the gap
# (``X``) and also in every span without it (``X_near``); longer, by day with the gap (``X_far``).
NEAR_DAYS = 31
DAY_ONLY = frozenset({"hop_recv_dup", "ch_fu_both", *(f"{stage}_both" for stage in COUNTED_STAGES)})
NEAR = {metric: f"{metric}_near" for metric in DAY_ONLY}
FAR = {metric: f"{metric}_far" for metric in DAY_ONLY}
# The gap metric each near or far name counts for.
GAP_METRIC = {name: metric for metric in DAY_ONLY for name in (metric, NEAR[metric], FAR[metric])}
# The channel table's copies of the follow-up cells (``ch_fu_*``, OPD 0), read by channels only.
CHANNEL_METRICS = ("ch_fu_met", "ch_fu_ok", "ch_fu_br", "ch_fu_both", NEAR["ch_fu_both"], FAR["ch_fu_both"])
# The backlog's cells (see above): never part of a period's sums.
STATE_METRICS = ("open", "open_days")
BACKLOG_DAYS = 61  # ``open_days`` values: 0–60 days, or this (open, or open longer)
# The forecast's histograms per OPD and category (see above): month cells only.
CATEGORY_METRICS = {
    "follow_up_days": "follow_up_days_cat",
    "follow_up_br": "follow_up_br_cat",
    "resolved": "resolved_cat",
    "resolution_br": "resolution_br_cat",
}
MONTH_ONLY = frozenset(CATEGORY_METRICS.values())
# Cells kept by day only (no dekad, month, quarter or year cell). The partial index
# metric_rollup_day_only (models.MetricRollup) lists the gap metrics among them.
BY_DAY = DAY_ONLY | set(FAR.values()) | {"open_days"}

DAY, DEKAD, MONTH, QUARTER, YEAR = (
    MetricRollup.DAY,
    MetricRollup.DEKAD,
    MetricRollup.MONTH,
    MetricRollup.QUARTER,
    MetricRollup.YEAR,
)
CATEGORY_MONTH = MetricRollup.CATEGORY_MONTH
LONGEST_FIRST = (YEAR, QUARTER, MONTH, DEKAD, DAY)


def span_start(span: int, day: date) -> date:
    """The first day of the ``span`` that holds ``day``."""
    if span == DAY:
        return day
    if span == DEKAD:
        return day.replace(day=min((day.day - 1) // 10, 2) * 10 + 1)
    if span == MONTH:
        return day.replace(day=1)
    if span == QUARTER:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, 1, 1)


def span_last(span: int, start: date) -> date:
    """The last day of the ``span`` that ``start`` opens."""
    if span == DAY:
        return start
    if span == DEKAD and start.day < 21:
        return start + timedelta(days=9)
    if span == YEAR:
        return date(start.year, 12, 31)
    month = start.month + 2 if span == QUARTER else start.month
    return date(start.year, month, calendar.monthrange(start.year, month)[1])


def span_runs(first: date, last: date) -> list[tuple[int, date, date]]:
    """The fewest whole spans that cover the days ``[first, last]`` once, as runs ``(span, first
    start, last start)`` of consecutive spans of one kind (at most two runs per kind)."""
    return _cover(first, last, may_pass=False)[0]


def span_cover(first: date, last: date, *, empty_after: date | None = None) -> tuple[list, date | None]:
    """Like ``span_runs``, but if the days after ``empty_after`` hold no cells yet (today's in the
    Pemdas' zones: nothing happened in the future) and ``last`` is one of them, the last span may
    reach past ``last``: a trailing year that ends today is a few days and dekads, then this
    year. Returns the runs and the last day they cover (None: exactly ``last``); the reader
    subtracts the day cells after ``last`` up to it, so the sums stay exact whatever is there."""
    return _cover(first, last, may_pass=empty_after is not None and last >= empty_after)


def _cover(first: date, last: date, *, may_pass: bool) -> tuple[list, date | None]:
    runs: list[tuple[int, date, date]] = []
    day = first
    while day <= last:
        if may_pass:
            longest = next(s for s in LONGEST_FIRST if span_start(s, day) == day)
            if span_last(longest, day) > last:  # the longest span from here reaches past ``last``
                return [*runs, (longest, day, day)], span_last(longest, day)
        span = next(s for s in LONGEST_FIRST if span_start(s, day) == day and span_last(s, day) <= last)
        if runs and runs[-1][0] == span:
            runs[-1] = (span, runs[-1][1], day)
        else:
            runs.append((span, day, day))
        day = span_last(span, day) + timedelta(days=1)
    return runs, None


def local_day(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def gap_facts(facts: Facts, key: tuple, metric: str, label: str, gap: int) -> None:
    """Add one event of the gap metric ``metric`` (``key`` = Pemda, OPD, day) ``gap`` days after
    the earlier event it reaches back to: by day with the gap, and in every span if near."""
    cells = [(metric, gap), (NEAR[metric], 0)] if gap <= NEAR_DAYS else [(FAR[metric], gap)]
    for name, value in cells:
        cell = (*key, name, label, value)
        facts[cell] = facts.get(cell, 0) + 1


def clock_facts(
    *,
    pemda_id: int,
    channel: str,
    stage: str,
    opd_id: int | None,
    resolved_by_id: int | None,
    met: date | None,
    breached: date | None,
    working_days_taken: int | None,
    category_id: int | None = None,
    into: Facts | None = None,
) -> Facts:
    """What one clock's stop contributes (nothing while it runs), given the local days it was met
    and breached on; added to ``into`` if given. With the complaint's ``category_id``, the first
    follow-up and resolution clocks also count in the forecast's category cells."""
    facts: Facts = Counter() if into is None else into
    if stage == Stage.REPLY_WINDOW:
        return facts

    category = str(category_id) if category_id is not None else None

    def add(key: CellKey) -> None:
        facts[key] = facts.get(key, 0) + 1
        if category is not None and key[3] in CATEGORY_METRICS:  # and the forecast's category cell
            cell = (*key[:3], CATEGORY_METRICS[key[3]], category, key[5])
            facts[cell] = facts.get(cell, 0) + 1

    opd = opd_id or NO_OPD
    if breached is not None:
        add((pemda_id, opd, breached, f"{stage}_br", channel if stage == Stage.VERIFICATION else "", 0))
    if stage in COUNTED_STAGES:
        label = channel if stage == Stage.VERIFICATION else ""
        if met is not None:
            add((pemda_id, opd, met, f"{stage}_met", label, 0))
            if breached is None:
                add((pemda_id, opd, met, f"{stage}_ok", label, 0))
            else:
                gap_facts(facts, (pemda_id, opd, met), f"{stage}_both", label, (met - breached).days)
        if stage == Stage.FOLLOW_UP:
            if met is not None and working_days_taken is not None:
                add((pemda_id, opd, met, "follow_up_days", "", working_days_taken))
            if breached is not None:
                add((pemda_id, NO_OPD, breached, "ch_fu_br", channel, 0))
            if met is not None:
                add((pemda_id, NO_OPD, met, "ch_fu_met", channel, 0))
                if breached is None:
                    add((pemda_id, NO_OPD, met, "ch_fu_ok", channel, 0))
                else:
                    gap_facts(facts, (pemda_id, NO_OPD, met), "ch_fu_both", channel, (met - breached).days)
    elif stage == Stage.RESOLUTION and met is not None and resolved_by_id is not None:
        days = working_days_taken if working_days_taken is not None else -1
        add((pemda_id, resolved_by_id, met, "resolved", "", days))
        if breached is None:
            add((pemda_id, resolved_by_id, met, "resolved_ok", "", 0))
    return facts


def deadline_facts(d, complaint) -> Facts:
    """``clock_facts`` of a Deadline instance (or any object with its fields) of ``complaint``
    (its Pemda loaded)."""
    zone = complaint.pemda.zoneinfo
    return clock_facts(
        pemda_id=complaint.pemda_id,
        channel=complaint.channel,
        category_id=complaint.category_id,
        stage=d.stage,
        opd_id=d.opd_id,
        resolved_by_id=d.resolved_by_id,
        met=local_day(d.met_at, zone) if d.met_at else None,
        breached=local_day(d.breached_at, zone) if d.breached_at else None,
        working_days_taken=d.working_days_taken,
    )


def rollup_apply(new: Facts, old: Facts | None = None) -> int:
    """Add ``new − old`` to the cells, in one atomic upsert (inside the caller's transaction);
    returns how many cells changed. Rows are sent in key order, so two writers lock shared cells
    in the same order and never deadlock on them."""
    delta = Counter(new)
    delta.subtract(old or Counter())
    rows = sorted(with_spans(delta).items())
    if not rows:
        return 0
    table = MetricRollup._meta.db_table
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    params: list = []
    for key, n in rows:
        params += [*key, n]
    sql = (
        f"INSERT INTO {table} (pemda_id, span, day, opd_id, metric, label, value, n) VALUES {placeholders} "  # noqa: S608 (the model's table)
        "ON CONFLICT (pemda_id, span, day, opd_id, metric, label, value) "
        f"DO UPDATE SET n = {table}.n + excluded.n"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return len(rows)


def with_spans(facts: Facts) -> dict[tuple, int]:
    """The cells to add for ``facts`` (day cells): each day cell, and the cells of its dekad, month,
    quarter and year too (except the ``BY_DAY`` metrics; of the ``MONTH_ONLY`` ones only the
    month's, as ``CATEGORY_MONTH``), keyed ``(pemda_id, span, day, opd_id, metric, label, value)``.
    Each span is summed from the one below it (days → dekads → months → quarters → years): fewer
    cells at each step."""
    cells: dict[tuple, int] = {}
    below: dict[
        tuple, int
    ] = {}  # the cells of the span below, keyed (pemda, opd, start, metric, label, value)
    for (pemda_id, opd_id, day, metric, label, value), n in facts.items():
        if not n:
            continue
        if metric in MONTH_ONLY:
            key = (pemda_id, CATEGORY_MONTH, span_start(MONTH, day), opd_id, metric, label, value)
            if cells.setdefault(key, 0) + n:
                cells[key] += n
            else:  # days of one month that cancel out: no cell
                del cells[key]
            continue
        cells[(pemda_id, DAY, day, opd_id, metric, label, value)] = n
        if metric not in BY_DAY:
            key = (pemda_id, opd_id, day, metric, label, value)
            below[key] = below.get(key, 0) + n
    for span in (DEKAD, MONTH, QUARTER, YEAR):
        starts: dict[date, date] = {}
        summed: dict[tuple, int] = {}
        for (pemda_id, opd_id, day, metric, label, value), n in below.items():
            start = starts.get(day)
            if start is None:
                start = starts[day] = span_start(span, day)
            key = (pemda_id, opd_id, start, metric, label, value)
            summed[key] = summed.get(key, 0) + n
        for (pemda_id, opd_id, start, metric, label, value), n in summed.items():
            if n:
                cells[(pemda_id, span, start, opd_id, metric, label, value)] = n
        below = summed
    return cells


COLUMNS = ("pemda_id", "span", "day", "opd_id", "metric", "label", "value", "n")


def rollup_replace(*, pemda_ids: Iterable[int], facts: Facts) -> int:
    """Make the cells of ``pemda_ids`` those of ``facts`` (the rebuild; inside a transaction). The
    cells there are read first and only the differences written: new cells by one COPY, changed
    counts by one UPDATE, cells no longer there (or left at 0) by one DELETE; a rebuild that finds
    everything right writes nothing. Returns how many cells were written or deleted."""
    table = MetricRollup._meta.db_table
    wanted = with_spans(facts)
    found: dict[tuple, tuple[int, int]] = {}
    if connection.vendor == "postgresql":  # the rows as they come, without the ORM's conversions
        sql = f"SELECT id, {', '.join(COLUMNS)} FROM {table} WHERE pemda_id = ANY(%s)"  # noqa: S608 (the model's table)
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(pemda_ids)])
            rows = cursor.fetchall()
    else:
        rows = MetricRollup.objects.filter(pemda_id__in=list(pemda_ids)).values_list("pk", *COLUMNS)
    for pk, *key, n in rows:
        found[tuple(key)] = (pk, n)
    new, changed = [], []
    for key, n in wanted.items():
        there = found.get(key)
        if there is None:
            new.append((key, n))
        elif there[1] != n:
            changed.append((n, there[0]))
    gone = [pk for key, (pk, _n) in found.items() if key not in wanted]
    if gone:
        MetricRollup.objects.filter(pk__in=gone).delete()
    if changed:
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET n = %s WHERE id = %s", changed)  # noqa: S608 (the model's table)
    new.sort()
    if new and connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy,
        ):
            for key, n in new:
                copy.write_row((*key, n))
    elif new:
        MetricRollup.objects.bulk_create(
            [MetricRollup(**dict(zip(COLUMNS, (*key, n), strict=True))) for key, n in new], batch_size=5000
        )
    return len(new) + len(changed) + len(gone)
