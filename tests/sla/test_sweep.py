"""The deadline sweep (``deadlines_sweep``): reminders, escalations and the auto-resolution, each
exactly once however often or concurrently it runs (aduan/sla/services.py, README: Deadlines).

The standard complaint: submitted Monday 8 June 2026 09:00 WITA, dispatched the same day 10:00, so
its follow-up clock reminds Fri 12 June 10:00, is due Mon 15 June 10:00 and escalates again Fri
19 June 10:00 (Tue 16 June is a holiday). Its legal-response clock is due 22 June 09:00.
"""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aduan.complaints.models import ActorRole, ComplaintEvent, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import Action, complaint_transition
from aduan.notifications.models import Notification
from aduan.sla import tasks
from aduan.sla.models import Deadline, DeadlineEffect, Stage
from aduan.sla.services import deadlines_sweep
from tests.factories import ComplaintFactory, MembershipFactory, wita

SUBMITTED_AT = wita(2026, 6, 8, 9, 0)
DISPATCHED_AT = wita(2026, 6, 8, 10, 0)
REMIND_AT = wita(2026, 6, 12, 10, 0)
DUE_AT = wita(2026, 6, 15, 10, 0)
AGAIN_AT = wita(2026, 6, 19, 10, 0)
SWEEP_KINDS = ("staff_reminder", "staff_escalation")


def submitted(world, now=SUBMITTED_AT):
    return ComplaintFactory(pemda=world.pemda, now=now)


def dispatched(world):
    complaint = submitted(world)
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.DISPATCH,
        actor=Actor.staff(world.koordinator),
        opd=world.opd,
        now=DISPATCHED_AT,
    )
    return complaint


def follow_up_clock(complaint) -> Deadline:
    return Deadline.objects.get(complaint=complaint, stage=Stage.FOLLOW_UP)


def effects(complaint=None) -> list[tuple[str, str, int]]:
    rows = DeadlineEffect.objects.all()
    if complaint is not None:
        rows = rows.filter(deadline__complaint=complaint)
    return sorted(rows.values_list("deadline__stage", "kind", "level"))


def sweep_mail(kind=None, level=None) -> list[Notification]:
    rows = Notification.objects.filter(kind__in=(kind,) if kind else SWEEP_KINDS)
    if level is not None:
        rows = [n for n in rows if n.context["level"] == level]
    return list(rows)


def recipients(notifications) -> list[int]:
    return sorted(n.recipient_user_id for n in notifications)


# ------------------------------------------------------------------------ reminders, escalation


def test_before_the_reminder_time_the_sweep_does_nothing(world):
    complaint = dispatched(world)
    before = follow_up_clock(complaint).next_check_at

    handled = deadlines_sweep(now=wita(2026, 6, 12, 9, 59, 59))

    assert handled == 0
    assert effects() == []
    assert sweep_mail() == []
    assert follow_up_clock(complaint).next_check_at == before == REMIND_AT


def test_at_the_reminder_time_each_petugas_of_the_opd_is_reminded_once(world):
    complaint = dispatched(world)

    handled = deadlines_sweep(now=REMIND_AT)

    assert handled == 1
    assert effects() == [(Stage.FOLLOW_UP, "reminder", 1)]
    reminders = sweep_mail()
    assert recipients(reminders) == sorted(u.pk for u in world.petugas)
    assert {n.kind for n in reminders} == {"staff_reminder"}
    assert reminders[0].context["due_at"] == "15-06-2026 10:00 WITA"
    assert reminders[0].context["ticket_number"] == complaint.ticket_number
    clock = follow_up_clock(complaint)
    assert clock.breached_at is None
    assert clock.next_check_at == DUE_AT


def test_the_verification_reminder_goes_to_the_koordinator(world):
    complaint = submitted(world)

    handled = deadlines_sweep(now=wita(2026, 6, 10, 9, 0))

    assert handled == 1
    assert effects(complaint) == [(Stage.VERIFICATION, "reminder", 1)]
    assert recipients(sweep_mail()) == [world.koordinator.pk]


