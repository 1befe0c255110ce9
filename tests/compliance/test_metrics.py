"""Metrics against a hand-counted October 2026 (no national holiday that month) in one Pemda with
two OPDs, including a re-dispatch after OPD A let the follow-up clock run out — that breach lands
on A, not on B — and a fixed number of queries however many complaints and OPDs there are."""

from datetime import date
from decimal import Decimal as D

import pytest

from aduan.complaints.selectors import Actor
from aduan.complaints.services import complaint_rate, complaint_skm_submit
from aduan.complaints.workflow import Action, complaint_transition
from aduan.compliance.metrics import Period, metrics_for, trend_for
from aduan.compliance.metrics_scan import metrics_scan
from tests.factories import ComplaintFactory, MembershipFactory, OpdFactory, PemdaFactory, wita

NOW = wita(2026, 11, 20, 12, 0)


def _move(complaint, action, actor, at, **extra):
    complaint_transition(complaint_id=complaint.pk, action=action, actor=actor, now=at, **extra)


@pytest.fixture
def october(world):
    """Six complaints (C1–C6) as in the module docstring of aduan/compliance/metrics.py."""
    w = world
    koor = Actor.staff(w.koordinator)
    a, b = w.opd, w.other_opd
    pa, pb = Actor.staff(w.petugas[0]), Actor.staff(w.other_petugas)

    def submit(at):
        return ComplaintFactory(pemda=w.pemda, now=at)

    c1 = submit(wita(2026, 10, 5, 9))
    _move(c1, Action.DISPATCH, koor, wita(2026, 10, 6, 9), opd=a)
    _move(c1, Action.FOLLOW_UP, pa, wita(2026, 10, 8, 9), note="Sudah diperbaiki.")
    _move(c1, Action.ACCEPT, Actor.citizen(c1.tracking_secret), wita(2026, 10, 9, 9))
    complaint_rate(
        complaint_id=c1.pk, actor=Actor.citizen(c1.tracking_secret), score=4, now=wita(2026, 10, 9, 10)
    )
    complaint_skm_submit(
        complaint_id=c1.pk,
        actor=Actor.citizen(c1.tracking_secret),
        answers={f"u{i}": 3 for i in range(1, 10)},
        now=wita(2026, 10, 9, 10),
    )

    c2 = submit(wita(2026, 10, 5, 9))  # verified late (due 8 Oct 09:00), followed up late
    _move(c2, Action.DISPATCH, koor, wita(2026, 10, 12, 10), opd=a)
    _move(c2, Action.FOLLOW_UP, pa, wita(2026, 10, 26, 10), note="Sudah diperbaiki.")
    _move(c2, Action.ACCEPT, Actor.citizen(c2.tracking_secret), wita(2026, 10, 27, 9))

    c3 = submit(wita(2026, 10, 5, 9))  # A lets the follow-up clock (due 13 Oct) run out; B takes over
    _move(c3, Action.DISPATCH, koor, wita(2026, 10, 6, 9), opd=a)
    _move(c3, Action.REDISPATCH, koor, wita(2026, 10, 15, 9), opd=b)
    _move(c3, Action.FOLLOW_UP, pb, wita(2026, 10, 16, 9), note="Sudah ditangani.")
    _move(c3, Action.ACCEPT, Actor.citizen(c3.tracking_secret), wita(2026, 10, 19, 9))

    c4 = submit(wita(2026, 10, 20, 9))  # still with B at the end of October
    _move(c4, Action.DISPATCH, koor, wita(2026, 10, 21, 10), opd=b)

    c5 = submit(wita(2026, 10, 7, 9))  # archived: verification met, but not a resolution
    _move(c5, Action.ARCHIVE, koor, wita(2026, 10, 8, 9), reason="unintelligible")

    c6 = submit(wita(2026, 9, 28, 9))  # September complaint whose follow-up falls in October
    _move(c6, Action.DISPATCH, koor, wita(2026, 9, 29, 9), opd=b)
    _move(c6, Action.FOLLOW_UP, pb, wita(2026, 10, 1, 9), note="Sudah ditangani.")
    return w


def test_pemda_figures_for_october(october):
    m = metrics_for(pemdas=[october.pemda], period=Period.month(2026, 10), now=NOW)
    f = m.by_pemda[october.pemda.pk]

    assert f.received == 5  # C1–C5 (C6 was filed in September)
    assert (f.verified_on_time, f.verified_total, f.verified_on_time_pct) == (4, 5, D("80.0"))
    assert f.dispatched == 4
    assert (f.followed_up_on_time, f.follow_up_total, f.followed_up) == (3, 5, 4)
    assert f.followed_up_on_time_pct == D("60.0")
    assert (f.resolved, f.resolved_on_time) == (3, 3)
    # C2 also missed the 14-day written response of UU 25/2009 (answered on day 21), while A held it.
    assert f.breaches == {"verification": 1, "follow_up": 2, "legal_response": 1}
    assert f.backlog_total == 2
    assert f.mean_rating == D("4.00")
    assert f.skm == D("74.93")  # all answers 3: 27 × 0.111 × 25
    assert f.channels_count == 1


