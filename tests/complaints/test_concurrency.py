"""Races on real PostgreSQL: two moves on one complaint, and many submissions at once.

Each worker runs in its own thread with its own database connection (closed when it ends) and all
of them are released together by a Barrier. ``complaint_transition`` locks the complaint row, so the
loser of a race waits for the winner to commit, then sees the new status and is refused.
"""

import threading
import time
from datetime import datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone

from aduan.complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintHop,
    ReporterIdentity,
    Status,
    TicketCounter,
)
from aduan.complaints.selectors import Actor
from aduan.complaints.services import ReporterData, complaint_submit
from aduan.complaints.workflow import Action, TransitionNotAllowed, complaint_transition
from tests.factories import MembershipFactory, OpdFactory, PemdaFactory, complaint_in_status

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

JOIN_TIMEOUT = 30


def run_together(*workers):
    """Run each zero-argument callable in its own thread, all released at the same moment by a
    Barrier. Returns one ("ok", value) or ("error", exception) per worker, in order."""
    barrier = threading.Barrier(len(workers))
    results: list = [None] * len(workers)

    def body(i, work):
        try:
            barrier.wait(timeout=JOIN_TIMEOUT)
            results[i] = ("ok", work())
        except BaseException as exc:
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a worker hung (deadlock?)"
    return results


def one_winner(results):
    """Exactly one worker succeeded and every other one was refused with TransitionNotAllowed."""
    oks = [i for i, (kind, _) in enumerate(results) if kind == "ok"]
    errors = [value for kind, value in results if kind == "error"]
    assert len(oks) == 1, results
    assert len(errors) == len(results) - 1
    for exc in errors:
        assert isinstance(exc, TransitionNotAllowed), repr(exc)
    return oks[0]


# -- two moves on one complaint ------------------------------------------------------------------


def test_two_koordinators_dispatch_same_complaint_one_wins_every_round():
    pemda = PemdaFactory()
    opd_a, opd_b = OpdFactory(pemda=pemda), OpdFactory(pemda=pemda)
    koor_1 = MembershipFactory(role="koordinator", pemda=pemda).user
    koor_2 = MembershipFactory(role="koordinator", pemda=pemda).user

    for round_no in range(10):
        complaint = complaint_in_status(Status.SUBMITTED, pemda=pemda, koordinator=koor_1)

        def dispatch(user, opd, pk=complaint.pk):
            return complaint_transition(
                complaint_id=pk, action=Action.DISPATCH, actor=Actor.staff(user), opd=opd
            )

        results = run_together(lambda: dispatch(koor_1, opd_a), lambda: dispatch(koor_2, opd_b))
        winner = one_winner(results)
        winner_opd, winner_user = [(opd_a, koor_1), (opd_b, koor_2)][winner]
        loser_exc = results[1 - winner][1]
        assert loser_exc.params == {"status": Status.DISPATCHED, "action": Action.DISPATCH}

        complaint.refresh_from_db()
        assert complaint.status == Status.DISPATCHED, round_no
        assert complaint.current_opd_id == winner_opd.pk
        events = list(ComplaintEvent.objects.filter(complaint=complaint).order_by("pk"))
        assert [(e.action, e.from_status, e.to_status) for e in events] == [
            (Action.SUBMIT, "", Status.SUBMITTED),
            (Action.DISPATCH, Status.SUBMITTED, Status.DISPATCHED),
        ]
        assert events[1].actor_id == winner_user.pk
        assert events[1].opd_id == winner_opd.pk
        hops = list(ComplaintHop.objects.filter(complaint=complaint))
        assert [(h.opd_id, h.ended_at, h.started_by_id) for h in hops] == [
            (winner_opd.pk, None, events[1].pk)
        ]


def test_loser_waits_for_the_row_lock_then_sees_the_new_status():
    """The first koordinator holds the row lock for 0.2 s before dispatching; the second blocks on
    the lock for that long and is then refused, leaving no trace."""
    pemda = PemdaFactory()
    opd_a, opd_b = OpdFactory(pemda=pemda), OpdFactory(pemda=pemda)
    koor_1 = MembershipFactory(role="koordinator", pemda=pemda).user
    koor_2 = MembershipFactory(role="koordinator", pemda=pemda).user
    complaint = complaint_in_status(Status.SUBMITTED, pemda=pemda, koordinator=koor_1)
    locked = threading.Event()
    waited: dict[str, float] = {}

    def slow_winner():
        with transaction.atomic():
            Complaint.objects.select_for_update().get(pk=complaint.pk)
            locked.set()
            time.sleep(0.2)
            return complaint_transition(
                complaint_id=complaint.pk, action=Action.DISPATCH, actor=Actor.staff(koor_1), opd=opd_a
            )

    def blocked_loser():
        assert locked.wait(JOIN_TIMEOUT)
        started = time.monotonic()
        try:
            return complaint_transition(
                complaint_id=complaint.pk, action=Action.DISPATCH, actor=Actor.staff(koor_2), opd=opd_b
            )
        finally:
            waited["seconds"] = time.monotonic() - started

    results = run_together(slow_winner, blocked_loser)
    assert one_winner(results) == 0
    assert waited["seconds"] >= 0.1  # it really waited on the lock rather than reading stale data

    complaint.refresh_from_db()
    assert complaint.status == Status.DISPATCHED
    assert complaint.current_opd_id == opd_a.pk
    assert list(complaint.events.order_by("pk").values_list("action", "actor_id")) == [
        (Action.SUBMIT, None),
        (Action.DISPATCH, koor_1.pk),
    ]
    assert list(complaint.hops.values_list("opd_id", flat=True)) == [opd_a.pk]


