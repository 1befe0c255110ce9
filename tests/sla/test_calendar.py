"""Working-day arithmetic: hand-checked 2026 cases in Asia/Makassar (WITA, UTC+8), then properties.

2026 holidays used below (SKB 3 Menteri; see test_public_holidays.py), "cb" = cuti bersama:
  March:    Wed 18 cb Nyepi, Thu 19 Nyepi, Fri 20 cb Idul Fitri, Sat 21 + Sun 22 Idul Fitri,
            Mon 23 + Tue 24 cb Idul Fitri  -> no working day from Wed 18 to Tue 24; Wed 25 works.
  May:      Fri 1 Hari Buruh, Thu 14 Kenaikan, Fri 15 cb, Wed 27 Idul Adha, Thu 28 cb, Sun 31 Waisak.
  December: Thu 24 cb Natal, Fri 25 Natal.
  July 2026 has no national holiday (used for the override cases).
"""

import os
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aduan.sla.calendar import (
    WorkCalendar,
    add_calendar_days,
    add_working_days,
    add_working_time,
    count_working_days,
    next_working_moment,
    working_days_left,
    working_time_between,
)
from aduan.sla.public_holidays import build_calendar

JAKARTA = ZoneInfo("Asia/Jakarta")  # WIB, UTC+7
MAKASSAR = ZoneInfo("Asia/Makassar")  # WITA, UTC+8 (Balikpapan)
JAYAPURA = ZoneInfo("Asia/Jayapura")  # WIT, UTC+9

YEARS = range(2025, 2028)
WITA_CAL = build_calendar(zone=MAKASSAR, years=YEARS)
WIB_CAL = build_calendar(zone=JAKARTA, years=YEARS)
WIT_CAL = build_calendar(zone=JAYAPURA, years=YEARS)


def wita(*args):
    return datetime(*args, tzinfo=MAKASSAR)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


# --- add_working_days: hand-checked cases -------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "n", "due"),
    [
        # Fri 6 Mar 15:00 + 3 HK: Mon 9 (1), Tue 10 (2), Wed 11 (3), same wall-clock time.
        (wita(2026, 3, 6, 15), 3, wita(2026, 3, 11, 15)),
        # n = 0 on a working day is the instant itself.
        (wita(2026, 3, 6, 15), 0, wita(2026, 3, 6, 15)),
        # Sat 7 Mar 10:00: counting starts Mon 9 00:00 (step 0); Tue 10 (1), Wed 11 (2), Thu 12 (3).
        (wita(2026, 3, 7, 10), 3, wita(2026, 3, 12, 0)),
        # Sat 7 Mar 10:00 + 0 HK is the start of the next working day, Mon 9 00:00.
        (wita(2026, 3, 7, 10), 0, wita(2026, 3, 9, 0)),
        # Sun 8 Mar 23:59 + 1 HK: start Mon 9 00:00, due Tue 10 00:00.
        (wita(2026, 3, 8, 23, 59), 1, wita(2026, 3, 10, 0)),
        # Tue 17 Mar 10:00 + 3 HK: 18 cb Nyepi, 19 Nyepi, 20 cb, 21-22 Idul Fitri (weekend), 23-24 cb are
        # skipped; Wed 25 (1), Thu 26 (2), Fri 27 (3).
        (wita(2026, 3, 17, 10), 3, wita(2026, 3, 27, 10)),
        # Mon 16 Mar 08:00 + 1 HK: Tue 17 (1).
        (wita(2026, 3, 16, 8), 1, wita(2026, 3, 17, 8)),
        # Mon 16 Mar 08:00 + 2 HK: Tue 17 (1), then 18-24 are off, Wed 25 (2).
        (wita(2026, 3, 16, 8), 2, wita(2026, 3, 25, 8)),
        # Filed Wed 18 Mar 09:00 (cb Nyepi): first working moment is Wed 25 00:00.
        (wita(2026, 3, 18, 9), 0, wita(2026, 3, 25, 0)),
        # Filed Sat 21 Mar (Idul Fitri) + 1 HK: start Wed 25 00:00, due Thu 26 00:00.
        (wita(2026, 3, 21, 12), 1, wita(2026, 3, 26, 0)),
        # Fri 13 Mar 16:00 + 5 HK: Mon 16 (1), Tue 17 (2), Wed 25 (3), Thu 26 (4), Fri 27 (5).
        (wita(2026, 3, 13, 16), 5, wita(2026, 3, 27, 16)),
        # Mon 11 May 09:00 + 10 HK (reply window): Tue 12 (1), Wed 13 (2), [Thu 14 Kenaikan, Fri 15 cb],
        # Mon 18..Fri 22 (3..7), Mon 25 (8), Tue 26 (9), [Wed 27 Idul Adha, Thu 28 cb], Fri 29 (10).
        (wita(2026, 5, 11, 9), 10, wita(2026, 5, 29, 9)),
        # Tue 22 Dec 09:00 + 2 HK: Wed 23 (1), [Thu 24 cb Natal, Fri 25 Natal, weekend], Mon 28 (2).
        (wita(2026, 12, 22, 9), 2, wita(2026, 12, 28, 9)),
        # Wed 23 Dec 14:00 + 1 HK: 24-27 are off, Mon 28 (1).
        (wita(2026, 12, 23, 14), 1, wita(2026, 12, 28, 14)),
        # Filed Thu 24 Dec 11:00 (cb Natal): first working moment is Mon 28 00:00.
        (wita(2026, 12, 24, 11), 0, wita(2026, 12, 28, 0)),
        # Wed 30 Dec 10:00 + 2 HK: Thu 31 (1), [Fri 1 Jan 2027 Tahun Baru, weekend], Mon 4 Jan 2027 (2).
        (wita(2026, 12, 30, 10), 2, wita(2027, 1, 4, 10)),
    ],
)
def test_add_working_days_makassar_2026(at, n, due):
    result = add_working_days(at, n, WITA_CAL)
    assert result == due
    assert result.tzinfo is UTC
    assert result.astimezone(MAKASSAR).replace(tzinfo=None) == due.replace(tzinfo=None)