def test_opd_figures_and_the_breach_lands_on_the_opd_that_let_the_clock_run_out(october):
    m = metrics_for(pemdas=[october.pemda], period=Period.month(2026, 10), now=NOW)
    a, b = m.by_opd[october.opd.pk], m.by_opd[october.other_opd.pk]

    assert a.received == 3  # C1, C2, C3 dispatched to A
    assert (a.followed_up_on_time, a.follow_up_total) == (1, 3)  # C3's cancelled clock is A's breach
    assert a.follow_up_days == [2, 10]  # C1: 6→8 Oct; C2: 12→26 Oct
    assert (a.median_follow_up_days, a.p90_follow_up_days) == (D("6"), 10)
    assert a.breaches == {"follow_up": 2, "legal_response": 1}
    assert (a.resolved, a.resolve_days) == (2, [4, 16])
    assert a.mean_rating == D("4.00")

    assert b.received == 2  # C3 (re-dispatched), C4
    assert (b.followed_up_on_time, b.follow_up_total, b.followed_up_on_time_pct) == (2, 2, D("100.0"))
    assert b.breaches == {}
    assert (b.resolved, b.resolve_days) == (1, [10])  # C3: 5 → 19 Oct
    assert b.backlog == {"0_3": 0, "4_7": 0, "8_14": 1, "15_30": 0, "31_60": 1, "60_plus": 0}


def test_quarter_year_and_custom_periods(october):
    pemda = october.pemda
    q4 = metrics_for(pemdas=[pemda], period=Period.parse("2026-Q4"), now=NOW).by_pemda[pemda.pk]
    year = metrics_for(pemdas=[pemda], period=Period.parse("2026"), now=NOW).by_pemda[pemda.pk]
    custom = metrics_for(pemdas=[pemda], period=Period.parse("2026-09-01..2026-10-04"), now=NOW).by_pemda[
        pemda.pk
    ]

    assert q4.received == 5
    assert year.received == 6
    assert (custom.received, custom.dispatched, custom.followed_up) == (1, 1, 1)  # C6 only


def test_province_rolls_up_its_pemdas(october):
    other = PemdaFactory(province=october.pemda.province)
    ComplaintFactory(pemda=other, now=wita(2026, 10, 2, 9))
    m = metrics_for(pemdas=[october.pemda, other], period=Period.month(2026, 10), now=NOW)
    assert m.by_province[october.pemda.province_id].received == 6
    assert m.by_pemda[other.pk].received == 1


def test_reopen_rate(october):
    c1 = october.pemda.complaints.order_by("pk").first()
    _move(c1, Action.REOPEN, Actor.staff(october.koordinator), wita(2026, 10, 12, 9), note="Belum beres.")
    f = metrics_for(pemdas=[october.pemda], period=Period.month(2026, 10), now=NOW).by_opd[october.opd.pk]
    assert f.reopened == 1
    assert f.reopen_rate_pct == D("50.0")  # 1 of A's 2 resolutions


def test_trend_and_heat_map(october):
    t = trend_for(pemda=october.pemda, last_month=date(2026, 10, 1), months=3)
    assert t.months == [date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)]
    assert t.received[date(2026, 9, 1)] == 1
    assert t.received[date(2026, 10, 1)] == 5
    oct_a = t.heat[october.opd.pk][date(2026, 10, 1)]
    assert (oct_a.on_time, oct_a.total) == (1, 3)
    assert t.follow_up[date(2026, 10, 1)].pct == D("60.0")


@pytest.mark.parametrize("period_text", ["2026", "2026-11", "2026-Q2", "2026-01-01..2026-03-31"])
def test_period_parse_round_trips(period_text):
    assert Period.parse(period_text).key == period_text


@pytest.mark.parametrize("period_text", ["", "2026-13", "2026-Q5", "1999", "2026-03-01..2026-01-01", "abc"])
def test_period_parse_refuses_nonsense(period_text):
    assert Period.parse(period_text) is None


def _grow(pemda, n_opds: int, n_complaints: int):
    koor = Actor.staff(MembershipFactory(role="koordinator", pemda=pemda).user)
    opds = [OpdFactory(pemda=pemda) for _ in range(n_opds)]
    for i in range(n_complaints):
        c = ComplaintFactory(pemda=pemda, now=wita(2026, 10, 5 + i % 3, 9))
        _move(c, Action.DISPATCH, koor, wita(2026, 10, 9, 9), opd=opds[i % n_opds])


