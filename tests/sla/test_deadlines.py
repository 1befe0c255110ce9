"""The clocks of a complaint follow the workflow (aduan/sla/services.py, README: Deadlines).

Every test drives a complaint through ``complaint_submit`` / ``complaint_transition`` with explicit
``now=`` instants in Asia/Makassar (WITA, UTC+8) and checks the exact stored times. Holidays of
June 2026 that matter: Tuesday 16 June (Tahun Baru Islam).
"""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from aduan.complaints.models import ComplaintHop
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import Action, complaint_transition
from aduan.sla.models import Deadline, HolidayOverride, SlaPolicy, Stage
from tests.factories import CategoryFactory, ComplaintFactory, PemdaFactory, wita

SUBMITTED_AT = wita(2026, 6, 8, 9, 0)  # Monday
DISPATCHED_AT = wita(2026, 6, 9, 10, 0)  # Tuesday


def submit(world, now=SUBMITTED_AT, **kwargs):
    return ComplaintFactory(pemda=kwargs.pop("pemda", world.pemda), now=now, **kwargs)


def move(complaint, action, actor, now, **kwargs):
    return complaint_transition(complaint_id=complaint.pk, action=action, actor=actor, now=now, **kwargs)


def dispatch(world, complaint, now=DISPATCHED_AT, opd=None):
    return move(complaint, Action.DISPATCH, Actor.staff(world.koordinator), now, opd=opd or world.opd)


def clock(complaint, stage) -> Deadline:
    """The one open clock of ``stage``."""
    return Deadline.objects.open().get(complaint=complaint, stage=stage)


def open_stages(complaint) -> set[str]:
    return set(Deadline.objects.open().filter(complaint=complaint).values_list("stage", flat=True))


# ------------------------------------------------------------------------- clocks follow moves


def test_submit_starts_verification_resolution_and_legal_response(world):
    complaint = submit(world)

    assert open_stages(complaint) == {Stage.VERIFICATION, Stage.RESOLUTION, Stage.LEGAL_RESPONSE}
    verification = clock(complaint, Stage.VERIFICATION)
    assert verification.started_at == SUBMITTED_AT
    assert verification.due_at == wita(2026, 6, 11, 9, 0)  # 3 working days, same wall time
    assert verification.remind_at == wita(2026, 6, 10, 9, 0)  # 1 working day before
    assert verification.escalate_again_at == wita(2026, 6, 15, 9, 0)  # 2 working days after due
    assert verification.next_check_at == verification.remind_at
    assert (verification.opd, verification.hop) == (None, None)
    resolution = clock(complaint, Stage.RESOLUTION)
    assert resolution.due_at == wita(2026, 8, 7, 9, 0)  # 60 calendar days
    assert resolution.remind_at is None
    assert resolution.escalate_again_at == wita(2026, 8, 24, 9, 0)  # 10 working days, 17 Aug a holiday
    assert resolution.next_check_at == resolution.due_at
    legal = clock(complaint, Stage.LEGAL_RESPONSE)
    assert legal.due_at == wita(2026, 6, 22, 9, 0)  # 14 calendar days
    assert (legal.remind_at, legal.escalate_again_at) == (None, None)
    assert legal.next_check_at == legal.due_at


def test_dispatch_meets_verification_and_starts_follow_up_for_the_hops_opd(world):
    complaint = submit(world)

    dispatch(world, complaint)

    verification = Deadline.objects.get(complaint=complaint, stage=Stage.VERIFICATION)
    assert verification.met_at == DISPATCHED_AT
    assert verification.breached_at is None
    assert verification.next_check_at is None
    assert (verification.working_days_taken, verification.calendar_days_taken) == (1, 1)
    hop = ComplaintHop.objects.get(complaint=complaint, ended_at__isnull=True)
    follow_up = clock(complaint, Stage.FOLLOW_UP)
    assert follow_up.hop == hop
    assert follow_up.opd == world.opd == hop.opd
    assert follow_up.started_at == DISPATCHED_AT
    assert follow_up.due_at == wita(2026, 6, 17, 10, 0)  # 5 working days; Tue 16 June is a holiday
    assert follow_up.remind_at == wita(2026, 6, 15, 10, 0)
    assert follow_up.escalate_again_at == wita(2026, 6, 22, 10, 0)
    assert open_stages(complaint) == {Stage.FOLLOW_UP, Stage.RESOLUTION, Stage.LEGAL_RESPONSE}


