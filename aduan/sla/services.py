"""The clocks of a complaint, kept in step with the workflow, and the sweep that acts on them.

- ``calendar_for(pemda)``: the Pemda's WorkCalendar (national holidays + overrides, one query).
- ``policy_for(...)``: the SlaPolicy that applies to a stage of a complaint on a day.
- ``deadlines_on_transition(...)``: called by ``complaint_submit`` and ``complaint_transition`` inside
  their transaction with the move's declared ``ClockEffects``; starts, meets, cancels, pauses and
  resumes the complaint's clocks.
- ``deadlines_sweep(now=...)``: claims due clocks (``skip_locked``), records each reminder,
  escalation or auto-resolution once (DeadlineEffect's unique key) and hands them to the
  ``SweepHandlers`` that aduan.complaints sets when ready (notifications, auto-resolution); the
  breaches it marks go into the compliance rollups (``rollups``) in the same transaction.
"""

import functools
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aduan.core.exceptions import DomainError

from .calendar import (
    WorkCalendar,
    add_calendar_days,
    add_working_days,
    add_working_time,
    count_working_days,
    working_time_between,
)
from .models import DayUnit, Deadline, DeadlineEffect, EffectKind, HolidayOverride, SlaPolicy, Stage
from .public_holidays import build_calendar
from .rollups import deadline_facts, rollup_apply

logger = logging.getLogger(__name__)

CALENDAR_YEARS_BACK, CALENDAR_YEARS_AHEAD = 2, 2
# The reporter is reminded this many working days before their reply window closes.
REPLY_WINDOW_REMIND_BEFORE = 2


class NoPolicy(DomainError):
    code = "sla_policy_missing"
    default_message = _("Belum ada kebijakan tenggat untuk tahap ini.")


# --- Calendar and policies --------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _calendar_cached(zone: str, years: tuple[int, ...], overrides: tuple) -> WorkCalendar:
    return build_calendar(zone=zone, years=years, overrides=overrides)


# Overrides are few and change rarely: each process keeps the rows it read per Pemda and years for
# CALENDAR_CACHE_SECONDS (a saved or deleted override clears this process's copy at once; other
# processes see it within that time), so filing a complaint reads no calendar row.
CALENDAR_CACHE_SECONDS = 60
_override_cache: dict = {}


def calendar_cache_clear(**_signal_kwargs) -> None:
    _override_cache.clear()


def _overrides(pemda_id: int, years: tuple[int, ...]) -> tuple:
    now = time.monotonic()
    key = (pemda_id, years)
    hit = _override_cache.get(key)
    if hit is not None and now < hit[1]:
        return hit[0]
    rows = HolidayOverride.objects.filter(
        Q(pemda__isnull=True) | Q(pemda_id=pemda_id), date__year__in=years
    ).values_list("pemda_id", "date", "is_holiday")
    # National overrides first, then the Pemda's own, so the Pemda's decision wins.
    ordered = sorted(rows, key=lambda r: (r[0] is not None, r[1]))
    overrides = tuple((d, h) for _, d, h in ordered)
    _override_cache[key] = (overrides, now + CALENDAR_CACHE_SECONDS)
    return overrides


def calendar_for(pemda, *, around: datetime) -> WorkCalendar:
    """The working calendar of ``pemda`` covering the years around ``around``: national holidays
    and cuti bersama from the ``holidays`` package, then national overrides, then the Pemda's own
    (one query, then none for CALENDAR_CACHE_SECONDS; the holiday computation is cached per process)."""
    years = tuple(range(around.year - CALENDAR_YEARS_BACK, around.year + CALENDAR_YEARS_AHEAD + 1))
    return _calendar_cached(pemda.timezone, years, _overrides(pemda.pk, years))


# Policies are few and change rarely: each process keeps them all for POLICY_CACHE_SECONDS (a
# saved or deleted policy clears this process's copy at once; other processes see it within that
# time). Filing a complaint needs three of them: no query per clock.
POLICY_CACHE_SECONDS = 60
_policy_cache: dict = {"rows": None, "expires": 0.0}