def test_midnight_wita_is_not_midnight_utc():
    # Fri 6 Mar 23:30 UTC is Sat 7 Mar 07:30 WITA: a Saturday in Balikpapan, so counting starts Mon 9 00:00
    # WITA and 3 HK end Thu 12 00:00 WITA = Wed 11 16:00 UTC.
    at = utc(2026, 3, 6, 23, 30)
    assert add_working_days(at, 3, WITA_CAL) == utc(2026, 3, 11, 16)
    # The same instant on a UTC calendar is still Friday: Wed 11 23:30 UTC.
    utc_cal = WorkCalendar(zone=ZoneInfo("UTC"), holidays=WITA_CAL.holidays)
    assert add_working_days(at, 3, utc_cal) == utc(2026, 3, 11, 23, 30)
    # Fri 6 Mar 15:30 UTC is Fri 23:30 WITA, a working day: due Wed 11 23:30 WITA = 15:30 UTC.
    assert add_working_days(utc(2026, 3, 6, 15, 30), 3, WITA_CAL) == utc(2026, 3, 11, 15, 30)


def test_input_zone_does_not_matter_only_the_instant():
    # 16:30 in Tokyo (UTC+9) is 15:30 in Balikpapan, the same instant as wita(2026, 3, 6, 15, 30).
    tokyo = datetime(2026, 3, 6, 16, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert add_working_days(tokyo, 3, WITA_CAL) == wita(2026, 3, 11, 15, 30)


def test_same_instant_jakarta_vs_jayapura():
    # Fri 6 Mar 15:30 UTC = Fri 22:30 WIB (working) = Sat 7 Mar 00:30 WIT (weekend).
    at = utc(2026, 3, 6, 15, 30)
    assert WIB_CAL.is_working_day(at.astimezone(JAKARTA).date())
    assert not WIT_CAL.is_working_day(at.astimezone(JAYAPURA).date())
    # WIB: Mon 9 Mar 22:30 WIB = 15:30 UTC.
    assert add_working_days(at, 1, WIB_CAL) == utc(2026, 3, 9, 15, 30)
    # WIT: start Mon 9 00:00 WIT, + 1 HK = Tue 10 00:00 WIT = Mon 9 15:00 UTC.
    assert add_working_days(at, 1, WIT_CAL) == utc(2026, 3, 9, 15)


def test_same_instant_before_nyepi_jakarta_vs_jayapura():
    # Tue 17 Mar 15:30 UTC = Tue 22:30 WIB (working) = Wed 18 00:30 WIT (cuti bersama Nyepi).
    at = utc(2026, 3, 17, 15, 30)
    # WIB: 18-24 off, + 1 HK = Wed 25 22:30 WIB = 15:30 UTC.
    assert add_working_days(at, 1, WIB_CAL) == utc(2026, 3, 25, 15, 30)
    # WIT: start Wed 25 00:00 WIT, + 1 HK = Thu 26 00:00 WIT = Wed 25 15:00 UTC.
    assert next_working_moment(at, WIT_CAL) == utc(2026, 3, 24, 15)
    assert add_working_days(at, 1, WIT_CAL) == utc(2026, 3, 25, 15)


def test_next_working_moment():
    assert next_working_moment(wita(2026, 3, 6, 15), WITA_CAL) == wita(2026, 3, 6, 15)
    assert next_working_moment(wita(2026, 3, 7, 10), WITA_CAL) == wita(2026, 3, 9, 0)
    assert next_working_moment(wita(2026, 12, 24, 0), WITA_CAL) == wita(2026, 12, 28, 0)
    assert next_working_moment(wita(2026, 3, 6, 15), WITA_CAL).tzinfo is UTC


# --- overrides (mid-year decree, Saturday service) ----------------------------------------------------

FRIDAY_DECREE = (date(2026, 7, 10), True)  # hypothetical Keppres: Fri 10 July off
SATURDAY_SERVICE = (date(2026, 7, 11), False)  # a unit serves on Sat 11 July
CANCEL_CB_NATAL = (date(2026, 12, 24), False)  # cuti bersama Natal cancelled


@pytest.mark.parametrize(
    ("overrides", "at", "n", "due"),
    [
        # Wed 8 Jul 10:00 + 3 HK, no overrides: Thu 9 (1), Fri 10 (2), Mon 13 (3).
        ((), wita(2026, 7, 8, 10), 3, wita(2026, 7, 13, 10)),
        # Fri 10 off: Thu 9 (1), Mon 13 (2), Tue 14 (3).
        ((FRIDAY_DECREE,), wita(2026, 7, 8, 10), 3, wita(2026, 7, 14, 10)),
        # Sat 11 works: Thu 9 (1), Fri 10 (2), Sat 11 (3).
        ((SATURDAY_SERVICE,), wita(2026, 7, 8, 10), 3, wita(2026, 7, 11, 10)),
        # Both: Thu 9 (1), Sat 11 (2), Mon 13 (3).
        ((FRIDAY_DECREE, SATURDAY_SERVICE), wita(2026, 7, 8, 10), 3, wita(2026, 7, 13, 10)),
        # Filed on the serving Saturday: it is a working moment itself.
        ((SATURDAY_SERVICE,), wita(2026, 7, 11, 10), 0, wita(2026, 7, 11, 10)),
        # Without the override the same filing waits for Mon 13 00:00.
        ((), wita(2026, 7, 11, 10), 0, wita(2026, 7, 13, 0)),
        # Cuti bersama 24 Dec cancelled: Tue 22 Dec 09:00 + 2 HK = Wed 23 (1), Thu 24 (2).
        ((CANCEL_CB_NATAL,), wita(2026, 12, 22, 9), 2, wita(2026, 12, 24, 9)),
    ],
)
def test_overrides_change_deadlines(overrides, at, n, due):
    cal = build_calendar(zone=MAKASSAR, years=YEARS, overrides=overrides)
    assert add_working_days(at, n, cal) == due


def test_custom_weekend_six_day_week():
    # A unit serving Monday-Saturday: Fri 6 Mar 15:00 + 3 HK = Sat 7 (1), Mon 9 (2), Tue 10 (3).
    cal = WorkCalendar(zone=MAKASSAR, weekend=frozenset({6}))
    assert add_working_days(wita(2026, 3, 6, 15), 3, cal) == wita(2026, 3, 10, 15)


# --- add_calendar_days ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "n", "expected"),
    [
        # 14 days from Fri 6 Mar 15:00 is Fri 20 Mar 15:00 even though that is cuti bersama.
        (wita(2026, 3, 6, 15), 14, wita(2026, 3, 20, 15)),
        # 60 days from 1 Jan 08:00: 31 days to 1 Feb, 28 more to 1 Mar, 1 more = 2 Mar 08:00.
        (wita(2026, 1, 1, 8), 60, wita(2026, 3, 2, 8)),
        # Fri 6 Mar 23:30 UTC = Sat 7 Mar 07:30 WITA; + 14 = Sat 21 Mar 07:30 WITA = Fri 20 Mar 23:30 UTC.
        (utc(2026, 3, 6, 23, 30), 14, utc(2026, 3, 20, 23, 30)),
        (wita(2026, 3, 1, 9), -1, wita(2026, 2, 28, 9)),
        (wita(2026, 3, 1, 9), 0, wita(2026, 3, 1, 9)),
    ],
)
def test_add_calendar_days(at, n, expected):
    for cal_or_zone in (WITA_CAL, MAKASSAR, "Asia/Makassar"):
        result = add_calendar_days(at, n, cal_or_zone)
        assert result == expected
        assert result.tzinfo is UTC