def test_follow_up_meets_follow_up_and_legal_response_and_starts_the_reply_window(world):
    complaint = submit(world)
    dispatch(world, complaint)
    hop = ComplaintHop.objects.get(complaint=complaint, ended_at__isnull=True)
    answered_at = wita(2026, 6, 11, 15, 0)

    move(complaint, Action.FOLLOW_UP, Actor.staff(world.petugas[0]), answered_at, note="Sudah diperbaiki.")

    follow_up = Deadline.objects.get(complaint=complaint, stage=Stage.FOLLOW_UP)
    assert follow_up.met_at == answered_at
    assert follow_up.breached_at is None
    assert (follow_up.working_days_taken, follow_up.calendar_days_taken) == (2, 2)
    legal = Deadline.objects.get(complaint=complaint, stage=Stage.LEGAL_RESPONSE)
    assert legal.met_at == answered_at
    assert (legal.working_days_taken, legal.calendar_days_taken) == (3, 3)
    reply_window = clock(complaint, Stage.REPLY_WINDOW)
    assert (reply_window.opd, reply_window.hop) == (world.opd, hop)
    assert reply_window.due_at == wita(2026, 6, 26, 15, 0)  # 10 working days
    # the reporter is reminded 2 working days before; nobody is escalated
    assert (reply_window.remind_at, reply_window.escalate_again_at) == (wita(2026, 6, 24, 15, 0), None)
    assert reply_window.next_check_at == reply_window.remind_at  # then the due time (auto-resolution)
    assert open_stages(complaint) == {Stage.REPLY_WINDOW, Stage.RESOLUTION}


def test_reply_meets_the_reply_window_and_starts_a_fresh_follow_up(world):
    complaint = submit(world)
    dispatch(world, complaint)
    move(
        complaint, Action.FOLLOW_UP, Actor.staff(world.petugas[0]), wita(2026, 6, 11, 15, 0), note="Selesai."
    )
    replied_at = wita(2026, 6, 15, 8, 0)

    move(complaint, Action.REPLY, Actor.citizen(complaint.tracking_secret), replied_at, note="Belum beres.")

    reply_window = Deadline.objects.get(complaint=complaint, stage=Stage.REPLY_WINDOW)
    assert reply_window.met_at == replied_at
    assert (reply_window.working_days_taken, reply_window.calendar_days_taken) == (1, 3)
    follow_ups = list(Deadline.objects.filter(complaint=complaint, stage=Stage.FOLLOW_UP).order_by("pk"))
    assert len(follow_ups) == 2
    assert follow_ups[0].met_at == wita(2026, 6, 11, 15, 0)
    fresh = follow_ups[1]
    assert fresh.is_open
    assert fresh.started_at == replied_at
    assert fresh.due_at == wita(2026, 6, 23, 8, 0)
    assert (fresh.opd, fresh.hop) == (world.opd, follow_ups[0].hop)
    assert open_stages(complaint) == {Stage.FOLLOW_UP, Stage.RESOLUTION}


def test_redispatch_cancels_the_old_opds_clock_and_starts_one_for_the_new_hop(world):
    complaint = submit(world)
    dispatch(world, complaint)
    redispatched_at = wita(2026, 6, 10, 11, 0)

    move(complaint, Action.REDISPATCH, Actor.staff(world.koordinator), redispatched_at, opd=world.other_opd)

    old, new = Deadline.objects.filter(complaint=complaint, stage=Stage.FOLLOW_UP).order_by("pk")
    assert old.opd == world.opd
    assert old.cancelled_at == redispatched_at
    assert (old.met_at, old.breached_at, old.next_check_at) == (None, None, None)
    assert (old.working_days_taken, old.calendar_days_taken) == (1, 1)
    new_hop = ComplaintHop.objects.get(complaint=complaint, ended_at__isnull=True)
    assert new_hop.opd == world.other_opd
    assert new.is_open
    assert (new.opd, new.hop) == (world.other_opd, new_hop)
    assert old.hop != new_hop
    assert new.started_at == redispatched_at
    assert new.due_at == wita(2026, 6, 18, 11, 0)