def test_citizen_accept_races_system_auto_resolve_one_wins_every_round():
    pemda = PemdaFactory()
    opd = OpdFactory(pemda=pemda)
    koor = MembershipFactory(role="koordinator", pemda=pemda).user
    t_accept = timezone.make_aware(datetime(2026, 3, 2, 10, 0, 0))
    t_auto = timezone.make_aware(datetime(2026, 3, 2, 10, 0, 5))

    for round_no in range(10):
        complaint = complaint_in_status(Status.FOLLOWED_UP, pemda=pemda, opd=opd, koordinator=koor)
        events_before = complaint.events.count()
        assert events_before == 3  # submit, dispatch, follow_up

        def move(action, actor, now, pk=complaint.pk):
            return complaint_transition(complaint_id=pk, action=action, actor=actor, now=now)

        citizen = Actor.citizen(complaint.tracking_secret)
        results = run_together(
            lambda citizen=citizen: move(Action.ACCEPT, citizen, t_accept),
            lambda: move(Action.AUTO_RESOLVE, Actor.system(), t_auto),
        )
        winner = one_winner(results)
        action, role, now = [(Action.ACCEPT, "citizen", t_accept), (Action.AUTO_RESOLVE, "system", t_auto)][
            winner
        ]

        complaint.refresh_from_db()
        assert complaint.status == Status.RESOLVED, round_no
        assert complaint.closed_at == now
        assert complaint.status_changed_at == now
        events = list(complaint.events.order_by("pk"))
        assert len(events) == events_before + 1
        assert (events[-1].action, events[-1].actor_role, events[-1].from_status, events[-1].to_status) == (
            action,
            role,
            Status.FOLLOWED_UP,
            Status.RESOLVED,
        )
        hops = list(complaint.hops.all())
        assert [(h.opd_id, h.ended_at, h.ended_by_id) for h in hops] == [(opd.pk, now, events[-1].pk)]


# -- many submissions at once --------------------------------------------------------------------


def _submit(pemda, n, now):
    return complaint_submit(
        pemda=pemda,
        title=f"Lampu jalan mati {n}",
        chronology="Lampu penerangan jalan di gang kami mati sejak seminggu.",
        reporter=ReporterData(name=f"Pelapor {n}", email=f"pelapor{n}@example.id"),
        now=now,
    )


def _assert_sequence(pemda, complaints, year, count):
    tickets = sorted(c.ticket_number for c in complaints)
    assert tickets == [f"{pemda.code}-{year}-{i:06d}" for i in range(1, count + 1)]
    assert Complaint.objects.filter(pemda=pemda).count() == count
    assert ReporterIdentity.objects.filter(complaint__pemda=pemda).count() == count
    assert ComplaintEvent.objects.filter(complaint__pemda=pemda, action=Action.SUBMIT).count() == count
    assert ComplaintEvent.objects.filter(complaint__pemda=pemda).count() == count
    assert sorted(Complaint.objects.filter(pemda=pemda).values_list("ticket_number", flat=True)) == tickets
    assert list(TicketCounter.objects.filter(pemda=pemda).values_list("year", "last_number")) == [
        (year, count)
    ]


def test_twenty_parallel_submissions_get_numbers_1_to_20():
    pemda = PemdaFactory()  # no TicketCounter row yet: the workers also race to create it
    now = timezone.make_aware(datetime(2026, 5, 20, 9, 0, 0))
    assert not TicketCounter.objects.exists()

    results = run_together(*[lambda n=n: _submit(pemda, n, now) for n in range(20)])

    errors = [value for kind, value in results if kind == "error"]
    assert errors == []
    complaints = [value for _, value in results]
    assert len({c.pk for c in complaints}) == 20
    _assert_sequence(pemda, complaints, 2026, 20)


def test_parallel_submissions_to_two_pemdas_keep_separate_sequences():
    pemda_1, pemda_2 = PemdaFactory(), PemdaFactory()
    now = timezone.make_aware(datetime(2026, 5, 20, 9, 0, 0))

    workers = [lambda n=n, p=p: _submit(p, n, now) for n in range(10) for p in (pemda_1, pemda_2)]
    results = run_together(*workers)

    errors = [value for kind, value in results if kind == "error"]
    assert errors == []
    complaints = [value for _, value in results]
    _assert_sequence(pemda_1, [c for c in complaints if c.pemda_id == pemda_1.pk], 2026, 10)
    _assert_sequence(pemda_2, [c for c in complaints if c.pemda_id == pemda_2.pk], 2026, 10)
