"""The OPD's field work (issue: progress is not an answer): progress updates meet the
first-response clock without starting the reply window, a planned date starts the promise clock
(reminded, escalated and charged to the OPD by the same sweep), "selesai ditangani" needs a photo
when the category says so, "tidak dapat ditangani" goes to the koordinator, and the reporter is
reminded two working days before the reply window closes. The clocks are checked in the holiday
weeks of 2026: Nyepi and Idul Fitri (18–24 March) and Christmas / New Year.
"""

import importlib
import io
from datetime import date

import pytest
from django.apps import apps as django_apps

from aduan.complaints.attachments import validate_upload
from aduan.complaints.models import Attachment, Complaint, ComplaintEvent, ComplaintHop, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import Action, complaint_transition
from aduan.core.exceptions import InvalidInput
from aduan.notifications.models import Notification
from aduan.sla.models import Deadline, DeadlineEffect, Stage
from aduan.sla.services import deadlines_sweep
from tests.complaints.test_attachments import image_bytes
from tests.factories import CategoryFactory, ComplaintFactory, wita

NOTE = "Perbaikan dijadwalkan setelah libur."


def dispatched(world, at):
    complaint = ComplaintFactory(pemda=world.pemda, now=at)
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.DISPATCH,
        actor=Actor.staff(world.koordinator),
        opd=world.opd,
        now=at,
    )
    return complaint


def move(world, complaint, action, at, **kwargs):
    return complaint_transition(
        complaint_id=complaint.pk, action=action, actor=Actor.staff(world.petugas[0]), now=at, **kwargs
    )


def clock(complaint, stage) -> Deadline:
    return Deadline.objects.filter(complaint=complaint, stage=stage).latest("pk")


def photo():
    upload = io.BytesIO(image_bytes())
    upload.name = "tambal.jpg"
    return validate_upload(upload)


def snapshot(complaint):
    return (
        Complaint.objects.filter(pk=complaint.pk).values().get(),
        list(ComplaintEvent.objects.filter(complaint=complaint).values_list("pk", flat=True)),
        list(Deadline.objects.filter(complaint=complaint).order_by("pk").values()),
        Attachment.objects.filter(complaint=complaint).count(),
        Notification.objects.filter(complaint=complaint).count(),
    )


def test_a_progress_update_meets_the_first_response_clock_but_starts_no_reply_window(world):
    complaint = dispatched(world, wita(2026, 3, 16, 9, 0))
    move(world, complaint, Action.ACKNOWLEDGE, wita(2026, 3, 17, 10, 0), note="Sedang kami tinjau.")
    complaint.refresh_from_db()
    assert complaint.status == Status.DISPATCHED
    first = clock(complaint, Stage.FOLLOW_UP)
    assert (first.met_at, first.breached_at, first.working_days_taken) == (wita(2026, 3, 17, 10, 0), None, 1)
    assert not Deadline.objects.filter(complaint=complaint, stage=Stage.REPLY_WINDOW).exists()
    citizen = Notification.objects.filter(complaint=complaint, kind="citizen_update").latest("pk")
    assert (citizen.context["action"], citizen.context["note"]) == ("acknowledge", "Sedang kami tinjau.")


def test_a_promise_over_nyepi_and_idul_fitri_reminds_escalates_and_is_charged_to_the_opd(world):
    kepala = world.kepala
    complaint = dispatched(world, wita(2026, 3, 16, 9, 0))
    # Planned for Tue 24 March (cuti bersama): due at the end of that day.
    move(
        world, complaint, Action.SCHEDULE, wita(2026, 3, 16, 11, 0), note=NOTE, planned_date=date(2026, 3, 24)
    )
    promise = clock(complaint, Stage.PROMISE)
    assert promise.due_at == wita(2026, 3, 25, 0, 0)
    assert promise.opd_id == world.opd.pk
    # One working day before: 18–24 March are Nyepi, Idul Fitri and cuti bersama, so Tue 17 March.
    assert promise.remind_at == wita(2026, 3, 17, 0, 0)
    # Three working days after the due time: Thu 26, Fri 27, Mon 30 March.
    assert promise.escalate_again_at == wita(2026, 3, 30, 0, 0)

    assert deadlines_sweep(now=wita(2026, 3, 17, 0, 1)) >= 1
    reminders = Notification.objects.filter(complaint=complaint, kind="staff_reminder")
    assert sorted(reminders.values_list("recipient_user_id", flat=True)) == sorted(
        u.pk for u in world.petugas
    )

    deadlines_sweep(now=wita(2026, 3, 25, 0, 1))
    deadlines_sweep(now=wita(2026, 3, 25, 0, 2))  # again: nothing twice
    promise.refresh_from_db()
    assert (promise.breached_at, promise.opd_id) == (wita(2026, 3, 25, 0, 0), world.opd.pk)
    escalations = Notification.objects.filter(complaint=complaint, kind="staff_escalation")
    assert sorted(escalations.values_list("recipient_user_id", flat=True)) == sorted(
        [world.koordinator.pk, kepala.pk]
    )
    assert list(
        DeadlineEffect.objects.filter(deadline=promise).values_list("kind", "level").order_by("kind")
    ) == [
        ("escalation", 1),
        ("reminder", 1),
    ]

    # Done late: the promise stays a breach of the OPD; the reply window starts now.
    move(world, complaint, Action.FOLLOW_UP, wita(2026, 3, 26, 9, 0), note="Sudah ditambal.")
    promise.refresh_from_db()
    assert (promise.met_at, promise.breached_at) == (wita(2026, 3, 26, 9, 0), wita(2026, 3, 25, 0, 0))


