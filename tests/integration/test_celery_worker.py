"""The deadline sweep and the notification outbox driven by a REAL Celery worker process
(prefork, one child) on REAL Redis and REAL PostgreSQL: reminders and escalations happen once,
a worker killed mid-send neither loses nor doubles the message, and a mail server that is down
for a while only delays it. The worker and its test e-mail backends are set up in conftest.py
and mail_backends.py; data is committed (transactional tests) so the worker sees it.
"""

import os
import re
import signal
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from aduan.complaints.models import Complaint, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import Action, complaint_transition
from aduan.notifications.models import Notification
from aduan.notifications.services import local_str
from aduan.notifications.tasks import notification_send, outbox_flush
from aduan.sla.calendar import add_working_days
from aduan.sla.models import Deadline, DeadlineEffect, SlaPolicy
from aduan.sla.services import calendar_for
from aduan.sla.tasks import sweep
from tests.factories import ComplaintFactory, MembershipFactory, OpdFactory

from .conftest import wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

SEND_TIMEOUT = 30
CITIZEN = "budi@example.id"  # ComplaintFactory's reporter


def _overdue_dispatch_moment(pemda, now):
    """A dispatch moment whose follow-up clock (5 working days, reminder 1 day before, second
    escalation 3 working days after) is past its reminder and its due time, but not yet at its
    second escalation, and whose 14-day legal-response clock still runs — so the sweep owes
    exactly one reminder and one escalation, whatever holidays the calendar holds."""
    policy = SlaPolicy.objects.get(stage="follow_up", classification="", category=None)
    margin = timedelta(minutes=10)
    for hours_back in range(6 * 24, 13 * 24, 6):
        start = now - timedelta(hours=hours_back)
        cal = calendar_for(pemda, around=start)
        due = add_working_days(start, policy.amount, cal)
        again = add_working_days(due, policy.escalate_again_after, cal)
        if due < now - margin and again > now + margin:
            return start
    raise AssertionError("no suitable dispatch moment in the last 13 days")


def _lockable(pk: int) -> bool:
    """True once nobody holds the row lock of notification ``pk``."""
    with transaction.atomic():
        return Notification.objects.select_for_update(skip_locked=True).filter(pk=pk).exists()


def _logged_results(worker, task_name: str) -> list[str]:
    return re.findall(rf"Task {re.escape(task_name)}\[[^\]]+\] succeeded in [\d.e-]+s: (.*)", worker.output)


def test_overdue_follow_up_gets_one_reminder_and_one_escalation_from_the_real_worker(
    harness, pemda, opd, petugas, kepala, koordinator
):
    petugas_2 = MembershipFactory(role="petugas_opd", opd=opd).user
    MembershipFactory(role="petugas_opd", opd=OpdFactory(pemda=pemda))  # another OPD: hears nothing
    now = timezone.now()
    start = _overdue_dispatch_moment(pemda, now)
    # Set up while still eager: the submit and dispatch messages are delivered in this process.
    complaint = ComplaintFactory(pemda=pemda, now=start)
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.DISPATCH,
        actor=Actor.staff(koordinator),
        opd=opd,
        now=start,
    )
    earlier = set(Notification.objects.values_list("pk", flat=True))
    assert len(earlier) == 4  # citizen: submit + dispatch; staff_assigned: the two petugas
    clock = Deadline.objects.get(complaint=complaint, stage="follow_up")
    assert clock.remind_at < clock.due_at < now < clock.escalate_again_at
    assert clock.next_check_at == clock.remind_at
    assert not DeadlineEffect.objects.exists()

    harness.route_to_worker()
    worker = harness.start_worker()
    new = Notification.objects.exclude(pk__in=earlier)

    # First the reminder: move the due time an hour ahead, as if the sweep ran a day earlier (a
    # reminder is only sent while the deadline is still ahead).
    due_at = clock.due_at
    reminded_due = now + timedelta(hours=1)
    Deadline.objects.filter(pk=clock.pk).update(due_at=reminded_due)
    first = harness.send(sweep)
    assert worker.result_of(first) == "1"  # one clock handled: the follow-up of this complaint
    wait_for(lambda: new.filter(state="sent").count() == 2, SEND_TIMEOUT, "the worker to send the reminders")
    assert set(new.values_list("kind", flat=True)) == {"staff_reminder"}

    # Then the deadline passes: the escalation.
    Deadline.objects.filter(pk=clock.pk).update(due_at=due_at, next_check_at=due_at)
    second = harness.send(sweep)
    assert worker.result_of(second) == "1"
    wait_for(
        lambda: new.filter(state="sent").count() == 4, SEND_TIMEOUT, "the worker to send the escalations"
    )
    third = harness.send(sweep)
    assert worker.result_of(third) == "0"  # nothing due any more: the effects are recorded

    effects = DeadlineEffect.objects.values_list("deadline_id", "kind", "level")
    assert sorted(effects) == [(clock.pk, "escalation", 1), (clock.pk, "reminder", 1)]
    clock.refresh_from_db()
    assert clock.breached_at == clock.due_at
    assert clock.next_check_at == clock.escalate_again_at

    expected = {
        (f"dl{clock.pk}:reminder:1:u{petugas.pk}", "staff_reminder", petugas.email),
        (f"dl{clock.pk}:reminder:1:u{petugas_2.pk}", "staff_reminder", petugas_2.email),
        (f"dl{clock.pk}:escalation:1:u{kepala.pk}", "staff_escalation", kepala.email),
        (f"dl{clock.pk}:escalation:1:u{koordinator.pk}", "staff_escalation", koordinator.email),
    }
    rows = list(new.order_by("pk"))
    assert {(n.key, n.kind, n.address) for n in rows} == expected
    for n in rows:
        assert (n.state, n.attempts, n.last_error, n.next_attempt_at) == ("sent", 1, "", None)
        assert n.sent_at is not None
        assert n.sent_at >= now

    stage = str(clock.get_stage_display())
    subjects = {
        "staff_reminder": f"[{complaint.ticket_number}] Pengingat: tenggat {stage} "
        f"{local_str(reminded_due, pemda.zoneinfo)}",
        "staff_escalation": f"[{complaint.ticket_number}] Eskalasi: tenggat {stage} terlampaui",
    }
    mails = harness.mails()
    assert len(mails) == 4
    assert sorted((m["key"], m["subject"], tuple(m["to"])) for m in mails) == sorted(
        (key, subjects[kind], (address,)) for key, kind, address in expected
    )
    assert sorted(harness.journal()) == sorted(f"sent {key}" for key, _, _ in expected)
    assert _logged_results(worker, "aduan.notifications.tasks.notification_send") == ["True"] * 4
    assert Notification.objects.count() == 8  # the second sweep queued nothing