@pytest.mark.parametrize(("n_opds", "n_complaints"), [(1, 1), (4, 12)])
def test_fixed_number_of_queries(default_policies, django_assert_num_queries, n_opds, n_complaints):
    pemdas = [PemdaFactory(), PemdaFactory(timezone="Asia/Jakarta")]
    for pemda in pemdas:
        _grow(pemda, n_opds, n_complaints)
    with django_assert_num_queries(3):  # the rollup cells, the backlog, the OPDs
        m = metrics_for(pemdas=pemdas, period=Period.month(2026, 10), now=NOW)
    assert sum(f.received for f in m.by_pemda.values()) == 2 * n_complaints
    with django_assert_num_queries(12):  # the full scan the rollups are checked against
        scanned = metrics_scan(pemdas=pemdas, period=Period.month(2026, 10), now=NOW)
    assert scanned.by_pemda == m.by_pemda
    with django_assert_num_queries(1):
        trend_for(pemda=pemdas[0], last_month=date(2026, 10, 1))


def test_first_response_and_promises_kept(world):
    """A progress update is the first response (≤ 5 HK), and each planned date is a promise kept
    or broken by the OPD that made it (October 2026: no holiday)."""
    koor, pa = Actor.staff(world.koordinator), Actor.staff(world.petugas[0])
    kept = ComplaintFactory(pemda=world.pemda, now=wita(2026, 10, 5, 9))
    _move(kept, Action.DISPATCH, koor, wita(2026, 10, 5, 10), opd=world.opd)
    _move(
        kept, Action.SCHEDULE, pa, wita(2026, 10, 6, 10), note="Dijadwalkan.", planned_date=date(2026, 10, 9)
    )
    _move(kept, Action.FOLLOW_UP, pa, wita(2026, 10, 9, 15), note="Selesai.")
    broken = ComplaintFactory(pemda=world.pemda, now=wita(2026, 10, 5, 9))
    _move(broken, Action.DISPATCH, koor, wita(2026, 10, 5, 10), opd=world.opd)
    _move(broken, Action.ACKNOWLEDGE, pa, wita(2026, 10, 13, 10), note="Kami tinjau.")  # 6 HK: late
    _move(
        broken,
        Action.SCHEDULE,
        pa,
        wita(2026, 10, 13, 11),
        note="Dijadwalkan.",
        planned_date=date(2026, 10, 14),
    )
    _move(broken, Action.FOLLOW_UP, pa, wita(2026, 10, 20, 9), note="Selesai.")

    a = metrics_for(pemdas=[world.pemda], period=Period.month(2026, 10), now=NOW).by_opd[world.opd.pk]
    assert (a.followed_up_on_time, a.follow_up_total, a.first_response_on_time_pct) == (1, 2, D("50.0"))
    assert a.follow_up_days == [1, 6]
    assert (a.promise_kept, a.promise_total, a.promises_kept_pct) == (1, 2, D("50.0"))
    assert a.breaches == {"follow_up": 1, "promise": 1}
    # time to selesai ditangani, from the dispatch: 5 Oct 10:00 → 9 Oct 15:00, → 20 Oct 09:00
    assert (a.handled_days, a.median_handled_days) == ([4, 10], D("7"))


def test_a_running_periods_backlog_is_the_state_at_now_though_closed_since(world):
    """The backlog of a period still running is read from the complaints open at the time of the
    query plus those closed since ``now`` (aduan.compliance.backlog): a complaint resolved after
    ``now`` is still in the backlog at ``now``, in the rollups' reading and in the full scan."""
    koor, petugas = Actor.staff(world.koordinator), Actor.staff(world.petugas[0])
    complaint = ComplaintFactory(pemda=world.pemda, now=wita(2026, 11, 2, 9))
    _move(complaint, Action.DISPATCH, koor, wita(2026, 11, 3, 9), opd=world.opd)
    _move(complaint, Action.FOLLOW_UP, petugas, wita(2026, 11, 12, 9), note="Sudah diperbaiki.")
    _move(complaint, Action.ACCEPT, Actor.citizen(complaint.tracking_secret), wita(2026, 11, 13, 9))
    period = Period.month(2026, 11)
    for now, expected in ((wita(2026, 11, 10, 9), 1), (wita(2026, 11, 20, 9), 0)):
        ours = metrics_for(pemdas=[world.pemda], period=period, now=now)
        scan = metrics_scan(pemdas=[world.pemda], period=period, now=now)
        assert ours.by_opd[world.opd.pk].backlog_total == expected, now
        assert scan.by_opd[world.opd.pk].backlog_total == expected, now
        assert ours.by_pemda[world.pemda.pk].backlog == scan.by_pemda[world.pemda.pk].backlog