def test_a_promise_kept_over_christmas_is_met_without_a_breach(world):
    complaint = dispatched(world, wita(2026, 12, 21, 9, 0))
    # Planned for Sun 27 December: reminded on Wed 23 December (24 and 25 are holidays).
    move(
        world,
        complaint,
        Action.SCHEDULE,
        wita(2026, 12, 21, 10, 0),
        note=NOTE,
        planned_date=date(2026, 12, 27),
    )
    promise = clock(complaint, Stage.PROMISE)
    assert (promise.due_at, promise.remind_at) == (wita(2026, 12, 28, 0, 0), wita(2026, 12, 23, 0, 0))
    # escalated again 3 working days after the due time: Tue 29, Wed 30, Thu 31 December
    assert promise.escalate_again_at == wita(2026, 12, 31, 0, 0)
    move(world, complaint, Action.FOLLOW_UP, wita(2026, 12, 23, 15, 0), note="Sudah ditambal.")
    promise.refresh_from_db()
    assert (promise.met_at, promise.breached_at) == (wita(2026, 12, 23, 15, 0), None)


def test_rescheduling_before_the_date_cancels_the_old_promise_and_after_it_breaks_it(world):
    complaint = dispatched(world, wita(2026, 6, 8, 9, 0))
    move(
        world, complaint, Action.SCHEDULE, wita(2026, 6, 8, 10, 0), note=NOTE, planned_date=date(2026, 6, 10)
    )
    first = clock(complaint, Stage.PROMISE)
    move(
        world, complaint, Action.SCHEDULE, wita(2026, 6, 9, 10, 0), note=NOTE, planned_date=date(2026, 6, 12)
    )
    first.refresh_from_db()
    second = clock(complaint, Stage.PROMISE)
    assert (first.cancelled_at, first.breached_at) == (wita(2026, 6, 9, 10, 0), None)
    move(
        world, complaint, Action.SCHEDULE, wita(2026, 6, 15, 10, 0), note=NOTE, planned_date=date(2026, 6, 19)
    )
    second.refresh_from_db()
    assert (second.cancelled_at, second.breached_at, second.opd_id) == (
        wita(2026, 6, 15, 10, 0),
        wita(2026, 6, 13, 0, 0),
        world.opd.pk,
    )
    assert Deadline.objects.open().filter(complaint=complaint, stage=Stage.PROMISE).count() == 1


@pytest.mark.parametrize(
    ("planned_date", "code"),
    [
        (None, "planned_date_required"),
        (date(2026, 6, 7), "planned_date_invalid"),
        (date(2027, 7, 1), "planned_date_invalid"),
    ],
)
def test_a_bad_planned_date_is_refused_and_changes_nothing(world, planned_date, code):
    complaint = dispatched(world, wita(2026, 6, 8, 9, 0))
    before = snapshot(complaint)
    with pytest.raises(InvalidInput) as excinfo:
        move(world, complaint, Action.SCHEDULE, wita(2026, 6, 8, 10, 0), note=NOTE, planned_date=planned_date)
    assert (excinfo.value.code, excinfo.value.params.get("field")) == (code, "planned_date")
    assert snapshot(complaint) == before