def test_at_the_due_time_the_kepala_and_the_koordinator_get_an_escalation(world):
    complaint = dispatched(world)
    deadlines_sweep(now=REMIND_AT)

    handled = deadlines_sweep(now=DUE_AT)

    assert handled == 1
    assert effects() == [(Stage.FOLLOW_UP, "escalation", 1), (Stage.FOLLOW_UP, "reminder", 1)]
    escalations = sweep_mail("staff_escalation")
    assert recipients(escalations) == sorted([world.kepala.pk, world.koordinator.pk])
    assert {n.context["level"] for n in escalations} == {1}
    assert {n.context["breach_opd"] for n in escalations} == {str(world.opd)}
    clock = follow_up_clock(complaint)
    assert clock.breached_at == DUE_AT
    assert clock.opd == world.opd
    assert clock.next_check_at == AGAIN_AT
    assert len(sweep_mail()) == 4  # 2 reminders + 2 escalations


def test_a_late_first_sweep_escalates_without_a_pointless_reminder(world):
    """The sweep did not run before the due time (beat down): the reminder is recorded as done,
    but nobody is reminded of a deadline that has already passed; the escalation speaks."""
    complaint = dispatched(world)

    handled = deadlines_sweep(now=wita(2026, 6, 15, 11, 0))

    assert handled == 1
    assert effects() == [(Stage.FOLLOW_UP, "escalation", 1), (Stage.FOLLOW_UP, "reminder", 1)]
    assert follow_up_clock(complaint).breached_at == DUE_AT
    assert len(sweep_mail("staff_reminder")) == 0
    assert len(sweep_mail("staff_escalation")) == 2


def test_the_second_escalation_comes_at_escalate_again_at_then_nothing_is_pending(world):
    complaint = dispatched(world)
    deadlines_sweep(now=DUE_AT)

    nothing_yet = deadlines_sweep(now=wita(2026, 6, 19, 9, 59))
    handled = deadlines_sweep(now=AGAIN_AT)

    assert (nothing_yet, handled) == (0, 1)
    assert effects() == [
        (Stage.FOLLOW_UP, "escalation", 1),
        (Stage.FOLLOW_UP, "escalation", 2),
        (Stage.FOLLOW_UP, "reminder", 1),
    ]
    assert recipients(sweep_mail("staff_escalation", level=2)) == sorted(
        [world.kepala.pk, world.koordinator.pk]
    )
    clock = follow_up_clock(complaint)
    assert clock.next_check_at is None
    assert clock.is_open  # still waiting for the OPD's answer, but nothing more to do for it
    assert deadlines_sweep(now=wita(2026, 6, 19, 23, 0)) == 0


def test_next_check_at_follows_the_next_pending_effect(world):
    complaint = dispatched(world)
    seen = [follow_up_clock(complaint).next_check_at]

    for now in (REMIND_AT, DUE_AT, AGAIN_AT):
        deadlines_sweep(now=now)
        seen.append(follow_up_clock(complaint).next_check_at)

    assert seen == [REMIND_AT, DUE_AT, AGAIN_AT, None]


def test_a_met_clock_is_not_swept(world):
    complaint = dispatched(world)
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.FOLLOW_UP,
        actor=Actor.staff(world.petugas[0]),
        note="Sudah diperbaiki.",
        now=wita(2026, 6, 11, 9, 0),
    )

    handled = deadlines_sweep(now=AGAIN_AT)

    assert handled == 0
    assert effects() == []


def test_paused_clocks_are_not_swept(world):
    complaint = submitted(world)
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.HOLD,
        actor=Actor.staff(world.koordinator),
        note="Mohon lengkapi lokasi.",
        now=wita(2026, 6, 8, 10, 0),
    )

    handled = deadlines_sweep(now=wita(2026, 6, 30, 9, 0))  # verification and legal clocks long past

    assert handled == 0
    assert effects() == []
    assert sweep_mail() == []
    assert set(Deadline.objects.open().values_list("paused_at", flat=True)) == {wita(2026, 6, 8, 10, 0)}
    assert set(Deadline.objects.values_list("breached_at", flat=True)) == {None}


