"""The spans of the compliance rollups (aduan.sla.rollups): every day cell is added to its dekad,
month, quarter and year, and any period is read as whole spans that cover its days exactly once
(or, when it reaches a day after which nothing happened yet, as spans reaching past it)."""

from collections import Counter
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from aduan.sla.models import MetricRollup
from aduan.sla.rollups import (
    BY_DAY,
    DAY,
    DEKAD,
    LONGEST_FIRST,
    MONTH,
    QUARTER,
    YEAR,
    span_cover,
    span_last,
    span_runs,
    span_start,
    with_spans,
)

days = st.dates(min_value=date(2023, 1, 1), max_value=date(2028, 12, 31))


def _days_of(runs) -> list[date]:
    """Every day the runs cover, in order (a run is consecutive spans of one kind)."""
    out = []
    for span, first_start, last_start in runs:
        start = first_start
        while start <= last_start:
            end = span_last(span, start)
            out += [start + timedelta(days=i) for i in range((end - start).days + 1)]
            start = end + timedelta(days=1)
    return out


def test_span_edges():
    assert span_start(DEKAD, date(2026, 2, 28)) == date(2026, 2, 21)
    assert span_last(DEKAD, date(2026, 2, 21)) == date(2026, 2, 28)
    assert span_last(DEKAD, date(2028, 2, 21)) == date(2028, 2, 29)  # leap year
    assert span_last(DEKAD, date(2026, 1, 21)) == date(2026, 1, 31)
    assert span_last(DEKAD, date(2026, 1, 11)) == date(2026, 1, 20)
    assert span_start(QUARTER, date(2026, 6, 30)) == date(2026, 4, 1)
    assert span_last(QUARTER, date(2026, 10, 1)) == date(2026, 12, 31)
    assert span_start(YEAR, date(2026, 6, 30)) == date(2026, 1, 1)
    assert span_last(MONTH, date(2026, 4, 1)) == date(2026, 4, 30)
    assert {
        MetricRollup.DAY,
        MetricRollup.DEKAD,
        MetricRollup.MONTH,
        MetricRollup.QUARTER,
        MetricRollup.YEAR,
    } == set(LONGEST_FIRST)


@given(days, days)
def test_the_runs_cover_every_day_of_a_period_once(a, b):
    first, last = min(a, b), max(a, b)
    runs = span_runs(first, last)
    covered = _days_of(runs)
    assert covered == [first + timedelta(days=i) for i in range((last - first).days + 1)]
    kinds = Counter(span for span, _first, _last in runs)
    assert all(n <= 2 for n in kinds.values())  # a kind at each end at most
    for span, first_start, last_start in runs:
        assert span_start(span, first_start) == first_start
        assert span_start(span, last_start) == last_start


def test_calendar_periods_are_one_span_and_a_trailing_year_a_few():
    assert span_runs(date(2026, 1, 1), date(2026, 12, 31)) == [(YEAR, date(2026, 1, 1), date(2026, 1, 1))]
    assert span_runs(date(2026, 4, 1), date(2026, 6, 30)) == [(QUARTER, date(2026, 4, 1), date(2026, 4, 1))]
    assert span_runs(date(2026, 2, 1), date(2026, 2, 28)) == [(MONTH, date(2026, 2, 1), date(2026, 2, 1))]
    assert span_runs(date(2025, 12, 8), date(2026, 12, 7)) == [
        (DAY, date(2025, 12, 8), date(2025, 12, 10)),
        (DEKAD, date(2025, 12, 11), date(2025, 12, 21)),
        (QUARTER, date(2026, 1, 1), date(2026, 7, 1)),
        (MONTH, date(2026, 10, 1), date(2026, 11, 1)),
        (DAY, date(2026, 12, 1), date(2026, 12, 7)),
    ]


@given(days, days, st.integers(min_value=-400, max_value=400))
def test_a_cover_reaches_past_the_period_only_into_empty_days(a, b, shift):
    first, last = min(a, b), max(a, b)
    empty_after = last + timedelta(days=shift)
    runs, beyond = span_cover(first, last, empty_after=empty_after)
    covered = _days_of(runs)
    end = beyond or last
    assert covered == [first + timedelta(days=i) for i in range((end - first).days + 1)]
    if beyond is not None:
        assert beyond > last >= empty_after  # only days after ``last``, a day after which nothing happened
    assert span_cover(first, last, empty_after=None) == (span_runs(first, last), None)


def test_a_trailing_year_ending_today_ends_with_this_year():
    runs, beyond = span_cover(date(2025, 12, 8), date(2026, 12, 7), empty_after=date(2026, 12, 7))
    assert runs == [
        (DAY, date(2025, 12, 8), date(2025, 12, 10)),
        (DEKAD, date(2025, 12, 11), date(2025, 12, 21)),
        (YEAR, date(2026, 1, 1), date(2026, 1, 1)),
    ]
    assert beyond == date(2026, 12, 31)


def test_a_day_fact_goes_to_its_five_spans_and_gaps_stay_by_day():
    day = date(2026, 11, 23)
    cells = with_spans(
        Counter(
            {
                (1, 7, day, "sub", "web", 0): 2,
                (1, 7, day, "follow_up_both", "", 3): 1,
                (1, 7, day, "x", "", 0): 0,
            }
        )
    )
    assert cells == {
        (1, DAY, day, 7, "sub", "web", 0): 2,
        (1, DEKAD, date(2026, 11, 21), 7, "sub", "web", 0): 2,
        (1, MONTH, date(2026, 11, 1), 7, "sub", "web", 0): 2,
        (1, QUARTER, date(2026, 10, 1), 7, "sub", "web", 0): 2,
        (1, YEAR, date(2026, 1, 1), 7, "sub", "web", 0): 2,
        (1, DAY, day, 7, "follow_up_both", "", 3): 1,
    }
    assert {"follow_up_both", "open_days"} <= BY_DAY
