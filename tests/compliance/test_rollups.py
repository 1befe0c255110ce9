"""The compliance rollups (aduan.sla.rollups) give exactly the figures of a full scan
(``metrics_scan``/``trend_scan``) for many periods, after re-dispatches (also back to an OPD that
had the complaint), re-opens with a resolution by another OPD (the rating moves to it), holds
(clocks paused and resumed), promises kept and broken, first responses, breaches marked by the
sweep and at a late meeting, "+1"s and merges; a rebuild gives the same cells; the check finds a
corrupted cell and the rebuild repairs it."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from aduan.complaints.selectors import Actor
from aduan.complaints.services import complaint_merge, complaint_rate, complaint_skm_submit, complaint_support
from aduan.complaints.workflow import Action, complaint_transition
from aduan.compliance.channels import channel_figures
from aduan.compliance.metrics import Period, metrics_for
from aduan.compliance.metrics_scan import metrics_scan
from aduan.compliance.rollup_check import rollups_check, rollups_rebuild
from aduan.sla.models import MetricRollup
from aduan.sla.rollups import LONGEST_FIRST as SPANS
from aduan.sla.services import deadlines_sweep
from tests.factories import CategoryFactory, ComplaintFactory, wita

NOW = wita(2026, 11, 20, 12, 0)
PERIODS = [
    Period.month(2026, 9),
    Period.month(2026, 10),
    Period.month(2026, 11),
    Period.quarter(2026, 4),
    Period.year(2026),
    Period.read("2026-10-07..2026-10-20"),
    Period.read("2026-10-09..2026-11-03"),
    Period.read("2026-10-21..2026-10-21"),
    Period.read("2026-10-12..2026-11-30"),
]


def _move(complaint, action, actor, at, **extra):
    complaint_transition(complaint_id=complaint.pk, action=action, actor=actor, now=at, **extra)


def _sweep(at):
    while deadlines_sweep(now=at, batch_size=500):
        pass


@pytest.fixture
def story(world):
    w = world
    koor = Actor.staff(w.koordinator)
    a, b = w.opd, w.other_opd
    pa, pb = Actor.staff(w.petugas[0]), Actor.staff(w.other_petugas)

    # c1: first response, a promise broken (the sweep marks it), selesai ditangani, resolved by A,
    # rated; re-opened, re-dispatched to B, resolved again by B: the rating now counts for B.
    roads = CategoryFactory(pemda=w.pemda)  # c1 and c2 carry it: the forecast's category cells
    c1 = ComplaintFactory(pemda=w.pemda, category=roads, now=wita(2026, 10, 5, 9))
    citizen1 = Actor.citizen(c1.tracking_secret)
    _move(c1, Action.DISPATCH, koor, wita(2026, 10, 6, 9), opd=a)
    _move(c1, Action.ACKNOWLEDGE, pa, wita(2026, 10, 7, 9), note="Kami tinjau.")
    _move(c1, Action.SCHEDULE, pa, wita(2026, 10, 7, 10), note="Dijadwalkan.", planned_date=date(2026, 10, 9))
    _sweep(wita(2026, 10, 13, 8))
    _move(c1, Action.FOLLOW_UP, pa, wita(2026, 10, 14, 9), note="Sudah diperbaiki.")
    _move(c1, Action.ACCEPT, citizen1, wita(2026, 10, 15, 9))
    complaint_rate(complaint_id=c1.pk, actor=citizen1, score=2, now=wita(2026, 10, 15, 10))
    complaint_skm_submit(
        complaint_id=c1.pk,
        actor=citizen1,
        answers={f"u{i}": 1 + i % 4 for i in range(1, 10)},
        now=wita(2026, 10, 15, 11),
    )
    _move(c1, Action.REOPEN, citizen1, wita(2026, 10, 20, 9), note="Belum beres.")
    _move(c1, Action.REDISPATCH, koor, wita(2026, 10, 21, 9), opd=b)
    _move(c1, Action.FOLLOW_UP, pb, wita(2026, 10, 22, 9), note="Sudah ditangani.")
    _move(c1, Action.ACCEPT, citizen1, wita(2026, 10, 23, 9))

    # c2: on hold (clocks paused) and completed, dispatched to A, whose follow-up runs out (sweep);
    # re-dispatched to B and back to A: A received it twice, a distinct complaint once a period.
    c2 = ComplaintFactory(pemda=w.pemda, category=roads, now=wita(2026, 10, 1, 9))
    _move(c2, Action.HOLD, koor, wita(2026, 10, 2, 9), note="Mohon lengkapi lokasi.")
    _move(c2, Action.COMPLETE, Actor.citizen(c2.tracking_secret), wita(2026, 10, 9, 9), note="Di Jl. Mawar.")
    _move(c2, Action.DISPATCH, koor, wita(2026, 10, 9, 10), opd=a)
    _sweep(wita(2026, 10, 20, 8))
    _move(c2, Action.REDISPATCH, koor, wita(2026, 10, 21, 9), opd=b)
    _move(c2, Action.REDISPATCH, koor, wita(2026, 11, 3, 9), opd=a)

    # c3: a September complaint whose follow-up clock B lets run out and then meets (late).
    c3 = ComplaintFactory(pemda=w.pemda, now=wita(2026, 9, 28, 9))
    _move(c3, Action.DISPATCH, koor, wita(2026, 9, 29, 9), opd=b)
    _sweep(wita(2026, 10, 8, 8))
    _move(c3, Action.START_WORK, pb, wita(2026, 10, 9, 9), note="Sedang dikerjakan.")

    # c4: "+1"s while with nobody, then dispatched to B (its submission and supporters move to B);
    # c5 merged into it (supporters and reporter move); c6 archived at verification.
    c4 = ComplaintFactory(pemda=w.pemda, now=wita(2026, 10, 12, 9))
    for key in ("x1", "x2"):
        complaint_support(complaint_id=c4.pk, supporter_key=key, now=wita(2026, 10, 13, 9))
    c5 = ComplaintFactory(pemda=w.pemda, now=wita(2026, 10, 12, 10))
    complaint_support(complaint_id=c5.pk, supporter_key="x3", now=wita(2026, 10, 13, 9))
    complaint_merge(duplicate_id=c5.pk, original_id=c4.pk, actor=koor, now=wita(2026, 10, 13, 10))
    _move(c4, Action.DISPATCH, koor, wita(2026, 10, 14, 9), opd=b)
    c6 = ComplaintFactory(pemda=w.pemda, now=wita(2026, 10, 16, 9))
    _move(c6, Action.ARCHIVE, koor, wita(2026, 10, 16, 10), reason="unintelligible")
    _sweep(NOW)
    return w


def test_rollups_equal_a_full_scan_for_every_period(story):
    assert rollups_check(pemdas=[story.pemda], periods=PERIODS, now=NOW) == []


def test_the_story_exercises_what_is_not_additive(story):
    """Guards that the equality above means something: the figures that need care are there."""
    a, b = story.opd.pk, story.other_opd.pk
    october = metrics_for(pemdas=[story.pemda], period=Period.month(2026, 10), now=NOW)
    q4 = metrics_for(pemdas=[story.pemda], period=Period.quarter(2026, 4), now=NOW)
    assert q4.by_opd[a].received_by_opd == 2  # c1 and c2 (c2 twice, counted once)
    assert MetricRollup.objects.filter(metric="hop_recv_dup", opd_id=a, n=1).exists()
    assert october.by_opd[a].rating_count == october.by_opd[a].skm_count == 0  # moved to B
    assert october.by_opd[b].rating_count == 1
    assert october.by_opd[b].rating_sum == 2
    assert october.by_opd[b].supporters == 4  # c4: two "+1"s, c5's one and its reporter
    assert october.by_opd[a].breaches.get("promise") == 1
    assert october.by_opd[a].promise_total == 1
    assert october.by_opd[b].follow_up_total >= 2
    assert october.by_opd[b].breaches.get("follow_up", 0) >= 1
    assert october.by_opd[a].reopened == 1
    custom = metrics_for(pemdas=[story.pemda], period=Period.read("2026-10-09..2026-11-03"), now=NOW)
    assert custom.by_opd[b].received_by_opd == 3  # c1, c2, c4 (c3 came in September)


def test_channel_figures_and_trend_come_from_the_rollups(story, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = channel_figures(pemda=story.pemda, period=Period.month(2026, 10))
    pemda = metrics_scan(pemdas=[story.pemda], period=Period.month(2026, 10), now=NOW).by_pemda[
        story.pemda.pk
    ]
    assert sum(r.received for r in rows) == pemda.submitted
    assert sum(r.verified_total for r in rows) == pemda.verified_total
    assert sum(r.follow_up_total for r in rows) == pemda.follow_up_total
    assert sum(r.followed_up_on_time for r in rows) == pemda.followed_up_on_time


def _cells():
    return {
        (c.pemda_id, c.opd_id, c.day, c.metric, c.label, c.value): c.n
        for c in MetricRollup.objects.exclude(n=0)
    }


def test_a_rebuild_gives_the_cells_the_moves_wrote(story):
    written = _cells()
    assert written
    # the moves and the sweep also wrote the forecast's category cells, by month only
    assert {k[3] for k in written} >= {"resolved_cat", "follow_up_days_cat", "follow_up_br_cat"}
    assert set(MetricRollup.objects.filter(metric__endswith="_cat").values_list("span", flat=True)) == {
        MetricRollup.CATEGORY_MONTH
    }
    rollups_rebuild([story.pemda])
    assert _cells() == written


def test_the_check_finds_a_wrong_cell_and_the_rebuild_repairs_it(story, capsys):
    call_command("metrics_rebuild", "--check", "--period", "2026-10", "--period", "2026")
    cell = MetricRollup.objects.filter(metric="hop_recv", span=MetricRollup.MONTH, n__gt=0).first()
    MetricRollup.objects.filter(pk=cell.pk).update(n=cell.n + 1)
    with pytest.raises(CommandError):
        call_command("metrics_rebuild", "--check", "--period", "2026-10")
    assert "received_by_opd" in capsys.readouterr().err
    call_command("metrics_rebuild", "--pemda", story.pemda.code)
    call_command("metrics_rebuild", "--check", "--period", "2026-10")
    assert "cocok" in capsys.readouterr().out


def test_the_check_finds_wrong_category_cells_no_dashboard_reads(story):
    """The forecast's category cells are checked cell by cell against the complaints (the
    dashboards' comparison never sees them); the check itself changes nothing."""
    assert rollups_check(pemdas=[story.pemda], periods=[Period.month(2026, 10)], now=NOW) == []
    category_cell = MetricRollup.objects.filter(
        pemda_id=story.pemda.pk, span=MetricRollup.CATEGORY_MONTH, metric="follow_up_days_cat"
    ).first()
    MetricRollup.objects.filter(pk=category_cell.pk).update(n=category_cell.n + 2)
    far = MetricRollup.objects.create(  # a category cell of a month with no complaint
        pemda_id=story.pemda.pk,
        span=MetricRollup.CATEGORY_MONTH,
        day=date(2019, 1, 1),
        metric="resolved_cat",
        n=3,
    )
    before = _cells()
    problems = rollups_check(pemdas=[story.pemda], periods=[Period.month(2026, 10)], now=NOW)
    assert len(problems) == 2, problems
    assert any(
        "follow_up_days_cat" in line and f"rollups {category_cell.n + 2} ≠ scan {category_cell.n}" in line
        for line in problems
    )
    assert any("2019-01-01" in line and "rollups 3 ≠ scan 0" in line for line in problems)
    assert _cells() == before
    rollups_rebuild([story.pemda])
    assert not MetricRollup.objects.filter(pk=far.pk).exists()
    assert rollups_check(pemdas=[story.pemda], periods=[Period.month(2026, 10)], now=NOW) == []


