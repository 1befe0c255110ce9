"""Working-day arithmetic for SLA deadlines (pure code: no ORM, no Django, no hidden ``now()``).

A Pemda works on its own calendar: weekdays that are not national holidays, cuti bersama or regional
holidays, plus any explicitly declared working days (a unit serving on a Saturday, a cancelled cuti
bersama). :class:`WorkCalendar` holds that calendar; the functions below do the arithmetic.

Semantics
---------
* Every datetime argument must be timezone-aware; a naive one raises ``ValueError``. Results are aware
  datetimes in UTC (``datetime.UTC``).
* Calendar dates are always taken in ``cal.zone`` (e.g. Asia/Makassar for Balikpapan). The same instant can
  be Saturday in WIT (Asia/Jayapura) and Friday in WIB or UTC, so results depend on the calendar's zone and
  never on the process's ``TZ`` environment.
* ``next_working_moment(at)``: ``at`` itself if its local date is a working day, else 00:00 local time of
  the next working day.
* ``add_working_days(at, n)`` (``n >= 0``, else ``ValueError``): start from
  ``m = next_working_moment(at)`` and move forward ``n`` working days keeping ``m``'s local wall-clock time;
  ``n = 0`` returns ``m``. A complaint filed Friday 15:00 WITA with 3 HK is due Wednesday 15:00 WITA; one
  filed Saturday 10:00 starts counting Monday 00:00 and is due Thursday 00:00.
* ``add_calendar_days(at, n)``: the same local wall-clock time ``n`` calendar days later; holidays are
  irrelevant (for "14 days" / "60 days" legal limits). ``n`` may be negative.
* ``count_working_days(start, end)``: for ``end >= start``, the largest ``n`` with
  ``add_working_days(start, n) <= end`` (0 when even ``add_working_days(start, 0)`` is after ``end``, e.g.
  both inside one weekend); for ``end < start``, ``-count_working_days(end, start)``. It is the inverse of
  ``add_working_days``: ``count_working_days(at, add_working_days(at, n)) == n``.
* ``working_days_left(now, due)``: for countdowns. If ``due >= now``, ``count_working_days(now, due)``
  (so 0 once less than one working day is left, in particular on the due day). If ``due < now``, minus the
  number of whole working days by which it is late, ``-count_working_days(due, now)``, but at least -1 once
  past due.

Local wall-clock times are rebuilt with :mod:`zoneinfo` (``fold=0``); the Indonesian zones have no daylight
saving time, so every wall-clock time exists exactly once.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cached_property
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_WEEKEND",
    "WorkCalendar",
    "add_calendar_days",
    "add_working_days",
    "add_working_time",
    "count_working_days",
    "next_working_moment",
    "working_days_left",
    "working_time_between",
]

ONE_DAY = timedelta(days=1)
DEFAULT_WEEKEND = frozenset({5, 6})  # Saturday, Sunday as date.weekday() values


@dataclass(frozen=True)
class WorkCalendar:
    """The working calendar of one Pemda (or unit) in its own time zone."""

    zone: ZoneInfo
    holidays: frozenset[date] = frozenset()
    """Non-working dates: national holidays, cuti bersama, regional holidays."""
    working_exceptions: frozenset[date] = frozenset()
    """Dates that ARE working days despite being a weekend day or listed in ``holidays``."""
    weekend: frozenset[int] = DEFAULT_WEEKEND
    """``date.weekday()`` values that are not working days (Saturday, Sunday)."""

    def __post_init__(self) -> None:
        # Accept a zone name and any iterables, but store the canonical immutable types.
        if isinstance(self.zone, str):
            object.__setattr__(self, "zone", ZoneInfo(self.zone))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "working_exceptions", frozenset(self.working_exceptions))
        object.__setattr__(self, "weekend", frozenset(self.weekend))
        if not self.weekend <= set(range(7)):
            raise ValueError(f"weekend must hold date.weekday() values 0..6, got {sorted(self.weekend)}")
        for day in self.holidays | self.working_exceptions:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise TypeError(f"calendar dates must be datetime.date, got {day!r}")

    def is_working_day(self, day: date) -> bool:
        """Whether the local calendar date ``day`` is a working day."""
        if isinstance(day, datetime):
            # A datetime never equals a date, so set lookups would silently miss: refuse it.
            raise TypeError("is_working_day() takes a date; use the local date of a datetime")
        if day in self.working_exceptions:
            return True
        return day not in self.holidays and day.weekday() not in self.weekend

    def working_days_in(self, first: date, stop: date) -> int:
        """How many working days ``[first, stop)`` holds (0 when ``stop <= first``), without a
        loop over its days: its weekdays, less the holidays falling on a weekday, plus the declared
        working days falling on a weekend."""
        lo, hi = first.toordinal(), stop.toordinal()
        if hi <= lo:
            return 0
        weeks, rest = divmod(hi - lo, 7)
        start = first.weekday()
        count = weeks * (7 - len(self.weekend))
        count += sum((start + i) % 7 not in self.weekend for i in range(rest))
        removed, added = self._adjustments
        count -= bisect_left(removed, hi) - bisect_left(removed, lo)
        count += bisect_left(added, hi) - bisect_left(added, lo)
        return count

    @cached_property
    def _adjustments(self) -> tuple[list[int], list[int]]:
        """The ordinals of the holidays on a weekday that is not declared a working day (the weeks
        counted them), and of the declared working days on a weekend (the weeks did not), sorted."""
        removed = sorted(
            d.toordinal()
            for d in self.holidays
            if d.weekday() not in self.weekend and d not in self.working_exceptions
        )
        added = sorted(d.toordinal() for d in self.working_exceptions if d.weekday() in self.weekend)
        return removed, added


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {value!r}")


def _at_local(day: date, wall_time: time, zone: tzinfo) -> datetime:
    """The UTC instant of local ``day`` at ``wall_time`` in ``zone``."""
    return datetime.combine(day, wall_time.replace(tzinfo=None, fold=0), tzinfo=zone).astimezone(UTC)


def _next_working_day(day: date, cal: WorkCalendar) -> date:
    """The first working day strictly after ``day``."""
    day += ONE_DAY
    while not cal.is_working_day(day):
        day += ONE_DAY
    return day


def next_working_moment(at: datetime, cal: WorkCalendar) -> datetime:
    """``at`` (in UTC) if its local date is a working day, else 00:00 local of the next working day."""
    _require_aware(at, "at")
    local = at.astimezone(cal.zone)
    if cal.is_working_day(local.date()):
        return at.astimezone(UTC)
    return _at_local(_next_working_day(local.date(), cal), time(0), cal.zone)


def add_working_days(at: datetime, n: int, cal: WorkCalendar) -> datetime:
    """The instant ``n`` working days after ``next_working_moment(at)``, at the same local wall-clock time."""
    _require_aware(at, "at")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    start = next_working_moment(at, cal).astimezone(cal.zone)
    day = start.date()
    for _ in range(n):
        day = _next_working_day(day, cal)
    return _at_local(day, start.time(), cal.zone)


def working_time_between(start: datetime, end: datetime, cal: WorkCalendar) -> timedelta:
    """How much of ``[start, end)`` falls on working days (whole local days count 24 hours). Used to
    move a paused clock on by exactly the working time it was paused; zero when ``end <= start``."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    total = timedelta(0)
    cursor = start.astimezone(cal.zone)
    end_local = end.astimezone(cal.zone)
    while cursor < end_local:
        next_midnight = _at_local(cursor.date() + ONE_DAY, time(0), cal.zone).astimezone(cal.zone)
        stop = min(next_midnight, end_local)
        if cal.is_working_day(cursor.date()):
            total += stop - cursor
        cursor = stop
    return total