# ------------------------------------------------------------------------------- auto-resolve


def test_the_reply_window_expiry_resolves_the_complaint_exactly_once(world):
    complaint = dispatched(world)
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.FOLLOW_UP,
        actor=Actor.staff(world.petugas[0]),
        note="Sudah diperbaiki.",
        now=wita(2026, 6, 9, 9, 0),
    )
    expires = wita(2026, 6, 24, 9, 0)  # 10 working days after Tue 9 June 09:00
    assert Deadline.objects.open().get(complaint=complaint, stage=Stage.REPLY_WINDOW).due_at == expires

    early = deadlines_sweep(now=wita(2026, 6, 24, 8, 59))
    handled = deadlines_sweep(now=expires)
    again = [deadlines_sweep(now=expires), deadlines_sweep(now=wita(2026, 7, 30, 9, 0))]

    assert (early, handled) == (1, 1)  # early: the reporter's reminder (2 HK before, 22 June 09:00)
    assert again == [0, 0]
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    assert complaint.closed_at == expires
    auto = ComplaintEvent.objects.filter(complaint=complaint, action=Action.AUTO_RESOLVE)
    assert list(auto.values_list("actor_role", "actor", "from_status", "to_status", "created_at")) == [
        (ActorRole.SYSTEM, None, Status.FOLLOWED_UP, Status.RESOLVED, expires)
    ]
    assert effects() == [(Stage.REPLY_WINDOW, "auto_resolve", 1), (Stage.REPLY_WINDOW, "reminder", 1)]
    reply_window = Deadline.objects.get(complaint=complaint, stage=Stage.REPLY_WINDOW)
    assert (reply_window.met_at, reply_window.breached_at) == (expires, None)
    assert Notification.objects.filter(complaint=complaint, kind="citizen_reply_reminder").count() == 1
    assert Deadline.objects.open().filter(complaint=complaint).count() == 0
    citizen = Notification.objects.filter(complaint=complaint, kind="citizen_update")
    assert [n.context["action"] for n in citizen.order_by("pk")] == [
        "submit",
        "dispatch",
        "follow_up",
        "auto_resolve",
    ]
    assert sweep_mail() == []  # the reply window reminds and escalates nobody


def test_a_late_auto_resolution_charges_no_breach_to_the_opd(world):
    """The sweep runs a few minutes after the reply window closed: the window is the reporter's
    time, so it is met, never breached, and nothing is charged to the OPD."""
    complaint = dispatched(world)
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.FOLLOW_UP,
        actor=Actor.staff(world.petugas[0]),
        note="Sudah diperbaiki.",
        now=wita(2026, 6, 9, 9, 0),
    )
    late = wita(2026, 6, 24, 9, 7)

    assert deadlines_sweep(now=late) == 1

    reply_window = Deadline.objects.get(complaint=complaint, stage=Stage.REPLY_WINDOW)
    assert (reply_window.met_at, reply_window.breached_at) == (late, None)
    assert Deadline.objects.filter(complaint=complaint, breached_at__isnull=False).count() == 0


def test_a_resolution_breach_is_charged_to_the_opd_holding_the_complaint_at_its_due_time(world):
    complaint = dispatched(world)  # resolution clock: submitted 8 June, due 7 August 09:00 WITA
    resolution = Deadline.objects.get(complaint=complaint, stage=Stage.RESOLUTION)
    assert (resolution.opd_id, resolution.due_at) == (None, wita(2026, 8, 7, 9, 0))

    deadlines_sweep(now=wita(2026, 8, 7, 9, 1))

    resolution.refresh_from_db()
    assert resolution.breached_at == wita(2026, 8, 7, 9, 0)
    assert resolution.opd_id == world.opd.pk