def policies_cache_clear(**_signal_kwargs) -> None:
    _policy_cache["rows"] = None


def _policies() -> list[SlaPolicy]:
    now = time.monotonic()
    rows = _policy_cache["rows"]
    if rows is None or now >= _policy_cache["expires"]:
        rows = list(SlaPolicy.objects.all())
        _policy_cache.update(rows=rows, expires=now + POLICY_CACHE_SECONDS)
    return rows


def policy_for(*, stage: str, classification: str, category_id: int | None, on) -> SlaPolicy:
    """The most specific policy in force on day ``on``: for the category, else the classification,
    else the stage's default; the latest version whose ``effective_from`` is not after ``on``."""
    best = None
    for p in _policies():
        if p.stage != stage or p.effective_from > on:
            continue
        if p.category_id is not None:
            if p.category_id != category_id:
                continue
        elif p.classification not in ("", classification):
            continue
        rank = (2 if p.category_id else 1 if p.classification else 0, p.effective_from)
        if best is None or rank > best[0]:
            best = (rank, p)
    if best is None:
        raise NoPolicy(stage=stage)
    return best[1]


def _due(policy: SlaPolicy, start: datetime, cal: WorkCalendar) -> datetime:
    if policy.unit == DayUnit.WORKING:
        return add_working_days(start, policy.amount, cal)
    return add_calendar_days(start, policy.amount, cal)


# --- Clocks follow the workflow ---------------------------------------------------------------


@dataclass(frozen=True)
class ClockEffects:
    """What one move of a complaint does to its clocks, declared by the move itself (aduan.complaints
    ``workflow.Transition``): the stages it cancels, meets and starts (in that order), whether it
    pauses or resumes every open clock, and whether it resolves the complaint (the resolution clock
    it meets then records the OPD that resolved it, for the metrics)."""

    starts: tuple[str, ...] = ()
    meets: tuple[str, ...] = ()
    cancels: tuple[str, ...] = ()
    pauses: bool = False
    resumes: bool = False
    resolves: bool = False


def deadlines_on_transition(
    *, complaint, effects: ClockEffects, hop, now: datetime, due_at: dict | None = None, new: bool = False
) -> None:
    """Keep the complaint's clocks in step with one accepted move (inside its transaction).
    ``hop`` is the complaint's open OPD hop, if any (clocks of an OPD belong to it). ``due_at``
    gives the due time of a clock the move sets itself ({stage: datetime}, e.g. the OPD's own
    planned date for the promise clock) instead of the policy's amount. ``new``: the complaint was
    created in this transaction (its filing), so it has no clock yet: none is read, and the ones it
    starts are written with one INSERT."""
    cal = calendar_for(complaint.pemda, around=now)
    if new:
        started = []
        for stage in effects.starts:
            opd = complaint.current_opd if stage in OPD_STAGES else None
            due = (due_at or {}).get(stage)
            started.append(_start(complaint, stage, hop if opd else None, opd, now, cal, due, save=False))
        Deadline.objects.bulk_create([d for d in started if d is not None])
        return
    open_clocks = {
        d.stage: d for d in Deadline.objects.open().filter(complaint=complaint).select_for_update()
    }

    if effects.pauses:
        for d in open_clocks.values():
            if d.paused_at is None and d.stage not in NEVER_PAUSED:
                d.paused_at = now
                d.save(update_fields=["paused_at"])
    if effects.resumes:
        for d in open_clocks.values():
            _resume(d, now, cal)

    for stage in effects.cancels:
        if d := open_clocks.pop(stage, None):
            d.cancelled_at = now
            if (
                now > d.due_at
                and d.breached_at is None
                and d.paused_at is None
                and d.stage != Stage.REPLY_WINDOW
            ):
                _mark_breached(d)  # it ran out while this OPD held it, even if no sweep saw it
            _store_duration(d, now, cal)
            d.save(
                update_fields=[
                    "cancelled_at", "breached_at", "opd", "working_days_taken", "calendar_days_taken",
                    "next_check_at",
                ]
            )  # fmt: skip
    for stage in effects.meets:
        if d := open_clocks.pop(stage, None):
            if stage == Stage.RESOLUTION and effects.resolves:
                d.resolved_by_id = complaint.current_opd_id  # who resolved it, for the metrics
            _meet(d, now, cal)
    for stage in effects.starts:
        if stage in open_clocks:  # e.g. reopen while a resolution clock still runs: keep it
            continue
        opd = complaint.current_opd if stage in OPD_STAGES else None
        _start(complaint, stage, hop if opd else None, opd, now, cal, due=(due_at or {}).get(stage))


