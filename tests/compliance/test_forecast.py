"""The breach probability (aduan.compliance.forecast): a pure function of the histograms, the
allowance and the elapsed working days; and the histograms as read from the rollup cells."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from aduan.compliance.forecast import (
    Histogram,
    breach_probability,
    category_months,
    histograms_for,
    histograms_from_rows,
)
from aduan.sla.models import MetricRollup
from aduan.sla.rollups import clock_facts, rollup_apply, with_spans

A = 5


def hist(values: dict, breached=0) -> Histogram:
    return Histogram(dict(values), breached)


def test_probability_rises_with_elapsed_time_and_is_one_once_late():
    h = hist({1: 30, 2: 30, 3: 20, 4: 10, 6: 5}, breached=10)  # 5 met late (6 days), 5 still open
    ps = [breach_probability(elapsed=w, allowance=A, local=h) for w in range(0, 7)]
    assert ps == sorted(ps)
    assert ps[0] < 0.15 < 0.45 < ps[4]
    assert ps[5] == ps[6] == 1.0
    # the empirical ratio: 10 late (5 with a duration, 5 without) of 100 clocks, 10 of 20 at w = 4
    assert ps[0] == pytest.approx(10.5 / 101)
    assert ps[4] == pytest.approx(10.5 / 21)


def test_breached_clocks_are_not_counted_twice():
    # every breach already has its late duration in the histogram: nothing is added at infinity
    h = hist({1: 10, 7: 5}, breached=5)
    assert h.tail(0, A) == 15
    assert h.tail(A, A) == 5
    # breaches without a duration count as taking for ever
    h = hist({1: 10}, breached=5)
    assert h.tail(0, A) == 15
    assert h.tail(9, A) == 5


def test_no_history_gives_one_half_and_few_clocks_shrink_towards_the_parent():
    assert breach_probability(elapsed=0, allowance=A, local=Histogram()) == 0.5
    parent = hist({1: 900}, breached=100)  # the Pemda: 10% late
    few = hist({}, breached=2)  # this OPD: 2 clocks, both late
    alone = breach_probability(elapsed=0, allowance=A, local=few)
    shrunk = breach_probability(elapsed=0, allowance=A, local=few, parent=parent)
    assert alone > 0.8
    assert 0.1 < shrunk < 0.25  # pulled towards the Pemda's 10%
    many = hist({}, breached=2000)  # plenty of clocks: the OPD's own history wins
    assert breach_probability(elapsed=0, allowance=A, local=many, parent=parent) > 0.95
    # no prior weight: only the one pseudo-clock breaching at the Pemda's rate (10%) remains
    assert breach_probability(
        elapsed=0, allowance=A, local=few, parent=parent, prior_weight=0
    ) == pytest.approx((2 + 0.1) / (2 + 1))


def test_histograms_from_rows_skip_unknown_durations_and_sum_parents():
    rows = [
        (1, 10, "follow_up_days", "", 2, 4),
        (1, 11, "follow_up_days", "", 3, 6),
        (1, 11, "follow_up_br", "", 0, 1),
        (1, 10, "resolved", "", -1, 7),
        (2, 20, "resolved", "", 8, 3),
    ]
    h = histograms_from_rows(rows)
    assert h.by_opd[(1, 10, "follow_up")].counts == {2: 4}
    assert h.by_pemda[(1, "follow_up")].counts == {2: 4, 3: 6}
    assert h.by_pemda[(1, "follow_up")].breached == 1
    assert (1, 10, "resolution") not in h.by_opd  # unknown durations are left out
    local, parent = h.pair(2, 20, "follow_up")  # no follow-up history in Pemda 2: every Pemda's
    assert local.counts == {}
    assert parent.counts == {2: 4, 3: 6}


@pytest.mark.postgres
def test_histograms_read_the_trailing_year_of_the_rollups_in_a_query(db, django_assert_num_queries):
    today = timezone.localdate()
    recent, old = today - timedelta(days=40), today - timedelta(days=400)
    rollup_apply(
        Counter(
            {
                (7, 3, recent, "follow_up_days", "", 2): 5,
                (7, 3, recent, "follow_up_br", "", 0): 1,
                (7, 3, old, "follow_up_days", "", 9): 50,  # older than a year: left out
                (7, 3, today, "follow_up_days", "", 9): 50,  # today: not yet (the day is open)
                (8, 4, recent, "follow_up_days", "", 1): 3,  # another Pemda: not asked for
            }
        )
    )
    with django_assert_num_queries(2):  # and the category cells' months
        h = histograms_for([7], today=today)
    assert h.by_opd[(7, 3, "follow_up")] == Histogram({2: 5}, 1)
    assert set(h.by_pemda) == {(7, "follow_up")}


@settings(max_examples=200, deadline=None)
@given(
    counts=st.dictionaries(st.integers(min_value=0, max_value=60), st.integers(min_value=1, max_value=50)),
    breached=st.integers(min_value=0, max_value=100),
    x=st.integers(min_value=-3, max_value=70),
    allowance=st.integers(min_value=1, max_value=70),
    added=st.tuples(st.integers(min_value=0, max_value=80), st.integers(min_value=1, max_value=9)),
)
def test_tails_from_the_table_equal_plain_sums_also_after_an_add(counts, breached, x, allowance, added):
    def plain(h, x):
        return sum(n for v, n in h.counts.items() if v >= x) + max(
            0, h.breached - sum(n for v, n in h.counts.items() if v >= allowance)
        )

    h = hist(counts, breached)
    assert h.tail(x, allowance) == plain(h, x)
    h.add(*added)  # the table built by the first tail is dropped
    assert h.tail(x, allowance) == plain(h, x)
    assert h.total(allowance) == plain(h, 0)


def _brier(pairs) -> float:
    return sum((p - y) ** 2 for p, y in pairs) / len(pairs)


def test_the_forecast_beats_the_naive_baseline_when_opds_differ():
    """A backtest on a history where one OPD resolves fast and another slowly (what the generated
    data of bench/forecast.py lacks): clocks running at a cut-off, predicted from the histories,
    scored against what happened. The forecast (per OPD, elapsed time, shrunk to the Pemda) beats
    the naive baseline (the overall breach rate) and the Pemda-wide histogram on elapsed time
    alone in Brier score; a forecast that ignored the OPD or the elapsed time would not."""
    import random

    rng = random.Random(2026)
    allowance = 10
    duration = {"fast": lambda: rng.choice([1, 2, 2, 3, 3, 4, 5, 6, 12]), "slow": lambda: rng.randint(4, 16)}
    history = {opd: Histogram() for opd in duration}
    for opd, draw in duration.items():
        for _ in range(600):
            history[opd].add(draw(), 1)
    pemda = history["fast"].merged(history["slow"])
    base_rate = pemda.tail(allowance, allowance) / pemda.total(allowance)

    forecast, naive, pemda_only = [], [], []
    for opd, draw in duration.items():
        for _ in range(1500):
            days = draw()
            elapsed = rng.randrange(0, min(days, allowance))  # running at the cut-off, not yet late
            late = 1 if days >= allowance else 0
            p = breach_probability(elapsed=elapsed, allowance=allowance, local=history[opd], parent=pemda)
            forecast.append((p, late))
            naive.append((base_rate, late))
            q = breach_probability(elapsed=elapsed, allowance=allowance, local=Histogram(), parent=pemda)
            pemda_only.append((q, late))
    assert _brier(forecast) < 0.8 * _brier(naive)
    assert _brier(forecast) < _brier(pemda_only)


def test_a_category_forecast_uses_the_opds_history_of_that_category():
    """Roads (category 5) run late at OPD 10, documents (6) never: the same clock at the same
    elapsed time is likelier to breach as a road complaint; a category the OPD has no history of,
    or no category, is forecast from the OPD's histogram."""
    rows = [
        (1, 10, "resolved", "", 2, 50),
        (1, 10, "resolved", "", 12, 20),
        (1, 10, "resolved_cat", "5", 12, 20),
        (1, 10, "resolved_cat", "5", 3, 2),
        (1, 10, "resolution_br_cat", "5", 0, 20),
        (1, 10, "resolved_cat", "6", 2, 48),
        (1, 11, "resolved", "", 4, 30),
    ]
    h = histograms_from_rows(rows)
    assert h.by_category[(1, 10, 5, "resolution")].counts == {12: 20, 3: 2}
    assert h.by_category[(1, 10, 5, "resolution")].breached == 20
    assert h.by_opd[(1, 10, "resolution")].counts == {2: 50, 12: 20}  # category cells stay apart

    def p(category):
        local, parent = h.pair(1, 10, "resolution", category, allowance=10)
        return breach_probability(elapsed=0, allowance=10, local=local, parent=parent)

    roads, documents, unknown, none = p(5), p(6), p(7), p(None)
    assert roads > 0.5 > unknown == none > 0.15 > documents
    assert h.pair(1, 10, "resolution", 7, allowance=10) == h.pair(1, 10, "resolution")


