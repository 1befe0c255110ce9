"""Each move declares its effects (aduan/complaints/workflow.py ``Transition``): the clocks it
starts, meets, cancels, pauses or resumes, and who is told. aduan.sla and aduan.notifications keep
no table of actions: these tests drive complaints through the moves and check that what happens
is exactly what the move declares.
"""

from datetime import date

from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import SUBMIT, TRANSITIONS, Action, complaint_transition
from aduan.notifications.models import Notification
from aduan.notifications.services import AUDIENCES, REPORTER, STAFF_AUDIENCES
from aduan.sla.models import Deadline, Stage
from tests.factories import ComplaintFactory, wita

T = wita(2026, 6, 8, 9, 0)  # Monday
NOTE = "Catatan uji dari pengujian otomatis."


def open_stages(complaint) -> set[str]:
    return set(Deadline.objects.open().filter(complaint=complaint).values_list("stage", flat=True))


def paused_stages(complaint) -> set[str]:
    return set(
        Deadline.objects.open()
        .filter(complaint=complaint, paused_at__isnull=False)
        .values_list("stage", flat=True)
    )


def staff_kinds(complaint) -> set[str]:
    return set(
        Notification.objects.filter(complaint=complaint, audience="staff").values_list("kind", flat=True)
    )


def test_every_declared_effect_names_a_known_clock_and_a_known_audience():
    for transition in [SUBMIT, *TRANSITIONS.values()]:
        effects = transition.clock_effects
        for stage in (*effects.starts, *effects.meets, *effects.cancels):
            assert stage in Stage.values, (transition.action, stage)
        assert set(transition.notifies) <= AUDIENCES, transition.action
        assert not (effects.pauses and effects.resumes), transition.action
    assert set(SUBMIT.starts) == {Stage.VERIFICATION, Stage.RESOLUTION, Stage.LEGAL_RESPONSE}


# Moves through every kind of clock effect: (action, actor, extra input).
WALK = [
    (Action.HOLD, "koordinator", {"note": NOTE}),
    (Action.COMPLETE, "citizen", {"note": NOTE}),
    (Action.DISPATCH, "koordinator", {"opd": "opd"}),
    (Action.REQUEST_REDISPATCH, "petugas", {"note": NOTE}),
    (Action.REDISPATCH, "koordinator", {"opd": "other_opd"}),
    (Action.ACKNOWLEDGE, "other_petugas", {"note": NOTE}),
    (Action.SCHEDULE, "other_petugas", {"note": NOTE, "planned_date": date(2026, 7, 1)}),
    (Action.SCHEDULE, "other_petugas", {"note": NOTE, "planned_date": date(2026, 7, 2)}),
    (Action.START_WORK, "other_petugas", {"note": NOTE}),
    (Action.FOLLOW_UP, "other_petugas", {"note": NOTE}),
    (Action.REPLY, "citizen", {"note": NOTE}),
    (Action.SCHEDULE, "other_petugas", {"note": NOTE, "planned_date": date(2026, 7, 3)}),
    (Action.CANNOT_HANDLE, "other_petugas", {"note": NOTE}),
    (Action.FOLLOW_UP, "other_petugas", {"note": NOTE}),
    (Action.ACCEPT, "citizen", {}),
    (Action.REOPEN, "citizen", {"note": NOTE}),
    (Action.FORWARD_OUT, "koordinator", {"institution": "BPJS Kesehatan"}),
]


def test_each_move_changes_the_clocks_and_tells_the_audiences_it_declares(world):
    complaint = ComplaintFactory(pemda=world.pemda, now=T)
    assert open_stages(complaint) == set(SUBMIT.starts)
    citizen_rows = Notification.objects.filter(complaint=complaint, audience="citizen")
    assert citizen_rows.count() == 1  # SUBMIT notifies the reporter

    actors = {
        "koordinator": Actor.staff(world.koordinator),
        "citizen": Actor.citizen(complaint.tracking_secret),
        "petugas": Actor.staff(world.petugas[0]),
        "other_petugas": Actor.staff(world.other_petugas),
    }
    now = T
    for step, (action, actor, extra) in enumerate(WALK, start=1):
        transition = TRANSITIONS[action]
        before_open, before_paused = open_stages(complaint), paused_stages(complaint)
        before_citizen, before_staff = citizen_rows.count(), staff_kinds(complaint)
        extra = {k: getattr(world, v) if k == "opd" else v for k, v in extra.items()}
        now = wita(2026, 6, 8 + step, 10, 0)
        complaint_transition(complaint_id=complaint.pk, action=action, actor=actors[actor], now=now, **extra)

        expected = (before_open - set(transition.cancels) - set(transition.meets)) | set(transition.starts)
        assert open_stages(complaint) == expected, action
        if transition.pauses:
            assert paused_stages(complaint) == expected
        elif transition.resumes:
            assert before_paused
            assert paused_stages(complaint) == set()
        else:
            assert paused_stages(complaint) == before_paused & expected
        told_reporter = citizen_rows.count() - before_citizen
        assert told_reporter == (1 if REPORTER in transition.notifies else 0), action
        new_kinds = {STAFF_AUDIENCES[a][0] for a in transition.notifies if a in STAFF_AUDIENCES}
        assert new_kinds <= staff_kinds(complaint), action
        if not new_kinds:
            assert staff_kinds(complaint) == before_staff, action


def test_a_resolving_move_records_the_resolving_opd_and_a_reopen_restarts_resolution(world):
    complaint = ComplaintFactory(pemda=world.pemda, now=T)
    koordinator, citizen = Actor.staff(world.koordinator), Actor.citizen(complaint.tracking_secret)
    moves = [
        (Action.DISPATCH, koordinator, {"opd": world.opd}),
        (Action.FOLLOW_UP, Actor.staff(world.petugas[0]), {"note": NOTE}),
        (Action.ACCEPT, citizen, {}),
    ]
    for day, (action, actor, extra) in enumerate(moves, start=9):
        complaint_transition(
            complaint_id=complaint.pk, action=action, actor=actor, now=wita(2026, 6, day, 10, 0), **extra
        )
    assert TRANSITIONS[Action.ACCEPT].resolves
    resolution = Deadline.objects.get(complaint=complaint, stage=Stage.RESOLUTION)
    assert (resolution.met_at, resolution.resolved_by_id) == (wita(2026, 6, 11, 10, 0), world.opd.pk)

    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.REOPEN,
        actor=citizen,
        note=NOTE,
        now=wita(2026, 6, 12, 10, 0),
    )
    assert not TRANSITIONS[Action.REOPEN].resolves
    reopened = Deadline.objects.open().get(complaint=complaint, stage=Stage.RESOLUTION)
    assert (reopened.started_at, reopened.resolved_by_id) == (wita(2026, 6, 12, 10, 0), None)
