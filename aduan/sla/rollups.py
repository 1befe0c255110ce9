"""Rollups of the compliance metrics: counts per Pemda × OPD × local day × metric, written in the
same transaction as the move, clock stop or breach that changes them, so that every dashboard and
API period is a sum over at most a year of small rows instead of a scan of complaints, hops, clocks
and ratings (aduan.compliance.metrics reads them; ``metrics_scan`` keeps the full scan to check).

A cell is ``MetricRollup(pemda_id, span, day, opd_id, metric, label, value) → n``: ``opd_id`` 0 is
"no OPD", ``day`` the local calendar day in the Pemda's zone (periods are spans of local days, so a
period is exactly a range of days), ``label`` a channel or an SKM element, ``value`` the working
days of a histogram or a gap in days. Every day cell is also added to its month cell (``span`` =
MONTH, ``day`` = the 1st), so a year is read from 12 month cells and the partial months at its
edges from day cells (``DAY_ONLY`` metrics excepted, see below). Writers produce *facts* (a
``Counter`` of day-cell keys → counts) and ``rollup_apply(new, old)`` adds their difference with one
``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n``: an atomic increment, so concurrent
writers never lose a count.

The facts of one clock (``clock_facts``, here) depend only on its stored stop: met, breached,
working days taken, the resolving OPD. Those of one complaint (aduan.complaints.rollups) are its
clocks' plus its submission, hops, rating and SKM answers; a move (``complaint_transition``)
retracts the complaint's facts as they were when it locked the row and adds them as they are at
the end, so whatever the move changed is followed exactly.

Metrics (same definitions as aduan/compliance/metrics.py):

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
- ``follow_up_days`` (value: working days taken): the first-response histogram.
- ``resolved`` (OPD: the one that resolved; value: working days, −1 unknown) and ``resolved_ok``.
- ``<stage>_br`` for every other stage except the reply window: the breaches table.
- ``rating``, ``rating_sum``, ``skm``, ``skm_u`` (label u1–u9) on the day given — **attributed to
  the OPD that last resolved the complaint** (``selectors.last_resolving_opd``): a later
  resolution by another OPD is a move, whose before/after facts move the rating to it.

Not a rollup: the backlog (complaints open at the end of a period, by age) is a state at one
instant, not a sum of days; aduan.compliance.metrics reads it from the complaints table.

If a Pemda's time zone changes, its cells keep the old days: run ``manage.py metrics_rebuild``.
"""

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connection

from .models import MetricRollup, Stage

# (pemda_id, opd_id, day, metric, label, value)
CellKey = tuple[int, int, date, str, str, int]
Facts = Counter  # Counter[CellKey]

COUNTED_STAGES = (Stage.VERIFICATION, Stage.FOLLOW_UP, Stage.PROMISE)
NO_OPD = 0
# Cells kept by day only: their value is a gap back from their day (see above). The partial index
# metric_rollup_day_only (models.MetricRollup) lists the same names.
DAY_ONLY = frozenset({"hop_recv_dup", "ch_fu_both", *(f"{stage}_both" for stage in COUNTED_STAGES)})


def local_day(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def clock_facts(
    *,
    pemda_id: int,
    zone: ZoneInfo,
    channel: str,
    stage: str,
    opd_id: int | None,
    resolved_by_id: int | None,
    met_at: datetime | None,
    breached_at: datetime | None,
    working_days_taken: int | None,
) -> Facts:
    """What one clock's stop contributes (nothing while it runs)."""
    facts: Facts = Counter()
    if stage == Stage.REPLY_WINDOW:
        return facts
    opd = opd_id or NO_OPD
    met = local_day(met_at, zone) if met_at else None
    breached = local_day(breached_at, zone) if breached_at else None
    if breached is not None:
        facts[
            (pemda_id, opd, breached, f"{stage}_br", channel if stage == Stage.VERIFICATION else "", 0)
        ] += 1
    if stage in COUNTED_STAGES:
        label = channel if stage == Stage.VERIFICATION else ""
        if met is not None:
            facts[(pemda_id, opd, met, f"{stage}_met", label, 0)] += 1
            if breached is None:
                facts[(pemda_id, opd, met, f"{stage}_ok", label, 0)] += 1
            else:
                facts[(pemda_id, opd, met, f"{stage}_both", label, (met - breached).days)] += 1
        if stage == Stage.FOLLOW_UP:
            if met is not None and working_days_taken is not None:
                facts[(pemda_id, opd, met, "follow_up_days", "", working_days_taken)] += 1
            if breached is not None:
                facts[(pemda_id, NO_OPD, breached, "ch_fu_br", channel, 0)] += 1
            if met is not None:
                facts[(pemda_id, NO_OPD, met, "ch_fu_met", channel, 0)] += 1
                if breached is None:
                    facts[(pemda_id, NO_OPD, met, "ch_fu_ok", channel, 0)] += 1
                else:
                    facts[(pemda_id, NO_OPD, met, "ch_fu_both", channel, (met - breached).days)] += 1
    elif stage == Stage.RESOLUTION and met is not None and resolved_by_id is not None:
        days = working_days_taken if working_days_taken is not None else -1
        facts[(pemda_id, resolved_by_id, met, "resolved", "", days)] += 1
        if breached is None:
            facts[(pemda_id, resolved_by_id, met, "resolved_ok", "", 0)] += 1
    return facts


def deadline_facts(d, *, pemda_id: int, zone: ZoneInfo, channel: str) -> Facts:
    """``clock_facts`` of a Deadline instance (or any object with its fields)."""
    return clock_facts(
        pemda_id=pemda_id,
        zone=zone,
        channel=channel,
        stage=d.stage,
        opd_id=d.opd_id,
        resolved_by_id=d.resolved_by_id,
        met_at=d.met_at,
        breached_at=d.breached_at,
        working_days_taken=d.working_days_taken,
    )


def rollup_apply(new: Facts, old: Facts | None = None) -> int:
    """Add ``new − old`` to the cells, in one atomic upsert (inside the caller's transaction);
    returns how many cells changed. Rows are sent in key order, so two writers lock shared cells
    in the same order and never deadlock on them."""
    delta = Counter(new)
    delta.subtract(old or Counter())
    rows = sorted(_with_months(delta).items())
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


def _with_months(facts: Facts) -> dict[tuple, int]:
    """The cells to add for ``facts``: each day cell, and its month cell too (except the "both"
    and "dup" cells, which are read by day: their value reaches back from their day)."""
    cells: dict[tuple, int] = {}
    for (pemda_id, opd_id, day, metric, label, value), n in facts.items():
        if not n:
            continue
        cells[(pemda_id, MetricRollup.DAY, day, opd_id, metric, label, value)] = n
        if metric not in DAY_ONLY:
            key = (pemda_id, MetricRollup.MONTH, day.replace(day=1), opd_id, metric, label, value)
            cells[key] = cells.get(key, 0) + n
    return {key: n for key, n in cells.items() if n}


def rollup_replace(*, pemda_ids, facts: Facts) -> None:
    """Replace every cell of ``pemda_ids`` by ``facts`` (the rebuild; inside a transaction)."""
    MetricRollup.objects.filter(pemda_id__in=list(pemda_ids)).delete()
    rows = [
        MetricRollup(pemda_id=p, span=span, day=d, opd_id=o, metric=m, label=lab, value=v, n=n)
        for (p, span, d, o, m, lab, v), n in _with_months(facts).items()
    ]
    MetricRollup.objects.bulk_create(rows, batch_size=5000)
