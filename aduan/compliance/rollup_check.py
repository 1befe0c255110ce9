"""Rebuilding and checking the compliance rollups (aduan.sla.rollups).

- ``rollups_rebuild(pemdas, progress=..., workers=...)``: every cell of each Pemda recomputed from
  its complaints (aduan.complaints.rollups.facts_of, the same definition the moves use) and written
  by one COPY, one transaction per Pemda, in several processes at once if asked.
  Run it after a bulk load (the synthetic generator and ``load_demo`` do), after a Pemda's time
  zone changed, or when the check finds a difference. Moves of that Pemda that commit while its
  rebuild runs may be missed or counted twice: rebuild when the Pemda is quiet, then check.
- ``rollups_check(pemdas, periods, now)``: ``metrics_for`` and ``trend_for`` (the rollups) against
  ``metrics_scan`` and ``trend_scan`` (a full scan, written apart from the rollups) for each Pemda
  and period, then ``cells_check``: the cells no dashboard reads (the breach forecast's category
  cells) one by one against those its complaints give now. Returns the differences, one line
  each (empty: consistent).
  ``manage.py metrics_rebuild --check`` and the nightly ``aduan.compliance.tasks.metrics_check``
  (a sample of Pemdas) run it.
"""

import contextlib
import dataclasses
import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count

from aduan.agencies.models import Pemda
from aduan.complaints.models import Complaint
from aduan.complaints.rollups import facts_of, pemda_rows
from aduan.sla.models import MetricRollup
from aduan.sla.rollups import COLUMNS, MONTH_ONLY, Facts, rollup_replace, with_spans

from .metrics import Period, metrics_for, trend_for
from .metrics_scan import metrics_scan, trend_scan

logger = logging.getLogger(__name__)

BATCH = 5000
CHECK_CACHE_KEY = "compliance:rollup-check:v1"  # the last nightly result, for /metrics


def rollups_rebuild(
    pemdas: Iterable, *, progress: Callable[[int], None] | None = None, workers: int = 1
) -> int:
    """Recompute every cell of ``pemdas`` from a full scan; returns how many complaints were read.
    ``progress(done)`` is called with the running total of complaints after each batch. With
    ``workers`` > 1 (PostgreSQL, outside a transaction) that many processes share the Pemdas,
    the largest first, each Pemda in its own transaction."""
    pemdas = list(pemdas)
    workers = max(1, min(workers, len(pemdas)))
    if workers > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
        done = _rebuild_in_processes([p.pk for p in pemdas], workers, progress)
    else:
        done = 0
        for pemda in pemdas:

            def step(n: int, before: int = done) -> None:
                if progress:
                    progress(before + n)

            done += _rebuild_one(pemda.pk, step)
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner guesses one row; outside a transaction also the
        # visibility map, which the index-only scans of the reading need.
        vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            cursor.execute(f"{vacuum} {MetricRollup._meta.db_table}")
    return done


def _rebuild_one(pemda_id: int, step: Callable[[int], None]) -> int:
    """Rebuild one Pemda's cells in one transaction; ``step(done)`` after each batch."""
    with transaction.atomic():
        facts, done = _pemda_facts(pemda_id, step)
        rollup_replace(pemda_ids=[pemda_id], facts=facts)
    step(done)
    return done


def _pemda_facts(
    pemda_id: int, step: Callable[[int], None] | None = None, metrics: frozenset | None = None
) -> tuple[Facts, int]:
    """The day facts of every complaint of the Pemda (of ``metrics`` only, if given), read in
    batches (``step(done)`` after each), and how many complaints were read."""
    done = 0
    facts: Facts = Facts()
    batch = []
    complaints = Complaint.objects.filter(pemda_id=pemda_id)

    def facts_of_batch(batch) -> Facts:  # a range of the Pemda's complaints: its ids by a subquery
        scope = complaints.filter(pk__gte=batch[0].pk, pk__lte=batch[-1].pk).values("pk")
        found = facts_of(batch, scope=scope)
        if metrics is None:
            return found
        return Facts({key: n for key, n in found.items() if key[3] in metrics})

    for row in pemda_rows(Pemda.objects.get(pk=pemda_id)):
        batch.append(row)
        if len(batch) >= BATCH:
            facts.update(facts_of_batch(batch))
            done += len(batch)
            batch = []
            if step:
                step(done)
    if batch:
        facts.update(facts_of_batch(batch))
        done += len(batch)
    return facts, done


def _rebuild_in_processes(pemda_ids: list[int], workers: int, progress) -> int:
    """``_rebuild_one`` for every Pemda in ``workers`` forked processes (as the synthetic
    generator writes), which take the next Pemda, largest first, from a shared queue."""
    import multiprocessing
    import queue as queue_module

    sizes = dict(
        Complaint.objects.filter(pemda_id__in=pemda_ids)
        .values("pemda_id")
        .annotate(n=Count("pk"))
        .values_list("pemda_id", "n")
    )
    context = multiprocessing.get_context("fork")
    todo = sorted(pemda_ids, key=lambda pk: (-sizes.get(pk, 0), pk))
    taken = context.Value("i", 0)  # how many of ``todo`` the processes took
    counter = context.Value("q", 0)
    results = context.Queue()
    connection.close()  # every process opens its own connection
    processes = [
        context.Process(target=_rebuild_child, args=(todo, taken, counter, results)) for _ in range(workers)
    ]
    for process in processes:
        process.start()
    failures, finished = [], 0
    while finished < workers:
        try:
            outcome = results.get(timeout=1)
        except queue_module.Empty:
            if progress:
                progress(counter.value)
            if any(p.exitcode not in (None, 0) for p in processes):
                failures.append("a rebuild process died; see its traceback above")
                break
            continue
        finished += 1
        if outcome:
            failures.append(outcome)
    for process in processes:
        process.join()
    if failures:
        raise RuntimeError("rollup rebuild failed:\n" + "\n".join(failures))
    if progress:
        progress(counter.value)
    return counter.value