def test_worker_killed_mid_send_message_is_delivered_once_by_the_outbox_flush(harness, pemda):
    """The whole worker (main process and pool child) dies while the mail is being sent. The
    send task's row lock dies with its database session, so the attempt leaves no trace
    (attempts stays 0). On Redis the unacknowledged message only comes back after the
    broker's visibility_timeout (1 hour), so the designed safety net delivers it: the
    ``outbox_flush`` run of the new worker — once, with attempts == 1."""
    harness.route_to_worker()
    harness.marker("slow").touch()
    doomed = harness.start_worker("SlowOnceBackend")

    complaint = ComplaintFactory(pemda=pemda)  # queues notification_send (on commit) for the worker
    notification = Notification.objects.get(complaint=complaint)
    assert (notification.kind, notification.address) == ("citizen_update", CITIZEN)
    started = harness.marker("started")
    wait_for(started.exists, SEND_TIMEOUT, "the worker to start sending")
    child_pid, key = started.read_text(encoding="utf-8").split()
    assert key == notification.key
    assert int(child_pid) != doomed.pid  # sent from the pool child, not the main process
    assert not _lockable(notification.pk)  # mid-send: the row is locked by the sending worker

    doomed.kill_group()
    wait_for(lambda: _lockable(notification.pk), 10, "PostgreSQL to end the dead worker's session")
    notification.refresh_from_db()
    assert (notification.state, notification.attempts, notification.last_error) == ("pending", 0, "")
    assert notification.sent_at is None
    assert harness.mails() == []
    assert len(harness.unacked_on_queue()) == 1  # Redis holds it unacknowledged: no redelivery yet

    survivor = harness.start_worker("SlowOnceBackend")  # the marker is used up: sends at once
    flush = harness.send(outbox_flush)
    assert survivor.result_of(flush) == "1"
    notification.refresh_from_db()
    assert (notification.state, notification.attempts, notification.last_error) == ("sent", 1, "")
    assert notification.sent_at is not None

    # The lost send task, were it ever redelivered, finds the row sent and does nothing.
    again = harness.send(notification_send, notification.pk)
    assert survivor.result_of(again) == "False"
    mails = harness.mails()
    assert [(m["key"], m["to"]) for m in mails] == [(notification.key, [CITIZEN])]
    assert mails[0]["subject"] == f"[{complaint.ticket_number}] Aduan Anda telah diterima"
    assert harness.journal() == [f"stalled {notification.key}", f"sent {notification.key}"]