def test_the_check_lists_at_most_twenty_cells_then_counts_the_rest(story):
    from aduan.compliance.rollup_check import CELLS_SHOWN, cells_check

    MetricRollup.objects.bulk_create(
        MetricRollup(
            pemda_id=story.pemda.pk,
            span=MetricRollup.CATEGORY_MONTH,
            day=date(2000 + i, 1, 1),
            metric="resolved_cat",
            n=1,
        )
        for i in range(CELLS_SHOWN + 5)
    )
    problems = cells_check(story.pemda)
    assert len(problems) == CELLS_SHOWN + 1
    assert problems[-1].endswith("5 more cells differ")


def test_rebuild_refuses_an_unknown_pemda_and_a_bad_period(story):
    before = _cells()
    with pytest.raises(CommandError):
        call_command("metrics_rebuild", "--pemda", "NOPE")
    with pytest.raises(CommandError):
        call_command("metrics_rebuild", "--check", "--period", "2026-13")
    assert _cells() == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_lose_a_count(default_policies):
    """Two real PostgreSQL connections add "+1"s to two complaints whose submissions share one cell
    (same Pemda, no OPD, day, channel), each "+1" in its own transaction, released together."""
    import threading

    from django.db import connection

    from tests.factories import PemdaFactory

    pemda = PemdaFactory()
    complaints = [ComplaintFactory(pemda=pemda, now=wita(2026, 10, 5, 9 + i)) for i in range(2)]
    per_thread = 15  # 30 in all
    barrier = threading.Barrier(2)
    errors = []

    def supporters(complaint):
        try:
            barrier.wait()
            for k in range(per_thread):
                complaint_support(complaint_id=complaint.pk, supporter_key=f"k{k}", now=wita(2026, 10, 6, 9))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=supporters, args=(c,)) for c in complaints]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    cells = MetricRollup.objects.filter(pemda_id=pemda.pk, metric="sup")
    assert sorted(cells.values_list("span", "n")) == [(span, 30) for span in sorted(SPANS)]
    assert rollups_check(pemdas=[pemda], periods=[Period.month(2026, 10)], now=NOW) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_upserts_of_the_same_cells_add_up():
    """The writer itself, from two connections at once, on the same cells in both orders."""
    import threading
    from collections import Counter

    from django.db import connection, transaction

    from aduan.sla.rollups import rollup_apply

    day = date(2026, 10, 5)
    keys = [(1, 0, day, "sub", "web", 0), (1, 2, day, "hop_recv", "", 0)]
    barrier = threading.Barrier(2)
    errors = []

    def write(order):
        try:
            barrier.wait()
            for _ in range(40):
                with transaction.atomic():
                    rollup_apply(Counter({k: 1 for k in order}))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(o,)) for o in (keys, keys[::-1])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(MetricRollup.objects.values_list("metric", "span", "n")) == [
        (metric, span, 80) for metric in ("hop_recv", "sub") for span in sorted(SPANS)
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_cell_check_reads_complaints_and_cells_in_one_snapshot(default_policies, monkeypatch):
    """Outside a transaction (the nightly task) the check opens its own at REPEATABLE READ, so a
    move committed between reading the complaints and reading the cells is not a difference."""
    from django.db import connection

    from aduan.compliance import rollup_check
    from tests.factories import ComplaintFactory, PemdaFactory

    pemda = PemdaFactory()
    ComplaintFactory(pemda=pemda, category=CategoryFactory(pemda=pemda))
    seen = []
    read = rollup_check._pemda_facts

    def reading(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SHOW transaction_isolation")
            seen.append(cursor.fetchone()[0])
        return read(*args, **kwargs)

    monkeypatch.setattr(rollup_check, "_pemda_facts", reading)
    assert rollup_check.cells_check(pemda) == []
    assert seen == ["repeatable read"]