def test_a_reply_before_the_sweep_prevents_the_auto_resolution(world):
    complaint = dispatched(world)
    citizen = Actor.citizen(complaint.tracking_secret)
    complaint_transition(
        complaint_id=complaint.pk, action=Action.FOLLOW_UP, actor=Actor.staff(world.petugas[0]),
        note="Sudah diperbaiki.", now=wita(2026, 6, 9, 9, 0),
    )  # fmt: skip
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.REPLY,
        actor=citizen,
        note="Belum.",
        now=wita(2026, 6, 23, 9, 0),
    )

    deadlines_sweep(now=wita(2026, 6, 24, 9, 0))

    complaint.refresh_from_db()
    assert complaint.status == Status.DISPATCHED
    assert not ComplaintEvent.objects.filter(action=Action.AUTO_RESOLVE).exists()
    assert DeadlineEffect.objects.filter(kind="auto_resolve").count() == 0


# ------------------------------------------------------------------------------- idempotence


def test_repeated_and_later_sweeps_never_repeat_an_effect_or_a_notification(world):
    complaint = dispatched(world)

    for now in (REMIND_AT, REMIND_AT, DUE_AT, DUE_AT, AGAIN_AT, AGAIN_AT, wita(2026, 6, 19, 12, 0)):
        deadlines_sweep(now=now)

    assert effects(complaint) == [
        (Stage.FOLLOW_UP, "escalation", 1),
        (Stage.FOLLOW_UP, "escalation", 2),
        (Stage.FOLLOW_UP, "reminder", 1),
    ]
    assert DeadlineEffect.objects.count() == 3
    assert len(sweep_mail()) == 6
    assert Notification.objects.filter(key__startswith="dl").count() == 6


def test_a_clock_whose_next_check_was_lost_does_not_act_twice(world):
    """As after a crash between recording the effects and moving ``next_check_at`` on."""
    complaint = dispatched(world)
    deadlines_sweep(now=AGAIN_AT)
    assert DeadlineEffect.objects.count() == 3
    Deadline.objects.filter(pk=follow_up_clock(complaint).pk).update(next_check_at=REMIND_AT)

    handled = deadlines_sweep(now=wita(2026, 6, 19, 12, 0))

    assert handled == 1
    assert DeadlineEffect.objects.count() == 3
    assert len(sweep_mail()) == 4  # two escalations of level 1 and two of level 2; no late reminder
    assert follow_up_clock(complaint).next_check_at is None


def test_batch_size_caps_the_work_per_call(world):
    complaints = [submitted(world) for _ in range(25)]
    now = wita(2026, 6, 10, 9, 0)  # every verification reminder is due

    handled = [deadlines_sweep(now=now, batch_size=10) for _ in range(4)]

    assert handled == [10, 10, 5, 0]
    assert DeadlineEffect.objects.filter(kind="reminder").count() == 25
    assert sorted(DeadlineEffect.objects.values_list("deadline__complaint", flat=True)) == sorted(
        c.pk for c in complaints
    )
    assert len(sweep_mail("staff_reminder")) == 25  # one koordinator


def test_the_celery_task_sweeps_with_the_current_time(world):
    """The task uses timezone.now(); every clock of June 2026 has run out by then."""
    complaint = dispatched(world)

    handled = tasks.sweep.apply().get()

    assert handled == 3  # follow-up, legal response and resolution
    assert effects(complaint) == [
        (Stage.FOLLOW_UP, "escalation", 1),
        (Stage.FOLLOW_UP, "escalation", 2),
        (Stage.FOLLOW_UP, "reminder", 1),
        (Stage.LEGAL_RESPONSE, "escalation", 1),
        (Stage.RESOLUTION, "escalation", 1),
        (Stage.RESOLUTION, "escalation", 2),
    ]
    assert tasks.sweep.apply().get() == 0