def test_add_calendar_days_keeps_local_wall_clock_across_dst():
    # Not an Indonesian case, but shows "same local wall-clock time": New York springs forward on
    # 8 Mar 2026, so 7 Mar 12:00 EST (17:00 UTC) + 1 day is 8 Mar 12:00 EDT (16:00 UTC), 23 hours later.
    new_york = ZoneInfo("America/New_York")
    assert add_calendar_days(utc(2026, 3, 7, 17), 1, new_york) == utc(2026, 3, 8, 16)


# --- count_working_days ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        # Inverse of the first add_working_days case.
        (wita(2026, 3, 6, 15), wita(2026, 3, 11, 15), 3),
        # One minute short of Wed 11 15:00: only Mon 9 and Tue 10 15:00 are reached.
        (wita(2026, 3, 6, 15), wita(2026, 3, 11, 14, 59), 2),
        (wita(2026, 3, 17, 10), wita(2026, 3, 27, 10), 3),
        (wita(2026, 3, 17, 10), wita(2026, 3, 27, 9, 59), 2),
        # 18-24 March are all off: nothing after Tue 17 10:00 is reached before Wed 25 10:00.
        (wita(2026, 3, 17, 10), wita(2026, 3, 24, 23, 59), 0),
        (wita(2026, 3, 17, 10), wita(2026, 3, 25, 10), 1),
        # Both inside one weekend: even add_working_days(start, 0) = Mon 9 00:00 is after end.
        (wita(2026, 3, 7, 10), wita(2026, 3, 7, 11), 0),
        # From Saturday the steps are Mon 9 00:00 (0), Tue 10 00:00 (1), ...
        (wita(2026, 3, 7, 10), wita(2026, 3, 9, 0), 0),
        (wita(2026, 3, 7, 10), wita(2026, 3, 9, 23, 59), 0),
        (wita(2026, 3, 7, 10), wita(2026, 3, 10, 0), 1),
        (wita(2026, 3, 6, 15), wita(2026, 3, 6, 15), 0),
        # Reversed arguments negate.
        (wita(2026, 3, 27, 10), wita(2026, 3, 17, 10), -3),
        (wita(2026, 3, 11, 15), wita(2026, 3, 6, 15), -3),
        # Whole year 2026: it starts on a Thursday and has 365 days = 52 weeks + 1 Thursday, so
        # 52 * 5 + 1 = 261 weekdays. Of the 25 holidays, 4 fall on a weekend (Sat 21 Mar, Sun 22 Mar,
        # Sun 5 Apr, Sun 31 May), so 21 are weekdays: 261 - 21 = 240 working days. Thu 1 Jan is Tahun Baru,
        # so step 0 is Fri 2 Jan 00:00 and the other 239 working days are steps 1..239; Fri 1 Jan 2027 is
        # Tahun Baru again, so nothing more is reached by end.
        (wita(2026, 1, 1), wita(2027, 1, 1), 239),
        # ... and the reverse.
        (wita(2027, 1, 1), wita(2026, 1, 1), -239),
    ],
)
def test_count_working_days(start, end, count):
    assert count_working_days(start, end, WITA_CAL) == count