def _rebuild_child(todo, taken, counter, results) -> None:
    import traceback

    from django.db import connections

    for conn in connections.all():
        conn.close()  # never reuse the parent's socket
    try:
        while True:
            with taken.get_lock():
                if taken.value >= len(todo):
                    break
                pemda_id = todo[taken.value]
                taken.value += 1
            last = [0]

            def step(done: int, last=last) -> None:
                with counter.get_lock():
                    counter.value += done - last[0]
                last[0] = done

            _rebuild_one(pemda_id, step)
        results.put("")
    except Exception:  # reported to the parent, which raises it
        results.put(traceback.format_exc())
    finally:
        connections.close_all()


def _differences(label: str, ours, reference) -> list[str]:
    if ours == reference:
        return []
    if dataclasses.is_dataclass(ours):
        return [
            f"{label}.{f.name}: rollups {getattr(ours, f.name)!r} ≠ scan {getattr(reference, f.name)!r}"
            for f in dataclasses.fields(ours)
            if getattr(ours, f.name) != getattr(reference, f.name)
        ]
    return [f"{label}: rollups {ours!r} ≠ scan {reference!r}"]


def rollups_check(*, pemdas: Iterable, periods: Iterable[Period], now: datetime) -> list[str]:
    """Every difference between the rollups and a full scan, for each Pemda and period."""
    problems: list[str] = []
    for pemda in pemdas:
        for period in periods:
            ours = metrics_for(pemdas=[pemda], period=period, now=now)
            reference = metrics_scan(pemdas=[pemda], period=period, now=now)
            where = f"pemda {pemda.code} {period.key}"
            if [o.pk for o in ours.opds] != [o.pk for o in reference.opds]:
                problems.append(f"{where}: OPDs differ")
            problems += _differences(where, ours.by_pemda[pemda.pk], reference.by_pemda[pemda.pk])
            for opd_id, figures in reference.by_opd.items():
                problems += _differences(f"{where} opd {opd_id}", ours.by_opd.get(opd_id), figures)
        last_month = max(p.last for p in periods).replace(day=1)
        ours_trend = trend_for(pemda=pemda, last_month=last_month)
        reference_trend = trend_scan(pemda=pemda, last_month=last_month)
        problems += _differences(
            f"pemda {pemda.code} trend to {last_month:%Y-%m}", ours_trend, reference_trend
        )
        problems += cells_check(pemda)
    return problems


CELLS_SHOWN = 20  # differing cells listed per Pemda; the rest counted in one line


def cells_check(pemda) -> list[str]:
    """The stored cells of ``pemda`` that no dashboard reads (the forecast's ``MONTH_ONLY`` category
    cells, which ``metrics_for`` never compares with a scan) against the cells its complaints give
    now (the rebuild's definition; both read in one snapshot, so that no move falls between them):
    one line per differing cell, at most ``CELLS_SHOWN``, then one line with how many more differ.
    Only those facts are kept from each batch of complaints read (the complaints' rows are read
    as a rebuild reads them), so the cells held are the category cells alone."""
    postgresql = connection.vendor == "postgresql"
    own_transaction = postgresql and not connection.in_atomic_block
    # On PostgreSQL one REPEATABLE READ snapshot for both readings; elsewhere (SQLite, whose
    # transactions take the write lock at once) no transaction: a filing meanwhile shows up as a
    # difference that the next check no longer finds.
    with transaction.atomic() if postgresql else contextlib.nullcontext():
        if own_transaction:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        facts, _done = _pemda_facts(pemda.pk, metrics=MONTH_ONLY)
        wanted = with_spans(facts)
        cells = MetricRollup.objects.filter(pemda_id=pemda.pk, span=MetricRollup.CATEGORY_MONTH)
        stored = {tuple(key): n for *key, n in cells.values_list(*COLUMNS).iterator(5000)}
    differing = sorted(
        (key, stored.get(key, 0), wanted.get(key, 0))
        for key in stored.keys() | wanted.keys()
        if stored.get(key, 0) != wanted.get(key, 0)
    )
    lines = [
        f"pemda {pemda.code} cell span {span} {day} opd {opd_id} {metric} {label!r} {value}: "
        f"rollups {there} ≠ scan {should}"
        for (_pemda_id, span, day, opd_id, metric, label, value), there, should in differing[:CELLS_SHOWN]
    ]
    if len(differing) > CELLS_SHOWN:
        lines.append(f"pemda {pemda.code}: {len(differing) - CELLS_SHOWN} more cells differ")
    return lines


def default_periods(today: date) -> list[Period]:
    """What the nightly check compares: this year, this month and last month."""
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return [
        Period.year(today.year),
        Period.month(today.year, today.month),
        Period.month(last_month.year, last_month.month),
    ]


def check_result_store(*, checked: int, differences: int, at: datetime) -> None:
    cache.set(CHECK_CACHE_KEY, {"checked": checked, "differences": differences, "at": at.isoformat()}, None)


def check_result() -> dict | None:
    """The last nightly check: Pemdas checked, differences found, when (None: never ran)."""
    return cache.get(CHECK_CACHE_KEY)