def test_redispatch_after_the_due_time_attributes_the_breach_to_the_old_opd(world):
    complaint = submit(world)
    dispatch(world, complaint)  # follow-up due Wed 17 June 10:00

    move(
        complaint,
        Action.REDISPATCH,
        Actor.staff(world.koordinator),
        wita(2026, 6, 18, 9, 0),
        opd=world.other_opd,
    )

    old, new = Deadline.objects.filter(complaint=complaint, stage=Stage.FOLLOW_UP).order_by("pk")
    assert old.breached_at == wita(2026, 6, 17, 10, 0)
    assert old.opd == world.opd
    assert new.breached_at is None
    assert list(Deadline.objects.filter(breached_at__isnull=False).values_list("opd", flat=True)) == [
        world.opd.pk
    ]


def test_hold_pauses_every_open_clock_and_complete_resumes_them_shifted(world):
    complaint = submit(world)
    held_at, completed_at = wita(2026, 6, 9, 9, 0), wita(2026, 6, 15, 9, 0)  # 4 working days, 6 days

    move(complaint, Action.HOLD, Actor.staff(world.koordinator), held_at, note="Mohon lengkapi lokasi.")

    paused = {d.stage: d for d in Deadline.objects.open().filter(complaint=complaint)}
    assert set(paused) == {Stage.VERIFICATION, Stage.RESOLUTION, Stage.LEGAL_RESPONSE}
    assert {d.paused_at for d in paused.values()} == {held_at}
    assert paused[Stage.VERIFICATION].due_at == wita(2026, 6, 11, 9, 0)  # unchanged while paused

    move(
        complaint,
        Action.COMPLETE,
        Actor.citizen(complaint.tracking_secret),
        completed_at,
        note="Jl. Sudirman 1",
    )

    verification = clock(complaint, Stage.VERIFICATION)
    assert verification.paused_at is None
    assert verification.paused_seconds == 6 * 86400
    assert verification.due_at == wita(2026, 6, 18, 9, 0)  # 11 June + 4 working days (16th a holiday)
    assert verification.remind_at == wita(2026, 6, 17, 9, 0)
    assert verification.escalate_again_at == wita(2026, 6, 22, 9, 0)
    assert verification.next_check_at == verification.remind_at
    resolution = clock(complaint, Stage.RESOLUTION)
    assert resolution.paused_at is None
    assert resolution.due_at == wita(2026, 8, 13, 9, 0)  # calendar clock: 6 days later
    # The second escalation stays 10 working days after the (moved) due time.
    assert resolution.escalate_again_at == wita(2026, 8, 31, 9, 0)  # 17 and 25 Aug are holidays
    assert resolution.next_check_at == resolution.due_at
    legal = clock(complaint, Stage.LEGAL_RESPONSE)
    assert legal.due_at == wita(2026, 6, 28, 9, 0)


def test_meeting_a_paused_clock_stores_durations_without_the_pause(world):
    complaint = submit(world)
    move(complaint, Action.HOLD, Actor.staff(world.koordinator), wita(2026, 6, 9, 9, 0), note="Lengkapi.")
    move(complaint, Action.COMPLETE, Actor.staff(world.koordinator), wita(2026, 6, 15, 9, 0), note="Sudah.")

    dispatch(world, complaint, now=wita(2026, 6, 17, 10, 0))

    verification = Deadline.objects.get(complaint=complaint, stage=Stage.VERIFICATION)
    assert verification.met_at == wita(2026, 6, 17, 10, 0)
    assert verification.breached_at is None  # due 18 June after the pause
    assert verification.calendar_days_taken == 3  # 1 day before the hold + 2 days 1 hour after
    # Working days: Mon 8 → Tue 9 June (1) before the hold; 15 → 17 June after it, the 16th being
    # 1 Muharram (1). The 4 working days of the hold (9→15 June) are not counted.
    assert verification.paused_working_days == 4
    assert verification.working_days_taken == 2


def test_meeting_a_clock_late_records_the_breach_for_the_opd_that_held_it(world):
    complaint = submit(world)
    dispatch(world, complaint)
    answered_at = wita(2026, 6, 18, 11, 0)

    move(complaint, Action.FOLLOW_UP, Actor.staff(world.petugas[0]), answered_at, note="Terlambat, maaf.")

    follow_up = Deadline.objects.get(complaint=complaint, stage=Stage.FOLLOW_UP)
    assert follow_up.met_at == answered_at
    assert follow_up.breached_at == follow_up.due_at == wita(2026, 6, 17, 10, 0)
    assert follow_up.opd == world.opd
    assert (follow_up.working_days_taken, follow_up.calendar_days_taken) == (6, 9)
    legal = Deadline.objects.get(complaint=complaint, stage=Stage.LEGAL_RESPONSE)
    assert legal.met_at == answered_at
    assert legal.breached_at is None  # due 22 June