def add_working_time(at: datetime, amount: timedelta, cal: WorkCalendar) -> datetime:
    """The instant reached from ``at`` after ``amount`` of working time (non-working days are
    skipped whole). ``add_working_time(at, n × 24 h)`` equals ``add_working_days(at, n)`` when
    ``at`` falls on a working day."""
    _require_aware(at, "at")
    if amount < timedelta(0):
        raise ValueError(f"amount must be >= 0, got {amount}")
    cursor = next_working_moment(at, cal).astimezone(cal.zone)
    left = amount
    while True:
        next_midnight = _at_local(cursor.date() + ONE_DAY, time(0), cal.zone).astimezone(cal.zone)
        room = next_midnight - cursor
        if left < room:
            return (cursor + left).astimezone(UTC)
        left -= room
        cursor = _at_local(_next_working_day(cursor.date(), cal), time(0), cal.zone).astimezone(cal.zone)


def add_calendar_days(at: datetime, n: int, cal_or_zone: WorkCalendar | ZoneInfo | str) -> datetime:
    """The same local wall-clock time ``n`` calendar days later (holidays are irrelevant)."""
    _require_aware(at, "at")
    if isinstance(cal_or_zone, WorkCalendar):
        zone = cal_or_zone.zone
    elif isinstance(cal_or_zone, str):
        zone = ZoneInfo(cal_or_zone)
    else:
        zone = cal_or_zone
    local = at.astimezone(zone)
    return _at_local(local.date() + timedelta(days=n), local.time(), zone)


def count_working_days(start: datetime, end: datetime, cal: WorkCalendar) -> int:
    """The largest ``n`` with ``add_working_days(start, n) <= end``; negated when ``end < start``.

    Counts the days between by arithmetic (``WorkCalendar.working_days_in``), not one by one.
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end < start:
        return -count_working_days(end, start, cal)
    first = next_working_moment(start, cal)
    if first > end:
        return 0
    local_first = first.astimezone(cal.zone)
    wall_time = local_first.time()
    last_day = end.astimezone(cal.zone).date()
    # Every working day strictly between the first day and end's local date is reached at wall_time
    # before `end`; end's own date counts only if its wall_time moment is not after `end`.
    count = cal.working_days_in(local_first.date() + ONE_DAY, last_day)
    if (
        last_day > local_first.date()
        and cal.is_working_day(last_day)
        and _at_local(last_day, wall_time, cal.zone) <= end
    ):
        count += 1
    return count


def working_days_left(now: datetime, due: datetime, cal: WorkCalendar) -> int:
    """Working days left until ``due`` (0 on the due day); negative working days late once past it."""
    _require_aware(now, "now")
    _require_aware(due, "due")
    if due >= now:
        return count_working_days(now, due, cal)
    return -max(1, count_working_days(due, now, cal))
