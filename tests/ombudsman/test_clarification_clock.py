"""The clarification clock (sla stage ``clarification``): 14 calendar days, so holidays do not stop
it; reminded 3 days before (to the koordinator), escalated when it runs out (to the koordinator and
the kepala OPD), each once however often the sweep runs; never paused by a hold; its breach is
charged to the Pemda, not an OPD. Tested in the 2026 holiday weeks: Nyepi and Idul Fitri in March,
Christmas and New Year."""

import pytest

from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import Action, complaint_transition
from aduan.notifications.models import Notification
from aduan.ombudsman import services
from aduan.sla.calendar import count_working_days
from aduan.sla.models import Deadline, DeadlineEffect, Stage
from aduan.sla.services import calendar_for, deadlines_sweep
from tests.factories import ComplaintFactory, wita

from .conftest import archived, reported

pytestmark = pytest.mark.django_db


def clarification_effects():
    return sorted(
        DeadlineEffect.objects.filter(deadline__stage=Stage.CLARIFICATION).values_list("kind", "level")
    )


def clarification_mail(kind):
    return sorted(
        Notification.objects.filter(
            kind=kind, context__stage="Jawaban klarifikasi kepada Ombudsman"
        ).values_list("recipient_user_id", flat=True)
    )


def dispatched_overdue(world):
    """Filed 5 January 2026 and still with the OPD after its 60 days: reported on 10 March."""
    complaint = ComplaintFactory(pemda=world.pemda, now=wita(2026, 1, 5, 9, 0))
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.DISPATCH,
        actor=Actor.staff(world.koordinator),
        opd=world.opd,
        now=wita(2026, 1, 5, 10, 0),
    )
    complaint.refresh_from_db()
    return reported(complaint, now=wita(2026, 3, 10, 9, 0))


def test_idul_fitri_and_nyepi_week_do_not_stop_the_clock(world, omb):
    report = dispatched_overdue(world)
    asked = wita(2026, 3, 16, 10, 0)
    request = services.clarification_request(report_id=report.pk, user=omb, question="Mengapa?", now=asked)
    clock = request.deadline
    assert clock.due_at == wita(2026, 3, 30, 10, 0)  # 14 calendar days
    assert clock.remind_at == wita(2026, 3, 27, 10, 0)  # 3 calendar days before
    assert clock.escalate_again_at is None
    # The span holds Nyepi, Idul Fitri and cuti bersama: in working days it would be far later.
    cal = calendar_for(world.pemda, around=asked)
    assert count_working_days(asked, clock.due_at, cal) < 10

    deadlines_sweep(now=wita(2026, 3, 27, 9, 59))
    assert clarification_effects() == []
    deadlines_sweep(now=wita(2026, 3, 27, 10, 0))
    deadlines_sweep(now=wita(2026, 3, 27, 10, 5))  # again: nothing twice
    assert clarification_effects() == [("reminder", 1)]
    # The reminder goes to the koordinator (the Pemda answers the Ombudsman), not the OPD's officers.
    assert clarification_mail("staff_reminder") == [world.koordinator.pk]

    deadlines_sweep(now=wita(2026, 3, 30, 10, 0))
    deadlines_sweep(now=wita(2026, 3, 30, 10, 1))
    assert clarification_effects() == [("escalation", 1), ("reminder", 1)]
    assert clarification_mail("staff_escalation") == sorted([world.koordinator.pk, world.kepala.pk])
    clock.refresh_from_db()
    assert clock.breached_at == clock.due_at
    assert clock.opd_id is None

    # The answer after the breach stops the clock; nothing more is owed.
    services.clarification_answer(
        report_id=report.pk, user=world.koordinator, answer="Jawaban.", now=wita(2026, 4, 2, 8, 0)
    )
    clock.refresh_from_db()
    assert clock.met_at == wita(2026, 4, 2, 8, 0)
    assert clock.next_check_at is None
    assert deadlines_sweep(now=wita(2026, 4, 30, 8, 0)) >= 0
    assert clarification_effects() == [("escalation", 1), ("reminder", 1)]


def test_christmas_and_new_year(world, omb):
    report = reported(archived(world), now=wita(2026, 12, 21, 9, 0))
    asked = wita(2026, 12, 22, 9, 0)
    request = services.clarification_request(report_id=report.pk, user=omb, question="Mengapa?", now=asked)
    assert request.deadline.due_at == wita(2027, 1, 5, 9, 0)
    assert request.deadline.remind_at == wita(2027, 1, 2, 9, 0)  # a Saturday: calendar days
    deadlines_sweep(now=wita(2027, 1, 5, 9, 0))
    # The sweep was not running at the reminder's time: the escalation speaks, the reminder is
    # recorded but not sent.
    assert clarification_effects() == [("escalation", 1), ("reminder", 1)]
    assert clarification_mail("staff_reminder") == []
    assert clarification_mail("staff_escalation") == [world.koordinator.pk]  # archived: no OPD


def test_answer_in_time_meets_the_clock_without_effects(world, omb):
    report = reported(archived(world))
    request = services.clarification_request(
        report_id=report.pk, user=omb, question="Mengapa?", now=wita(2026, 3, 16, 10, 0)
    )
    services.clarification_answer(
        report_id=report.pk, user=world.koordinator, answer="Jawaban.", now=wita(2026, 3, 20, 10, 0)
    )
    deadlines_sweep(now=wita(2026, 4, 30, 10, 0))
    request.deadline.refresh_from_db()
    assert request.deadline.breached_at is None
    assert request.deadline.calendar_days_taken == 4
    assert clarification_effects() == []


def test_a_hold_does_not_pause_the_clarification_clock(world, omb):
    complaint = ComplaintFactory(pemda=world.pemda, now=wita(2026, 1, 5, 9, 0))  # never verified
    report = reported(complaint, now=wita(2026, 3, 10, 9, 0))
    request = services.clarification_request(
        report_id=report.pk, user=omb, question="Mengapa belum diverifikasi?", now=wita(2026, 3, 16, 10, 0)
    )
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.HOLD,
        actor=Actor.staff(world.koordinator),
        note="Mohon lengkapi.",
        now=wita(2026, 3, 17, 10, 0),
    )
    clock = Deadline.objects.get(pk=request.deadline_id)
    assert clock.paused_at is None
    assert clock.due_at == wita(2026, 3, 30, 10, 0)
    # The complaint's own clocks are paused as before.
    assert (
        Deadline.objects.open()
        .filter(complaint=complaint, stage=Stage.RESOLUTION, paused_at__isnull=False)
        .exists()
    )
