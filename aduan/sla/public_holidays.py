"""Indonesian national holidays and cuti bersama, and building a :class:`WorkCalendar` from them (no ORM).

The dates come from the ``holidays`` package: the ``public`` category holds the national holidays
(hari libur nasional) and the ``government`` category the cuti bersama of the yearly SKB 3 Menteri, so both
are requested. Mid-year changes (Keppres), regional holidays and Saturday-serving units are applied on top as
overrides, which the ORM layer loads from its HolidayOverride table.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo

import holidays

from .calendar import DEFAULT_WEEKEND, WorkCalendar

__all__ = ["build_calendar", "national_holidays"]

COUNTRY = "ID"
CATEGORIES = ("public", "government")
LANGUAGE = "id"  # the package ships Indonesian names for ID


def national_holidays(years: int | Iterable[int]) -> dict[date, str]:
    """National holidays and cuti bersama for ``years``, as ``{date: Indonesian name}`` in date order.

    Two observances on one date come back as one entry with the names joined by "; ".
    """
    wanted = sorted({years} if isinstance(years, int) else set(years))
    if not wanted:
        return {}
    table = holidays.country_holidays(COUNTRY, years=wanted, categories=CATEGORIES, language=LANGUAGE)
    return dict(sorted(table.items()))


def build_calendar(
    *,
    zone: str | ZoneInfo,
    years: Iterable[int],
    overrides: Iterable[tuple[date, bool]] = (),
) -> WorkCalendar:
    """A :class:`WorkCalendar` with the national holidays of ``years``, then ``overrides`` in order.

    ``(day, True)`` makes ``day`` a non-working day (added to holidays, removed from working exceptions);
    ``(day, False)`` makes it a working day (removed from holidays and, if it falls on a weekend, added to
    working exceptions). A later override for the same day wins.
    """
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    off = set(national_holidays(years))
    working: set[date] = set()
    for day, is_holiday in overrides:
        if is_holiday:
            off.add(day)
            working.discard(day)
        else:
            off.discard(day)
            if day.weekday() in DEFAULT_WEEKEND:
                working.add(day)
    return WorkCalendar(zone=zone, holidays=frozenset(off), working_exceptions=frozenset(working))