def test_a_rare_category_borrows_from_the_opd():
    h = histograms_from_rows([(1, 10, "resolved", "", 2, 200), (1, 10, "resolved_cat", "5", 12, 1)])
    local, parent = h.pair(1, 10, "resolution", 5, allowance=10)
    p = breach_probability(elapsed=0, allowance=10, local=local, parent=parent)
    assert 0 < p < 0.15  # one late road complaint does not outweigh the OPD's 200 quick ones


def test_category_clock_facts_make_month_cells_only():
    day = timezone.localdate()
    facts = clock_facts(
        pemda_id=1, channel="web", stage="resolution", opd_id=3, resolved_by_id=3, met=day,
        breached=day - timedelta(days=2), working_days_taken=12, category_id=9,
    )  # fmt: skip
    assert facts[(1, 3, day, "resolved_cat", "9", 12)] == 1
    assert facts[(1, 3, day - timedelta(days=2), "resolution_br_cat", "9", 0)] == 1
    no_category = clock_facts(
        pemda_id=1, channel="web", stage="resolution", opd_id=3, resolved_by_id=3, met=day,
        breached=None, working_days_taken=12, category_id=None,
    )  # fmt: skip
    assert not [k for k in no_category if k[3].endswith("_cat")]
    cells = with_spans(facts)
    spans = {span for (_p, span, _d, _o, metric, _l, _v) in cells if metric.endswith("_cat")}
    assert spans == {MetricRollup.CATEGORY_MONTH}
    month = day.replace(day=1)
    assert cells[(1, MetricRollup.CATEGORY_MONTH, month, 3, "resolved_cat", "9", 12)] == 1
    # a fact and its retraction on two days of one month leave no cell
    moved = Counter({(1, 3, month, "resolved_cat", "9", 12): 1, (1, 3, day, "resolved_cat", "9", 12): -1})
    assert not with_spans(moved)