def test_a_category_that_requires_a_photo_refuses_done_without_one(world):
    complaint = dispatched(world, wita(2026, 6, 8, 9, 0))
    Complaint.objects.filter(pk=complaint.pk).update(
        category=CategoryFactory(pemda=world.pemda, done_photo_required=True)
    )
    before = snapshot(complaint)
    with pytest.raises(InvalidInput) as excinfo:
        move(world, complaint, Action.FOLLOW_UP, wita(2026, 6, 9, 10, 0), note="Selesai.")
    assert excinfo.value.code == "photo_required"
    assert snapshot(complaint) == before

    move(world, complaint, Action.FOLLOW_UP, wita(2026, 6, 9, 10, 0), note="Selesai.", uploads=(photo(),))
    complaint.refresh_from_db()
    assert complaint.status == Status.FOLLOWED_UP
    files = list(complaint.attachments.values_list("is_internal", "uploaded_by_id"))
    assert files == [(False, world.petugas[0].pk)]


def test_photos_on_a_move_that_takes_none_are_refused(world):
    complaint = dispatched(world, wita(2026, 6, 8, 9, 0))
    before = snapshot(complaint)
    with pytest.raises(InvalidInput) as excinfo:
        move(
            world,
            complaint,
            Action.CANNOT_HANDLE,
            wita(2026, 6, 9, 10, 0),
            note="Bukan aset kota.",
            uploads=(photo(),),
        )
    assert excinfo.value.code == "photo_not_allowed"
    assert snapshot(complaint) == before


def test_cannot_handle_goes_to_the_koordinator_not_to_the_reporter(world):
    complaint = dispatched(world, wita(2026, 6, 8, 9, 0))
    citizen_before = Notification.objects.filter(complaint=complaint, audience="citizen").count()
    move(world, complaint, Action.CANNOT_HANDLE, wita(2026, 6, 9, 10, 0), note="Jalan milik provinsi.")
    complaint.refresh_from_db()
    assert complaint.status == Status.DISPATCHED
    assert clock(complaint, Stage.FOLLOW_UP).met_at == wita(2026, 6, 9, 10, 0)
    told = Notification.objects.filter(complaint=complaint, kind="staff_redispatch_requested")
    assert list(told.values_list("recipient_user_id", flat=True)) == [world.koordinator.pk]
    assert told.get().context["action"] == "cannot_handle"
    assert Notification.objects.filter(complaint=complaint, audience="citizen").count() == citizen_before


def test_the_reporter_is_reminded_two_working_days_before_the_reply_window_closes_over_new_year(world):
    complaint = dispatched(world, wita(2026, 12, 21, 9, 0))
    move(world, complaint, Action.FOLLOW_UP, wita(2026, 12, 21, 10, 0), note="Sudah ditambal.")
    window = clock(complaint, Stage.REPLY_WINDOW)
    # 10 HK over Christmas (24, 25 Dec), New Year (1 Jan 2027) and Isra Mi'raj (Tue 5 Jan):
    # Fri 8 January 10:00; two working days before: Wed 6 January 10:00.
    assert window.due_at == wita(2027, 1, 8, 10, 0)
    assert window.remind_at == wita(2027, 1, 6, 10, 0)
    assert window.escalate_again_at is None

    assert deadlines_sweep(now=wita(2027, 1, 6, 9, 59)) == 0
    deadlines_sweep(now=wita(2027, 1, 6, 10, 0))
    deadlines_sweep(now=wita(2027, 1, 6, 10, 1))
    reminders = Notification.objects.filter(complaint=complaint, kind="citizen_reply_reminder")
    assert reminders.count() == 1
    reminder = reminders.get()
    assert (reminder.audience, reminder.context["due_at"]) == ("citizen", "08-01-2027 10:00 WITA")
    assert not Notification.objects.filter(complaint=complaint, kind="staff_reminder").exists()
    complaint.refresh_from_db()
    assert complaint.status == Status.FOLLOWED_UP


def test_done_records_the_working_days_on_the_hop_and_the_migration_does_the_same_for_old_answers(world):
    """Over Nyepi and Idul Fitri: dispatched Mon 16 March, done Wed 25 March = 2 working days."""
    complaint = dispatched(world, wita(2026, 3, 16, 9, 0))
    move(world, complaint, Action.FOLLOW_UP, wita(2026, 3, 25, 9, 0), note="Sudah ditambal.")
    hop = ComplaintHop.objects.get(complaint=complaint)
    assert (hop.handled_at, hop.handled_working_days) == (wita(2026, 3, 25, 9, 0), 2)

    # An answer given before this change: the data migration fills the hop the same way.
    ComplaintHop.objects.filter(pk=hop.pk).update(handled_at=None, handled_working_days=None)
    migration = importlib.import_module("aduan.complaints.migrations.0013_field_hop_handled")
    migration.hops_handled(django_apps, None)
    hop.refresh_from_db()
    assert (hop.handled_at, hop.handled_working_days) == (wita(2026, 3, 25, 9, 0), 2)