# --- working_days_left ----------------------------------------------------------------------------------

DUE = wita(2026, 3, 11, 15)  # Wed 11 Mar 15:00 WITA (3 HK from Fri 6 Mar 15:00)


@pytest.mark.parametrize(
    ("now", "left"),
    [
        (wita(2026, 3, 6, 15), 3),  # filed: Mon 9, Tue 10, Wed 11 15:00 are all reachable
        (wita(2026, 3, 7, 10), 2),  # Sat: steps Mon 9 00:00 (0), Tue 10 00:00 (1), Wed 11 00:00 (2)
        (wita(2026, 3, 9, 16), 1),  # Mon 16:00: Tue 16:00 (1) is before due, Wed 16:00 is not
        (wita(2026, 3, 10, 15), 1),  # Tue 15:00: exactly one working day left
        (wita(2026, 3, 10, 15, 1), 0),  # Tue 15:01: less than one working day left
        (wita(2026, 3, 11, 8), 0),  # the due day
        (DUE, 0),  # the due instant
        (wita(2026, 3, 11, 15, 1), -1),  # one minute late counts as late
        (wita(2026, 3, 12, 15), -1),  # one whole working day late (Thu 15:00)
        (wita(2026, 3, 13, 14, 59), -1),  # not yet two whole working days
        (wita(2026, 3, 13, 15), -2),  # Fri 15:00: two whole working days late
        (wita(2026, 3, 14, 10), -2),  # Sat: the weekend adds nothing
        (wita(2026, 3, 16, 15), -3),  # Mon 15:00
    ],
)
def test_working_days_left(now, left):
    assert working_days_left(now, DUE, WITA_CAL) == left