# Clocks that belong to the OPD holding the complaint when they start.
OPD_STAGES = (Stage.FOLLOW_UP, Stage.REPLY_WINDOW, Stage.PROMISE)
# Clocks the Pemda owes outside the complaint's own handling (the answer to the Ombudsman): a hold
# waiting for the reporter does not pause them, and a breach is charged to no OPD.
NEVER_PAUSED = (Stage.CLARIFICATION,)
PEMDA_STAGES = (Stage.CLARIFICATION,)


def working_days_before(at: datetime, n: int, cal: WorkCalendar) -> datetime:
    """The same local wall-clock time as ``at``, ``n`` working days earlier (the day of ``at``
    itself does not count)."""
    local = at.astimezone(cal.zone)
    counted = 0
    while counted < n:
        local -= timedelta(days=1)
        if cal.is_working_day(local.date()):
            counted += 1
    return local.astimezone(at.tzinfo)


def _start(
    complaint, stage, hop, opd, now, cal, due: datetime | None = None, *, save: bool = True
) -> Deadline | None:
    try:
        policy = policy_for(
            stage=stage,
            classification=complaint.classification,
            category_id=complaint.category_id,
            on=now.astimezone(cal.zone).date(),
        )
    except NoPolicy:
        # No policy configured for this stage: no clock. The data migration loads the defaults.
        logger.warning(
            "no SLA policy for stage %s; complaint %s runs without that clock", stage, complaint.pk
        )
        return None
    remind_at = None
    if due is not None:  # a date the move set (the OPD's promise): remind before it if there is time
        if policy.remind_before:
            remind_at = working_days_before(due, policy.remind_before, cal)
            remind_at = remind_at if remind_at > now else None
    else:
        due = _due(policy, now, cal)
        if policy.remind_before and policy.amount > policy.remind_before:
            if policy.unit == DayUnit.WORKING:
                remind_at = add_working_days(now, policy.amount - policy.remind_before, cal)
            else:  # a calendar-day clock is reminded calendar days before, holidays or not
                remind_at = add_calendar_days(now, policy.amount - policy.remind_before, cal)
    escalate_again_at = (
        add_working_days(due, policy.escalate_again_after, cal) if policy.escalate_again_after else None
    )
    if stage == Stage.REPLY_WINDOW:
        # Its expiry resolves the complaint; nobody is escalated. The reporter is reminded
        # REPLY_WINDOW_REMIND_BEFORE working days before it closes.
        escalate_again_at = None
        remind_at = None
        if policy.unit == DayUnit.WORKING and policy.amount > REPLY_WINDOW_REMIND_BEFORE:
            remind_at = add_working_days(now, policy.amount - REPLY_WINDOW_REMIND_BEFORE, cal)
    deadline = Deadline(
        complaint=complaint,
        stage=stage,
        hop=hop,
        opd=opd,
        policy=policy,
        started_at=now,
        due_at=due,
        remind_at=remind_at,
        escalate_again_at=escalate_again_at,
    )
    deadline.next_check_at = _next_check(deadline, set())
    if save:
        deadline.save()
    return deadline