def test_category_months_are_the_twelve_whole_months_before_this_one():
    from datetime import date

    assert category_months(date(2026, 12, 7)) == (date(2025, 12, 1), date(2026, 11, 1))
    assert category_months(date(2026, 1, 1)) == (date(2025, 1, 1), date(2025, 12, 1))


@pytest.mark.postgres
def test_histograms_read_the_category_months_in_a_second_query(db, django_assert_num_queries):
    from datetime import date

    today = date(2026, 12, 7)
    rollup_apply(
        Counter(
            {
                (7, 3, date(2026, 11, 20), "resolved_cat", "4", 9): 2,
                (7, 3, date(2025, 12, 1), "resolution_br_cat", "4", 0): 1,
                (7, 3, date(2025, 11, 30), "resolved_cat", "4", 1): 50,  # 13 months back: left out
                (7, 3, date(2026, 12, 2), "resolved_cat", "4", 1): 50,  # this month: not yet
                (8, 3, date(2026, 11, 20), "resolved_cat", "4", 1): 5,  # another Pemda
            }
        )
    )
    with django_assert_num_queries(2):
        h = histograms_for([7], today=today)
    assert h.by_category == {(7, 3, 4, "resolution"): Histogram({9: 2}, 1)}


def test_the_dashboards_reader_refuses_the_category_cells():
    """They are month cells of a span of their own: summed by a dashboard period's spans they
    would silently count nothing."""
    from datetime import date

    from aduan.compliance.metrics import rollup_rows

    with pytest.raises(ValueError, match="own span"):
        rollup_rows(pemda_ids=[1], first=date(2026, 1, 1), last=date(2026, 1, 31), metrics=["resolved_cat"])


def test_the_history_ends_on_the_pemdas_own_yesterday():
    """The cells are local days: at 00:30 WITA on 1 December (16:30 UTC on 30 November) a
    Balikpapan forecast reads the history up to 30 November; with a WIB Pemda beside it, whose day
    is still 30 November, up to 29 November (no unfinished day read as history)."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from aduan.compliance.forecast import forecasts_for
    from aduan.sla.calendar import WorkCalendar

    asked = []

    def histograms(pemda_ids, *, today):
        asked.append((set(pemda_ids), today))

    def complaint(pk, pemda_id):
        return SimpleNamespace(pk=pk, pemda_id=pemda_id, open_deadlines=[], current_opd_id=None)

    calendars = {1: WorkCalendar(zone="Asia/Makassar"), 2: WorkCalendar(zone="Asia/Jakarta")}
    now = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
    assert forecasts_for([complaint(1, 1)], now=now, calendars=calendars, histograms=histograms) == {}
    assert (
        forecasts_for([complaint(1, 1), complaint(2, 2)], now=now, calendars=calendars, histograms=histograms)
        == {}
    )
    assert asked == [({1}, date(2026, 12, 1)), ({1, 2}, date(2026, 11, 30))]