@pytest.mark.parametrize(
    ("now", "left"),
    [
        # Due Tue 17 Mar 10:00; the Nyepi/Idul Fitri break 18-24 March is not counted as lateness.
        (wita(2026, 3, 24, 23), -1),  # late, but no working day has passed since the due moment
        (wita(2026, 3, 25, 9, 59), -1),
        (wita(2026, 3, 25, 10), -1),  # Wed 25 10:00 is one working day after due
        (wita(2026, 3, 26, 10), -2),
    ],
)
def test_working_days_left_over_lebaran(now, left):
    assert working_days_left(now, wita(2026, 3, 17, 10), WITA_CAL) == left


# --- argument checks ------------------------------------------------------------------------------------

NAIVE = datetime(2026, 3, 6, 15)


@pytest.mark.parametrize(
    "call",
    [
        lambda: next_working_moment(NAIVE, WITA_CAL),
        lambda: add_working_days(NAIVE, 1, WITA_CAL),
        lambda: add_calendar_days(NAIVE, 1, WITA_CAL),
        lambda: count_working_days(NAIVE, DUE, WITA_CAL),
        lambda: count_working_days(DUE, NAIVE, WITA_CAL),
        lambda: working_days_left(NAIVE, DUE, WITA_CAL),
        lambda: working_days_left(DUE, NAIVE, WITA_CAL),
    ],
)
def test_naive_datetimes_are_rejected(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


def test_negative_working_days_are_rejected():
    with pytest.raises(ValueError, match="n must be >= 0"):
        add_working_days(DUE, -1, WITA_CAL)


def test_is_working_day_takes_a_date_not_a_datetime():
    assert WITA_CAL.is_working_day(date(2026, 3, 6))
    with pytest.raises(TypeError):
        WITA_CAL.is_working_day(DUE)


def test_calendar_accepts_a_zone_name_and_plain_sets():
    cal = WorkCalendar(zone="Asia/Makassar", holidays={date(2026, 3, 9)})
    assert cal.zone == MAKASSAR
    assert cal.holidays == frozenset({date(2026, 3, 9)})
    assert not cal.is_working_day(date(2026, 3, 9))


# --- properties over 2024-2028 with the real holidays ---------------------------------------------------

ZONES = [JAKARTA, MAKASSAR, JAYAPURA]
REAL = {zone: build_calendar(zone=zone, years=range(2024, 2029)) for zone in ZONES}

calendars = st.sampled_from(ZONES).map(REAL.__getitem__)
instants = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2028, 12, 31, 23, 59, 59),
    timezones=st.sampled_from([UTC, *ZONES, ZoneInfo("America/New_York")]),
)
day_counts = st.integers(min_value=0, max_value=80)
PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(at=instants, n=day_counts, cal=calendars)
def test_result_is_a_working_moment_in_utc(at, n, cal):
    due = add_working_days(at, n, cal)
    assert due.tzinfo is UTC
    assert due >= at
    assert cal.is_working_day(due.astimezone(cal.zone).date())


