"""A Celery worker killed with SIGKILL in the middle of a task (a deadline reminder, a score
recompute, a notification delivery): after a restart each effect happens exactly once.

How "mid-task" is made deterministic: for the sweep and the recompute the worker runs with a
test-only pause point (tests/fault/hooks.py, installed by the worker bootstrap, not by the app)
that stops the task after it wrote its rows but before its transaction commits; for the delivery
the SMTP sink holds its answer to DATA. The test then kills the whole process group (main process
and pool child) or only the pool child, restarts, and lets the next run (what beat or the redelivery
does) finish the work. The effects are counted in PostgreSQL and at the SMTP sink.
"""

import os
import signal
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from aduan.compliance.models import ComplianceScore
from aduan.compliance.tasks import recompute
from aduan.notifications.models import Notification
from aduan.notifications.tasks import outbox_flush
from aduan.sla.models import Deadline, DeadlineEffect
from aduan.sla.tasks import sweep
from tests.factories import ComplaintFactory, MembershipFactory

from .harness import figures, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

TIMEOUT = 30


def _unlocked(model, pk) -> bool:
    with transaction.atomic():
        return model.objects.select_for_update(skip_locked=True).filter(pk=pk).exists()


def test_sweep_killed_before_commit_reminds_once_after_restart(fault, pemda, koordinator, record_property):
    koordinator_2 = MembershipFactory(role="koordinator", pemda=pemda).user
    complaint = ComplaintFactory(pemda=pemda)  # eager: its submit message is sent here, not counted
    before = set(Notification.objects.values_list("pk", flat=True))
    now = timezone.now()
    clock = Deadline.objects.get(complaint=complaint, stage="verification")
    assert clock.due_at > now + timedelta(hours=1)
    Deadline.objects.filter(pk=clock.pk).update(
        remind_at=now - timedelta(minutes=1), next_check_at=now - timedelta(minutes=1)
    )

    fault.route_to_worker()
    paused = fault.arm_pause()
    doomed = fault.start_worker(pause="sweep")
    fault.send(sweep)
    wait_for(paused.exists, TIMEOUT, "the sweep to reach its pause point", on_timeout=doomed)
    # Written but not committed: nobody else sees the effect or the outbox rows.
    assert not DeadlineEffect.objects.exists()
    assert not Notification.objects.exclude(pk__in=before).exists()
    assert not _unlocked(Deadline, clock.pk)

    doomed.kill()  # fault 1: the whole worker, SIGKILL, mid-transaction
    wait_for(lambda: _unlocked(Deadline, clock.pk), 10, "PostgreSQL to end the dead worker's session")
    assert not DeadlineEffect.objects.exists()

    survivor = fault.start_worker()
    assert survivor.result_of(fault.send(sweep)) == "1"  # beat's next run
    new = Notification.objects.exclude(pk__in=before)
    wait_for(lambda: new.filter(state="sent").count() == 2, TIMEOUT, "the reminders to be sent")
    assert survivor.result_of(fault.send(sweep)) == "0"  # and again: nothing owed any more

    assert list(DeadlineEffect.objects.values_list("deadline_id", "kind", "level")) == [
        (clock.pk, "reminder", 1)
    ]
    keys = {f"dl{clock.pk}:reminder:1:u{u.pk}" for u in (koordinator, koordinator_2)}
    assert set(new.values_list("key", flat=True)) == keys
    assert set(new.values_list("attempts", flat=True)) == {1}
    wait_for(lambda: set(fault.sink.counts()) >= keys, 10, "the sink to hold both reminders")
    counts = fault.sink.counts()
    figures(record_property, "worker-kill-sweep", injected=1, reminders=len(keys),
            lost=sum(counts[k] == 0 for k in keys), doubled=sum(counts[k] > 1 for k in keys))  # fmt: skip
    assert {k: counts[k] for k in keys} == dict.fromkeys(keys, 1)  # none lost, none doubled


def test_recompute_killed_before_commit_makes_one_snapshot_after_restart(
    fault,
    pemda,
    methodologies,
    record_property,
):
    year = timezone.now().year
    ComplaintFactory(pemda=pemda)
    fault.route_to_worker()
    paused = fault.arm_pause()
    doomed = fault.start_worker(pause="score")
    fault.send(recompute, pemda.pk, year)
    wait_for(paused.exists, TIMEOUT, "the recompute to reach its pause point", on_timeout=doomed)
    assert not ComplianceScore.objects.exists()

    doomed.kill()  # fault 2
    wait_for(lambda: _unlocked(type(pemda), pemda.pk), 10, "PostgreSQL to end the dead worker's session")
    assert not ComplianceScore.objects.exists()

    survivor = fault.start_worker()
    assert survivor.result_of(fault.send(recompute, pemda.pk, year)) == "True"
    assert survivor.result_of(fault.send(recompute, pemda.pk, year)) == "False"  # same inputs: no new one
    snapshots = ComplianceScore.objects.filter(pemda=pemda, year=year).count()
    figures(record_property, "worker-kill-recompute", injected=1, snapshots=snapshots,
            lost=int(snapshots == 0), doubled=max(0, snapshots - 1))  # fmt: skip
    assert snapshots == 1


def test_pool_child_killed_mid_delivery_is_redelivered_and_received_once(fault, pemda, record_property):
    fault.route_to_worker()
    fault.sink.stall_next()
    worker = fault.start_worker()
    complaint = ComplaintFactory(pemda=pemda)  # its submit message goes to the worker on commit
    notification = Notification.objects.get(complaint=complaint)
    wait_for(lambda: not _unlocked(Notification, notification.pk), TIMEOUT, "the delivery to start")
    children = [int(p) for p in os.popen(f"pgrep -P {worker.pid}").read().split()]
    assert len(children) == 1
    wait_for(lambda: not fault.sink._stall.is_set(), TIMEOUT, "the sink to hold the message's DATA")
    os.kill(children[0], signal.SIGKILL)  # fault 3: the pool child, while the sink holds the message

    def sent():
        notification.refresh_from_db()
        return notification.state == "sent"

    wait_for(sent, TIMEOUT, "the redelivered task to send the message")
    assert "WorkerLostError" in worker.output
    assert notification.attempts == 1  # the killed attempt was rolled back with its transaction
    assert fault.sink.counts() == {notification.key: 1}
    # The flush (beat's safety net) finds nothing left to do.
    assert worker.result_of(fault.send(outbox_flush)) == "0"
    received = fault.sink.counts()[notification.key]
    figures(record_property, "worker-kill-delivery", injected=1, messages=1,
            lost=int(received == 0), doubled=max(0, received - 1))  # fmt: skip
    assert fault.sink.counts() == {notification.key: 1}