def _meet(d: Deadline, now: datetime, cal: WorkCalendar) -> None:
    if d.paused_at is not None:
        _resume(d, now, cal, save=False)
    d.met_at = now
    # The reply window is the reporter's time, not a service deadline: it never breaches.
    if now > d.due_at and d.breached_at is None and d.stage != Stage.REPLY_WINDOW:
        _mark_breached(d)
    _store_duration(d, now, cal)
    d.save(
        update_fields=[
            "met_at", "breached_at", "opd", "paused_at", "paused_seconds", "paused_working_days", "due_at",
            "working_days_taken", "calendar_days_taken", "next_check_at", "resolved_by",
        ]
    )  # fmt: skip


def _store_duration(d: Deadline, end: datetime, cal: WorkCalendar) -> None:
    """Working and calendar days the clock ran, paused time excluded (for cheap medians)."""
    ran = count_working_days(d.started_at, end, cal) if end >= d.started_at else 0
    d.working_days_taken = max(0, ran - d.paused_working_days)
    d.calendar_days_taken = max(0, (end - d.started_at - timedelta(seconds=d.paused_seconds)).days)
    d.next_check_at = None


def _resume(d: Deadline, now: datetime, cal: WorkCalendar, *, save: bool = True) -> None:
    """End a pause: the due time moves on by the working time (or, for calendar clocks, the time)
    the clock was paused."""
    if d.paused_at is None:
        return
    paused = now - d.paused_at
    d.paused_working_days += max(0, count_working_days(d.paused_at, now, cal))
    if d.policy.unit == DayUnit.WORKING:
        # Move on by exactly the working time paused (a two-hour hold moves the clock two hours).
        shift = working_time_between(d.paused_at, now, cal)
        if shift:
            d.due_at = add_working_time(d.due_at, shift, cal)
            d.remind_at = add_working_time(d.remind_at, shift, cal) if d.remind_at else None
            if d.escalate_again_at:
                d.escalate_again_at = add_working_time(d.escalate_again_at, shift, cal)
    else:
        d.due_at += paused
        if d.escalate_again_at and d.policy.escalate_again_after:
            # Keep the second escalation after the moved due time (else it would precede the breach).
            d.escalate_again_at = add_working_days(d.due_at, d.policy.escalate_again_after, cal)
    d.paused_seconds += int(paused.total_seconds())
    d.paused_at = None
    done = set(d.effects.values_list("kind", "level")) if d.pk else set()
    d.next_check_at = _next_check(d, done)
    if save:
        d.save(
            update_fields=[
                "due_at",
                "remind_at",
                "escalate_again_at",
                "paused_seconds",
                "paused_working_days",
                "paused_at",
                "next_check_at",
            ]
        )


def _pending_effects(d: Deadline, done: set) -> list[tuple[datetime, str, int]]:
    """Effects this clock still owes, each with the moment it becomes due."""
    if d.stage == Stage.REPLY_WINDOW:
        todo = [(d.due_at, EffectKind.AUTO_RESOLVE, 1)]
        if d.remind_at:  # the reporter's reminder
            todo.append((d.remind_at, EffectKind.REMINDER, 1))
    else:
        todo = [(d.due_at, EffectKind.ESCALATION, 1)]
        if d.remind_at:
            todo.append((d.remind_at, EffectKind.REMINDER, 1))
        if d.escalate_again_at:
            todo.append((d.escalate_again_at, EffectKind.ESCALATION, 2))
    return sorted(t for t in todo if (t[1], t[2]) not in done)


def _next_check(d: Deadline, done: set) -> datetime | None:
    pending = _pending_effects(d, done)
    return pending[0][0] if pending else None


# --- The sweep --------------------------------------------------------------------------------


SWEEP_CHUNK = 100  # clocks handled per transaction by the sweep