def test_pool_child_killed_mid_send_task_is_redelivered_and_sent_once(harness, pemda):
    """Only the pool child dies (an OOM kill): the main process sees the worker lost and, with
    acks_late + task_reject_on_worker_lost, requeues the message; a fresh child runs it again
    at once. The killed attempt was rolled back, so the row ends sent with attempts == 1."""
    harness.route_to_worker()
    harness.marker("slow").touch()
    worker = harness.start_worker("SlowOnceBackend")

    complaint = ComplaintFactory(pemda=pemda)
    notification = Notification.objects.get(complaint=complaint)
    started = harness.marker("started")
    wait_for(started.exists, SEND_TIMEOUT, "the worker to start sending")
    child_pid = int(started.read_text(encoding="utf-8").split()[0])
    assert child_pid != worker.pid
    os.kill(child_pid, signal.SIGKILL)

    def sent():
        notification.refresh_from_db()
        return notification.state == "sent"

    wait_for(sent, SEND_TIMEOUT, "the redelivered task to send the message")
    assert (notification.attempts, notification.last_error) == (1, "")
    assert re.search(r"WorkerLostError", worker.output), worker.output
    send_task = "aduan.notifications.tasks.notification_send"
    wait_for(lambda: _logged_results(worker, send_task), 10, "the redelivered task's result")
    assert _logged_results(worker, send_task) == ["True"]
    assert [(m["key"], m["to"]) for m in harness.mails()] == [(notification.key, [CITIZEN])]
    assert harness.journal() == [f"stalled {notification.key}", f"sent {notification.key}"]
    assert harness.unacked_on_queue() == []  # acknowledged after the redelivered run


def test_mail_server_down_for_a_while_message_is_delivered_once_after_the_backoff(harness, pemda):
    """The submission succeeds while mail is down; the worker's attempt fails and is scheduled
    again after the first backoff (15 s); an early flush respects it; after it the flush sends
    the message once. The real 15 s are waited (no clock or database tampering)."""
    harness.route_to_worker()
    harness.marker("down").touch()
    worker = harness.start_worker("DownWhileMarkedBackend")

    complaint = ComplaintFactory(pemda=pemda)
    assert Complaint.objects.get(pk=complaint.pk).status == Status.SUBMITTED
    notification = Notification.objects.get(complaint=complaint)
    send_task = "aduan.notifications.tasks.notification_send"
    wait_for(lambda: _logged_results(worker, send_task), SEND_TIMEOUT, "the first attempt")
    assert _logged_results(worker, send_task) == ["False"]
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == ("pending", 1)
    assert notification.last_error == "SMTPServerDisconnected: no detail"  # the server's text is not kept
    assert notification.sent_at is None
    first_try = notification.next_attempt_at - timedelta(seconds=15)
    assert notification.created_at <= first_try <= timezone.now()
    assert harness.mails() == []

    harness.marker("down").unlink()
    early = harness.send(outbox_flush)
    assert worker.result_of(early) == "0"  # the backoff has not passed: nothing is due
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == ("pending", 1)

    time.sleep(max(0.0, (notification.next_attempt_at - timezone.now()).total_seconds()) + 0.2)
    flush = harness.send(outbox_flush)
    assert worker.result_of(flush) == "1"
    notification.refresh_from_db()
    assert (notification.state, notification.attempts, notification.next_attempt_at) == ("sent", 2, None)
    assert notification.sent_at >= first_try + timedelta(seconds=15)
    # The error of the failed attempt is kept on the sent row (see notification_deliver).
    assert notification.last_error.startswith("SMTPServerDisconnected")
    assert [(m["key"], m["to"]) for m in harness.mails()] == [(notification.key, [CITIZEN])]
    assert harness.journal() == [f"down {notification.key}", f"sent {notification.key}"]


def _sessions_opened() -> int:
    from django.db import connection

    time.sleep(1.5)  # a backend's counters reach the statistics within a second, at exit at once
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_the_worker_keeps_its_database_session_between_tasks(harness, pemda):
    """Celery's Django fixup closed the connection around every task, so each one opened a new
    PostgreSQL session (a backend forked for a few milliseconds of work); the worker keeps it as a
    web worker does (config/celery_worker.py)."""
    harness.route_to_worker()
    worker = harness.start_worker()
    worker.result_of(harness.send(outbox_flush))  # the pool child's first task connects
    before = _sessions_opened()
    for task_id in [harness.send(outbox_flush) for _ in range(20)]:
        assert worker.result_of(task_id) is not None
    assert _sessions_opened() - before <= 1  # was 20: one session per task