def test_meeting_exactly_at_the_due_time_is_not_a_breach(world):
    complaint = submit(world)

    dispatch(world, complaint, now=wita(2026, 6, 11, 9, 0))

    verification = Deadline.objects.get(complaint=complaint, stage=Stage.VERIFICATION)
    assert verification.breached_at is None
    assert (verification.working_days_taken, verification.calendar_days_taken) == (3, 3)


# ------------------------------------------------------------------------------------ holidays


def test_idul_fitri_and_cuti_bersama_push_the_verification_deadline(world):
    complaint = submit(world, now=wita(2026, 3, 17, 9, 0))  # Tuesday before 18–24 March

    verification = clock(complaint, Stage.VERIFICATION)

    assert verification.due_at == wita(2026, 3, 27, 9, 0)
    assert verification.remind_at == wita(2026, 3, 26, 9, 0)


def test_a_regional_holiday_override_pushes_only_its_pemdas_deadlines(world):
    HolidayOverride.objects.create(
        pemda=world.pemda, date=date(2026, 6, 10), is_holiday=True, reason="Hari jadi kota"
    )
    elsewhere = PemdaFactory()

    here = submit(world)
    there = submit(world, pemda=elsewhere)

    assert clock(here, Stage.VERIFICATION).due_at == wita(2026, 6, 12, 9, 0)
    assert clock(there, Stage.VERIFICATION).due_at == wita(2026, 6, 11, 9, 0)


def test_a_working_saturday_override_shortens_the_follow_up_clock(world):
    HolidayOverride.objects.create(
        pemda=world.pemda, date=date(2026, 6, 13), is_holiday=False, reason="Pelayanan hari Sabtu"
    )
    complaint = submit(world)

    dispatch(world, complaint)

    assert clock(complaint, Stage.FOLLOW_UP).due_at == wita(2026, 6, 15, 10, 0)  # 10, 11, 12, 13, 15


def test_a_national_override_that_cancels_a_holiday_makes_it_a_working_day(world):
    HolidayOverride.objects.create(date=date(2026, 6, 16), is_holiday=False, reason="Keppres pembatalan")
    complaint = submit(world)

    dispatch(world, complaint)

    assert clock(complaint, Stage.FOLLOW_UP).due_at == wita(2026, 6, 16, 10, 0)


# ------------------------------------------------------------------------------------ policies


def test_the_most_specific_policy_applies(world):
    category = CategoryFactory(pemda=world.pemda)
    by_class = SlaPolicy.objects.create(
        stage=Stage.FOLLOW_UP,
        amount=7,
        unit="working",
        effective_from=date(2026, 1, 1),
        classification="aspirasi",
    )
    by_category = SlaPolicy.objects.create(
        stage=Stage.FOLLOW_UP, amount=2, unit="working", effective_from=date(2026, 1, 1), category=category
    )
    default = SlaPolicy.objects.get(stage=Stage.FOLLOW_UP, classification="", category=None)
    plain = submit(world)
    aspiration = submit(world, classification="aspirasi")
    aspiration_in_category = submit(world, classification="aspirasi", category=category)

    for complaint in (plain, aspiration, aspiration_in_category):
        dispatch(world, complaint)

    plain_clock = clock(plain, Stage.FOLLOW_UP)
    assert (plain_clock.policy, plain_clock.due_at) == (default, wita(2026, 6, 17, 10, 0))
    aspiration_clock = clock(aspiration, Stage.FOLLOW_UP)
    assert (aspiration_clock.policy, aspiration_clock.due_at) == (by_class, wita(2026, 6, 19, 10, 0))
    category_clock = clock(aspiration_in_category, Stage.FOLLOW_UP)
    assert (category_clock.policy, category_clock.due_at) == (by_category, wita(2026, 6, 11, 10, 0))
    assert category_clock.remind_at == wita(2026, 6, 10, 10, 0)
    # Stages without a specific policy keep the default.
    assert clock(aspiration_in_category, Stage.RESOLUTION).due_at == wita(2026, 8, 7, 9, 0)