@dataclass
class SweepHandlers:
    """What the clocks cannot do on their own, handed in by the app that owns complaints (sla imports
    neither aduan.complaints nor aduan.notifications; ``aduan.complaints`` sets these in its
    ``AppConfig.ready()`` with ``sweep_handlers_set``):

    - ``hops_of(complaint_ids)``: {complaint_id: [(opd_id, started_at, ended_at), ...]}, the OPDs
      that held each complaint, to charge a breached clock to the OPD that held it then;
    - ``effects_due(effects, now=...)``: queue the notifications of [(deadline, kind, level), ...];
    - ``reply_window_expired(complaint_id, now=...)``: the reporter's reply window ran out (the
      complaint is resolved automatically).
    """

    hops_of: Callable[[Iterable[int]], dict[int, list[tuple]]] | None = None
    effects_due: Callable[..., object] | None = None
    reply_window_expired: Callable[..., object] | None = None


_handlers = SweepHandlers()


def sweep_handlers_set(*, hops_of, effects_due, reply_window_expired) -> None:
    _handlers.hops_of = hops_of
    _handlers.effects_due = effects_due
    _handlers.reply_window_expired = reply_window_expired


def _handler(name: str) -> Callable:
    handler = getattr(_handlers, name)
    if handler is None:
        raise RuntimeError(f"sla sweep handler {name!r} is not set (aduan.complaints sets it when ready)")
    return handler