def test_a_lost_database_connection_fails_the_sweep_instead_of_each_clock(world, monkeypatch, caplog):
    """One bad clock is logged and skipped, but a dead connection is not a bad clock: the sweep
    raises (the Celery task retries it with backoff) without one error log per clock, and nothing
    is recorded."""
    from django.db import OperationalError

    from aduan.sla import services

    complaint = dispatched(world)
    calls = []

    def connection_gone(part, now):
        calls.append(part)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "_sweep_chunk", connection_gone)
    with pytest.raises(OperationalError):
        deadlines_sweep(now=wita(2026, 9, 1, 9, 0))  # every clock of June has run out

    assert len(calls) == 1  # not retried clock by clock
    assert not [r for r in caplog.records if "sweep failed" in r.getMessage()]
    assert effects(complaint) == []


# ------------------------------------------------------------------------------ query count


def _queries_for_one_batch(world, n: int) -> int:
    for _ in range(n):
        submitted(world)
    with CaptureQueriesContext(connection) as ctx:
        assert deadlines_sweep(now=wita(2026, 6, 10, 9, 0)) == n
    return len(ctx.captured_queries)


@pytest.mark.parametrize("n", [1, 5, 20])
def test_queries_per_sweep_chunk_do_not_grow_with_its_clocks(world, n):
    """Verification reminders, two koordinators as recipients each: 1 query (the candidates'
    SELECT) plus, per chunk of up to SWEEP_CHUNK clocks, its transaction (savepoint + release here,
    2), lock the complaints (1), lock and read the clocks (1), read their effects (1), insert the
    effects (1), save next_check_at (1), look up the recipients once per Pemda/OPD (1), insert the
    outbox rows (1): 10 whatever the number of clocks in the chunk. (The Pemda's holiday overrides,
    for the due dates the messages show, are kept per process: read when the complaints were filed.)"""
    MembershipFactory(role="koordinator", pemda=world.pemda)  # two recipients per reminder

    queries = _queries_for_one_batch(world, n)

    assert queries == 10
    assert Notification.objects.filter(kind="staff_reminder").count() == 2 * n


def test_a_sweep_of_several_chunks_costs_a_constant_per_chunk(world, monkeypatch):
    from aduan.sla import services

    monkeypatch.setattr(services, "SWEEP_CHUNK", 4)
    MembershipFactory(role="koordinator", pemda=world.pemda)

    assert _queries_for_one_batch(world, 10) == 1 + 3 * 9  # chunks of 4, 4 and 2


# ------------------------------------------------------------------------------ concurrency


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_do_every_effect_and_send_every_notification_once(world):
    complaints = [submitted(world) for _ in range(60)]
    now = wita(2026, 6, 11, 9, 0)  # each verification clock: reminder and escalation due
    barrier = threading.Barrier(2)
    handled, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            while count := deadlines_sweep(now=now, batch_size=10):  # small batches: both take part
                handled.append((threading.current_thread().name, count))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, name=f"sweep-{i}") for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert sum(count for _, count in handled) == 60
    assert max(count for _, count in handled) <= 10  # batch_size caps each call
    assert DeadlineEffect.objects.count() == 120
    assert DeadlineEffect.objects.filter(kind="reminder", level=1).count() == 60
    assert DeadlineEffect.objects.filter(kind="escalation", level=1).count() == 60
    # The reminder comes too late to be sent (the clock is already due): only the escalations,
    # one to the koordinator per clock, are sent.
    notifications = Notification.objects.filter(kind__in=SWEEP_KINDS)
    assert notifications.count() == 60
    assert notifications.values("key").distinct().count() == 60
    assert set(notifications.values_list("state", flat=True)) == {"sent"}
    sweep_keys = [m.extra_headers["X-Aduan-Notification"] for m in mail.outbox]
    sweep_keys = [k for k in sweep_keys if k.startswith("dl")]
    assert len(sweep_keys) == len(set(sweep_keys)) == 60
    assert Deadline.objects.filter(stage=Stage.VERIFICATION, breached_at__isnull=False).count() == 60
    assert {c.pk for c in complaints} == set(
        DeadlineEffect.objects.values_list("deadline__complaint", flat=True).distinct()
    )