def test_a_new_policy_version_applies_only_to_clocks_started_from_its_local_date(world):
    old = SlaPolicy.objects.get(stage=Stage.FOLLOW_UP, classification="", category=None)
    before, after = submit(world), submit(world)
    dispatch(world, before, now=wita(2026, 6, 9, 23, 59))
    new = SlaPolicy.objects.create(
        stage=Stage.FOLLOW_UP, amount=8, unit="working", effective_from=date(2026, 6, 10), remind_before=2
    )

    dispatch(world, after, now=wita(2026, 6, 10, 0, 0))  # still 9 June in UTC

    before_clock = clock(before, Stage.FOLLOW_UP)
    assert (before_clock.policy, before_clock.due_at) == (old, wita(2026, 6, 17, 23, 59))
    after_clock = clock(after, Stage.FOLLOW_UP)
    assert (after_clock.policy, after_clock.due_at) == (new, wita(2026, 6, 23, 0, 0))
    assert after_clock.remind_at == wita(2026, 6, 19, 0, 0)


def test_a_newer_classification_policy_does_not_outrank_an_older_category_policy(world):
    category = CategoryFactory(pemda=world.pemda)
    by_category = SlaPolicy.objects.create(
        stage=Stage.FOLLOW_UP, amount=2, unit="working", effective_from=date(2025, 1, 1), category=category
    )
    SlaPolicy.objects.create(
        stage=Stage.FOLLOW_UP,
        amount=9,
        unit="working",
        effective_from=date(2026, 6, 1),
        classification="pengaduan",
    )
    complaint = submit(world, category=category)

    dispatch(world, complaint)

    assert clock(complaint, Stage.FOLLOW_UP).policy == by_category


# --------------------------------------------------------------------------------- constraints


def test_only_one_open_clock_per_stage(world):
    complaint = submit(world)
    existing = clock(complaint, Stage.VERIFICATION)

    with pytest.raises(IntegrityError), transaction.atomic():
        Deadline.objects.create(
            complaint=complaint,
            stage=Stage.VERIFICATION,
            policy=existing.policy,
            started_at=SUBMITTED_AT,
            due_at=existing.due_at,
        )

    assert Deadline.objects.filter(complaint=complaint, stage=Stage.VERIFICATION).count() == 1


def test_a_closed_clock_does_not_block_a_new_one_of_the_same_stage(world):
    complaint = submit(world)
    dispatch(world, complaint)
    petugas, citizen = Actor.staff(world.petugas[0]), Actor.citizen(complaint.tracking_secret)

    for day in (11, 15, 18):  # answer, reply; answer, reply; answer, reply
        move(complaint, Action.FOLLOW_UP, petugas, wita(2026, 6, day, 9, 0), note="Jawaban.")
        move(complaint, Action.REPLY, citizen, wita(2026, 6, day, 12, 0), note="Belum.")

    rows = Deadline.objects.filter(complaint=complaint, stage=Stage.FOLLOW_UP)
    assert rows.count() == 4
    assert rows.filter(met_at__isnull=True, cancelled_at__isnull=True).count() == 1
    assert Deadline.objects.filter(complaint=complaint, stage=Stage.REPLY_WINDOW).open().count() == 0


def test_a_two_hour_hold_moves_a_working_day_clock_by_two_hours(world):
    """Holds shorter than a working day count too: the clock stops for exactly the working time
    the complaint waited for the reporter."""
    complaint = submit(world)  # Monday 8 June 2026 09:00 WITA: verification due Thursday 09:00
    before = clock(complaint, Stage.VERIFICATION).due_at
    move(complaint, Action.HOLD, Actor.staff(world.koordinator), wita(2026, 6, 8, 10, 0), note="Lengkapi.")
    move(complaint, Action.COMPLETE, Actor.staff(world.koordinator), wita(2026, 6, 8, 12, 0), note="Sudah.")

    after = clock(complaint, Stage.VERIFICATION)
    assert before == wita(2026, 6, 11, 9, 0)
    assert after.due_at == wita(2026, 6, 11, 11, 0)
    assert after.remind_at == wita(2026, 6, 10, 11, 0)
    assert after.paused_seconds == 2 * 3600