@PROPERTY
@given(at=instants, n=day_counts, cal=calendars)
def test_count_inverts_add(at, n, cal):
    due = add_working_days(at, n, cal)
    assert count_working_days(at, due, cal) == n
    assert count_working_days(due, at, cal) == -n
    assert working_days_left(at, due, cal) == n


@PROPERTY
@given(
    start=instants, span=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)), cal=calendars
)
def test_count_is_the_largest_n_not_after_end(start, span, cal):
    end = start + span
    count = count_working_days(start, end, cal)
    assert count >= 0
    if count > 0:
        assert add_working_days(start, count, cal) <= end
    assert add_working_days(start, count + 1, cal) > end


@PROPERTY
@given(at=instants, n=st.integers(min_value=1, max_value=80), cal=calendars)
def test_strictly_increasing_in_n(at, n, cal):
    assert add_working_days(at, n, cal) > add_working_days(at, n - 1, cal)


@PROPERTY
@given(a=instants, b=instants, n=day_counts, cal=calendars)
def test_non_decreasing_in_at(a, b, n, cal):
    early, late = sorted([a, b])
    assert add_working_days(early, n, cal) <= add_working_days(late, n, cal)


@contextmanager
def process_tz(name):
    saved = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


def _everything(at, n, cal):
    due = add_working_days(at, n, cal)
    return (
        next_working_moment(at, cal),
        due,
        add_calendar_days(at, n, cal),
        count_working_days(at, due + timedelta(hours=7), cal),
        working_days_left(due + timedelta(days=3), due, cal),
    )


@PROPERTY
@given(at=instants, n=day_counts, cal=calendars)
def test_independent_of_process_tz(at, n, cal):
    expected = _everything(at, n, cal)
    for name in ("America/New_York", "Asia/Tokyo", "Pacific/Kiritimati"):
        with process_tz(name):
            assert time.localtime(0).tm_hour != 0  # the process TZ really changed
            assert _everything(at, n, cal) == expected


def test_independent_of_process_tz_hand_checked():
    with process_tz("America/New_York"):
        assert add_working_days(utc(2026, 3, 6, 23, 30), 3, WITA_CAL) == utc(2026, 3, 11, 16)
    with process_tz("Asia/Tokyo"):
        assert add_working_days(utc(2026, 3, 6, 23, 30), 3, WITA_CAL) == utc(2026, 3, 11, 16)


@PROPERTY
@given(naive=st.datetimes(), n=day_counts, cal=calendars)
def test_naive_datetimes_always_raise(naive, n, cal):
    aware = datetime(2026, 3, 6, tzinfo=UTC)
    for call in (
        lambda: add_working_days(naive, n, cal),
        lambda: next_working_moment(naive, cal),
        lambda: add_calendar_days(naive, n, cal),
        lambda: count_working_days(naive, aware, cal),
        lambda: working_days_left(aware, naive, cal),
    ):
        with pytest.raises(ValueError, match="timezone-aware"):
            call()


# --------------------------------------------------------- working time (moving paused clocks)

HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # Two hours on a Monday morning.
        (wita(2026, 6, 8, 9, 0), wita(2026, 6, 8, 11, 0), 2 * HOUR),
        # Friday 22:00 → Monday 02:00 WITA: 2 h of Friday, the weekend not at all, 2 h of Monday.
        (wita(2026, 6, 12, 22, 0), wita(2026, 6, 15, 2, 0), 4 * HOUR),
        # Tue 9 June 09:00 → Mon 15 June 09:00: 15 h + Wed, Thu, Fri + 9 h = 4 working days.
        (wita(2026, 6, 9, 9, 0), wita(2026, 6, 15, 9, 0), 96 * HOUR),
        # Inside the Idul Fitri holidays and cuti bersama (18–24 March 2026): nothing.
        (wita(2026, 3, 18, 8, 0), wita(2026, 3, 24, 20, 0), timedelta(0)),
        # Backwards: nothing.
        (wita(2026, 6, 8, 11, 0), wita(2026, 6, 8, 9, 0), timedelta(0)),
    ],
)
def test_working_time_between(start, end, expected):
    assert working_time_between(start, end, WITA_CAL) == expected


@pytest.mark.parametrize(
    ("at", "amount", "expected"),
    [
        # A two-hour hold moves a due time of Wed 15:00 to Wed 17:00.
        (wita(2026, 6, 10, 15, 0), 2 * HOUR, wita(2026, 6, 10, 17, 0)),
        # Friday 23:00 + 2 h: one hour of Friday, then Monday 01:00.
        (wita(2026, 6, 12, 23, 0), 2 * HOUR, wita(2026, 6, 15, 1, 0)),
        # Monday 15 June 23:00 + 2 h skips Tue 16 June (1 Muharram): Wednesday 01:00.
        (wita(2026, 6, 15, 23, 0), 2 * HOUR, wita(2026, 6, 17, 1, 0)),
        # Starting on a Saturday: counting begins Monday 00:00.
        (wita(2026, 6, 13, 10, 0), 3 * HOUR, wita(2026, 6, 15, 3, 0)),
        (wita(2026, 6, 10, 15, 0), timedelta(0), wita(2026, 6, 10, 15, 0)),
    ],
)
def test_add_working_time(at, amount, expected):
    assert add_working_time(at, amount, WITA_CAL) == expected


def test_add_working_time_refuses_negative_amounts():
    with pytest.raises(ValueError, match="amount"):
        add_working_time(wita(2026, 6, 10, 15, 0), -HOUR, WITA_CAL)


@PROPERTY
@given(at=instants, n=day_counts, cal=calendars)
def test_whole_days_of_working_time_are_working_days(at, n, cal):
    assert add_working_time(at, timedelta(days=n), cal) == add_working_days(at, n, cal)


@PROPERTY
@given(at=instants, hours=st.integers(min_value=0, max_value=24 * 30), cal=calendars)
def test_working_time_between_inverts_add_working_time(at, hours, cal):
    start = next_working_moment(at, cal)
    end = add_working_time(start, timedelta(hours=hours), cal)
    assert working_time_between(start, end, cal) == timedelta(hours=hours)


def _working_days_one_by_one(cal, first, stop):
    return sum(cal.is_working_day(first + timedelta(days=i)) for i in range(max(0, (stop - first).days)))


some_days = st.dates(min_value=date(2025, 12, 1), max_value=date(2026, 3, 31))


@PROPERTY
@given(
    holidays=st.frozensets(some_days, max_size=25),
    exceptions=st.frozensets(some_days, max_size=10),
    weekend=st.frozensets(st.integers(min_value=0, max_value=6), max_size=3),
    first=some_days,
    length=st.integers(min_value=-10, max_value=130),
)
def test_working_days_in_counts_what_a_day_by_day_loop_counts(holidays, exceptions, weekend, first, length):
    cal = WorkCalendar(zone=MAKASSAR, holidays=holidays, working_exceptions=exceptions, weekend=weekend)
    stop = first + timedelta(days=length)
    assert cal.working_days_in(first, stop) == _working_days_one_by_one(cal, first, stop)


def test_working_days_in_a_week_with_a_holiday_and_a_working_saturday():
    # Mon 2 – Sun 8 March 2026: Tuesday a holiday, Saturday declared a working day
    cal = WorkCalendar(zone=MAKASSAR, holidays={date(2026, 3, 3)}, working_exceptions={date(2026, 3, 7)})
    assert cal.working_days_in(date(2026, 3, 2), date(2026, 3, 9)) == 5  # 5 weekdays - 1 + 1
    assert cal.working_days_in(date(2026, 3, 3), date(2026, 3, 4)) == 0
    assert cal.working_days_in(date(2026, 3, 9), date(2026, 3, 2)) == 0