def deadlines_sweep(*, now: datetime, batch_size: int = 500) -> int:
    """Act on up to ``batch_size`` clocks whose next check is due; return how many were handled.

    Clocks are handled in chunks of ``SWEEP_CHUNK``, each in one short transaction that locks the
    chunk's complaints first and then its clocks — the same order as ``complaint_transition`` —
    both with SKIP LOCKED: a clock whose complaint is being changed right now, or that another sweep
    holds, is left for the next run (and SKIP LOCKED never waits, so sweeps cannot deadlock). The
    effects already recorded are read under those locks, so every effect is recorded (under its
    unique key) and acted on once; the chunk's effects, clock updates and outbox rows are written
    with one statement each. If a chunk fails, its clocks are retried one per transaction, so one
    bad clock is logged and the others go on; a lost database connection is raised instead (the
    Celery task retries the whole sweep with backoff).
    """
    candidates = list(
        Deadline.objects.open()
        .filter(paused_at__isnull=True, next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", "complaint_id")[:batch_size]
    )
    handled = 0
    for start in range(0, len(candidates), SWEEP_CHUNK):
        part = candidates[start : start + SWEEP_CHUNK]
        try:
            handled += _sweep_chunk(part, now)
        except (OperationalError, InterfaceError):
            raise  # the database is gone, not one bad clock: the task retries with backoff
        except Exception:
            logger.warning("sweep: a chunk of %s clocks failed; retrying them one by one", len(part))
            for pk, complaint_id in part:
                try:
                    handled += _sweep_chunk([(pk, complaint_id)], now)
                except (OperationalError, InterfaceError):
                    raise
                except Exception:
                    logger.exception("deadline %s: sweep failed; it is retried on the next run", pk)
    return handled


def _sweep_chunk(part: list[tuple[int, int]], now: datetime) -> int:
    with transaction.atomic():
        # Lock the complaints' rows (FOR UPDATE OF the complaint table only) through the clocks.
        locked = {
            d.complaint_id
            for d in Deadline.objects.filter(complaint_id__in={complaint_id for _pk, complaint_id in part})
            .select_related("complaint")
            .only("complaint__id")
            .select_for_update(skip_locked=True, of=("complaint",))
        }
        if not locked:
            return 0
        deadlines = list(
            Deadline.objects.open()
            .filter(
                pk__in=[pk for pk, complaint_id in part if complaint_id in locked],
                paused_at__isnull=True,
                next_check_at__lte=now,
            )
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("complaint__pemda", "complaint__current_opd", "opd", "policy")
            .order_by("pk")
        )
        if not deadlines:
            return 0
        done: dict[int, set] = {d.pk: set() for d in deadlines}
        for deadline_id, kind, level in DeadlineEffect.objects.filter(deadline__in=deadlines).values_list(
            "deadline_id", "kind", "level"
        ):
            done[deadline_id].add((kind, level))
        batch = _SweepBatch(now)
        batch.hop_complaints = {d.complaint_id for d in deadlines if d.opd_id is None}
        for d in deadlines:
            _sweep_one(d, now, done[d.pk], batch)
        batch.write()
    return len(deadlines)


class _SweepBatch:
    """What one chunk of the sweep writes, collected so that each kind is one statement."""

    def __init__(self, now: datetime):
        self.now = now
        self.effects: list[DeadlineEffect] = []
        self.breached: list[Deadline] = []
        self.checked: list[Deadline] = []
        self.notify: list[tuple[Deadline, str, int]] = []
        self.auto_resolve: list[Deadline] = []
        self.hop_complaints: set[int] = set()
        self._hops: dict[int, list[tuple]] | None = None

    def hops_of(self, complaint_id: int) -> list[tuple]:
        """The complaint's hops; the first call reads those of every clock in the chunk that may
        need them (one query), a chunk without breaches reads none."""
        if self._hops is None:
            self._hops = _hops_of(self.hop_complaints | {complaint_id})
        return self._hops.get(complaint_id, [])

    def write(self) -> None:
        DeadlineEffect.objects.bulk_create(self.effects)
        if self.breached:
            # The breaches in the compliance rollups, in this chunk's transaction (a running clock
            # contributes nothing before, so the breach facts are simply added).
            facts: Counter = Counter()
            for d in self.breached:
                facts.update(deadline_facts(d, d.complaint))
            rollup_apply(facts)
            Deadline.objects.bulk_update(self.breached, ["breached_at", "opd"])
        if self.checked:
            Deadline.objects.bulk_update(self.checked, ["next_check_at"])
        if self.notify:
            _handler("effects_due")(self.notify, now=self.now)
        for d in self.auto_resolve:  # after its effect row: the transition meets the clock
            _handler("reply_window_expired")(d.complaint_id, now=self.now)


def _sweep_one(d: Deadline, now: datetime, done: set, batch: _SweepBatch) -> None:
    """Decide what one locked clock owes now (effects read under the lock: ``done``)."""
    for at, kind, level in _pending_effects(d, done):
        if at > now:
            break
        batch.effects.append(DeadlineEffect(deadline=d, kind=kind, level=level, created_at=now))
        if kind == EffectKind.AUTO_RESOLVE:
            batch.auto_resolve.append(d)
            return  # the transition met this clock
        if kind == EffectKind.ESCALATION and level == 1 and d.breached_at is None:
            _mark_breached(d, hops=batch.hops_of(d.complaint_id))
            batch.breached.append(d)
        done.add((kind, level))
        if kind == EffectKind.REMINDER and now >= d.due_at:
            continue  # too late to remind (the sweep was not running): the escalation speaks
        batch.notify.append((d, kind, level))
    d.next_check_at = _next_check(d, done)
    batch.checked.append(d)


def _hops_of(complaint_ids) -> dict[int, list[tuple]]:
    """(opd_id, started_at, ended_at) of every hop of the given complaints (one query)."""
    return _handler("hops_of")(list(complaint_ids)) if complaint_ids else {}


def _mark_breached(d: Deadline, *, hops: list[tuple] | None = None) -> None:
    """The clock ran out: record when, and charge it to the OPD that held the complaint then
    (clocks that start before any dispatch, like resolution, learn their OPD here). ``hops`` of
    the complaint may be given (the sweep reads them for a whole chunk at once)."""
    d.breached_at = d.due_at
    if d.opd_id is None and d.stage not in PEMDA_STAGES:
        if hops is None:
            hops = _hops_of([d.complaint_id]).get(d.complaint_id, [])
        d.opd_id = next(
            (
                opd_id
                for opd_id, started_at, ended_at in sorted(hops, key=lambda h: h[1])
                if started_at <= d.due_at and (ended_at is None or ended_at > d.due_at)
            ),
            None,
        )
