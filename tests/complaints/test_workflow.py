"""The complaint state machine (aduan/complaints/workflow.py, README: moves).

The first test walks the whole transition table: every Status × every Action × every kind of
actor. An actor kind is someone in a particular relation to the complaint (the reporter, the
koordinator of another Pemda, ...); the role that kind *holds for this complaint* is what the table
is checked against, so a petugas whose OPD does not hold the complaint holds no role at all.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from aduan.complaints.models import (
    CLOSED_STATUSES,
    HELD_BY_OPD_STATUSES,
    ActorRole,
    ArchiveReason,
    Complaint,
    ComplaintEvent,
    ComplaintHop,
    Status,
)
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import (
    NOTE_MAX_LENGTH,
    TRANSITIONS,
    Action,
    ReopenWindowClosed,
    TransitionNotAllowed,
    allowed_actions,
    complaint_transition,
)
from aduan.core.exceptions import InvalidInput, NotFound, PermissionDenied
from tests.factories import (
    ComplaintFactory,
    MembershipFactory,
    OpdFactory,
    PemdaFactory,
    UserFactory,
    complaint_in_status,
)

ACTOR_KINDS = (
    "citizen",
    "citizen_wrong_secret",
    "koordinator",
    "koordinator_other_pemda",
    "petugas",  # of the complaint's current OPD; without one, of an OPD of the same Pemda
    "petugas_other_opd",
    "kepala",  # of the complaint's current OPD (or, without one, of an OPD of the same Pemda)
    "ombudsman",
    "ombudsman_other_province",
    "system",
    "no_membership",
)
NOTE = "Catatan uji dari pengujian otomatis."
INSTITUTION = "Kantor Pertanahan Kota Balikpapan"


# ---------------------------------------------------------------------------------------- helpers


@dataclass
class World:
    pemda: object
    opd: object  # the OPD complaint_in_status dispatches to
    other_opd: object  # another active OPD of the same Pemda
    koordinator: object
    complaint: Complaint
    users: dict = field(default_factory=dict)  # actor kind -> user, made on first use

    def user(self, kind: str):
        if kind not in self.users:
            self.users[kind] = make_user(kind, self)
        return self.users[kind]


def make_world(status: str, **pemda_kwargs) -> World:
    pemda = PemdaFactory(**pemda_kwargs)
    opd = OpdFactory(pemda=pemda)
    other_opd = OpdFactory(pemda=pemda)
    koordinator = MembershipFactory(role="koordinator", pemda=pemda).user
    complaint = complaint_in_status(status, pemda=pemda, opd=opd, koordinator=koordinator)
    return World(pemda, opd, other_opd, koordinator, complaint)


def make_user(kind: str, w: World):
    if kind == "koordinator":
        return w.koordinator
    if kind == "koordinator_other_pemda":
        return MembershipFactory(role="koordinator", pemda=PemdaFactory()).user
    if kind == "petugas":
        return MembershipFactory(role="petugas_opd", opd=w.opd).user
    if kind == "petugas_other_opd":
        return MembershipFactory(role="petugas_opd", opd=w.other_opd).user
    if kind == "kepala":
        return MembershipFactory(role="kepala_opd", opd=w.opd).user
    if kind == "ombudsman":
        return MembershipFactory(role="ombudsman", province=w.pemda.province).user
    if kind == "ombudsman_other_province":
        return MembershipFactory(role="ombudsman", province=PemdaFactory().province).user
    if kind == "no_membership":
        return UserFactory()
    raise AssertionError(kind)


def make_actor(kind: str, w: World) -> tuple[Actor, object | None, str | None]:
    """(actor, the user recorded on its events, the role it holds for w.complaint or None)."""
    c = w.complaint
    if kind == "citizen":
        return Actor.citizen(c.tracking_secret), None, ActorRole.CITIZEN
    if kind == "citizen_wrong_secret":
        wrong = c.tracking_secret[:-1] + ("A" if c.tracking_secret[-1] != "A" else "B")
        return Actor.citizen(wrong), None, None
    if kind == "system":
        return Actor.system(), None, ActorRole.SYSTEM
    user = w.user(kind)
    holds_opd = c.current_opd_id == w.opd.pk
    role = {
        "koordinator": ActorRole.KOORDINATOR,
        "petugas": ActorRole.PETUGAS_OPD if holds_opd else None,
        "kepala": ActorRole.KEPALA_OPD if holds_opd else None,
        "ombudsman": ActorRole.OMBUDSMAN,
    }.get(kind)
    return Actor.staff(user), user, role


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    """One Pemda with a complaint in every status and a user of every actor kind, built once for
    the table tests, like TestCase.setUpTestData: inside a transaction held open for the module
    and rolled back at its end; each test runs in a savepoint within it (pytest-django's ``db``),
    so what a test changes is undone before the next one. ``world(status)`` hands each test fresh
    Python objects for the complaint."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        base = make_world(Status.SUBMITTED)
        complaints = {Status.SUBMITTED: base.complaint.pk}
        for status in Status:
            if status != Status.SUBMITTED:
                complaints[status] = complaint_in_status(
                    status, pemda=base.pemda, opd=base.opd, koordinator=base.koordinator
                ).pk
        for kind in ACTOR_KINDS:
            if kind not in ("citizen", "citizen_wrong_secret", "system"):
                base.user(kind)

    def world(status: str) -> World:
        return World(
            base.pemda,
            base.opd,
            base.other_opd,
            base.koordinator,
            Complaint.objects.get(pk=complaints[status]),
            base.users,
        )

    yield world
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def valid_inputs(action: str, w: World) -> dict:
    requires = TRANSITIONS[action].requires
    inputs = {}
    if "opd" in requires:
        inputs["opd"] = w.other_opd  # never the current OPD, so valid for redispatch too
    if "note" in requires:
        inputs["note"] = NOTE
    if "reason" in requires:
        inputs["reason"] = ArchiveReason.NOT_PUBLIC_SERVICE
    if "institution" in requires:
        inputs["institution"] = INSTITUTION
    if "planned_date" in requires:
        inputs["planned_date"] = timezone.now().date() + timedelta(days=7)
    return inputs


def expected_refusal(status: str, action: str, role: str | None):
    """The DomainError the move must raise, or None when it must be accepted."""
    transition = TRANSITIONS[action]
    if role is None or role not in transition.roles:
        return PermissionDenied
    if status not in transition.sources:
        return TransitionNotAllowed
    return None


def snapshot(complaint_id: int) -> dict:
    """Everything a refused move must leave alone."""
    return {
        "complaint": Complaint.objects.filter(pk=complaint_id).values().get(),
        "events": list(ComplaintEvent.objects.filter(complaint_id=complaint_id).order_by("pk").values()),
        "event_total": ComplaintEvent.objects.count(),
        "hops": list(ComplaintHop.objects.filter(complaint_id=complaint_id).order_by("pk").values()),
        "hop_total": ComplaintHop.objects.count(),
    }


def open_hops(complaint_id: int) -> list[ComplaintHop]:
    return list(ComplaintHop.objects.filter(complaint_id=complaint_id, ended_at__isnull=True))


def move(complaint, action, actor, **kwargs):
    return complaint_transition(complaint_id=complaint.pk, action=action, actor=actor, **kwargs)


def assert_refused_unchanged(complaint, exc_class, action, actor, **kwargs):
    before = snapshot(complaint.pk)
    with pytest.raises(exc_class) as excinfo:
        move(complaint, action, actor, **kwargs)
    assert type(excinfo.value) is exc_class
    assert snapshot(complaint.pk) == before
    return excinfo.value


# ------------------------------------------------------------------------- the whole table


def test_table_is_the_designed_one():
    """TRANSITIONS spelled out from the README table of moves, so that a change to the table is deliberate
    (the tests below check the code against TRANSITIONS, whatever it says)."""
    S, R = Status, ActorRole
    designed = {
        Action.DISPATCH: ({S.SUBMITTED}, S.DISPATCHED, {R.KOORDINATOR}, ("opd",)),
        Action.HOLD: ({S.SUBMITTED}, S.ON_HOLD, {R.KOORDINATOR}, ("note",)),
        Action.COMPLETE: ({S.ON_HOLD}, S.SUBMITTED, {R.CITIZEN, R.KOORDINATOR}, ("note",)),
        Action.ARCHIVE: ({S.SUBMITTED, S.ON_HOLD}, S.ARCHIVED, {R.KOORDINATOR}, ("reason",)),
        Action.FORWARD_OUT: (
            {S.SUBMITTED, S.ON_HOLD, S.DISPATCHED},
            S.FORWARDED_OUT,
            {R.KOORDINATOR},
            ("institution",),
        ),
        Action.REDISPATCH: ({S.DISPATCHED}, S.DISPATCHED, {R.KOORDINATOR}, ("opd",)),
        Action.REQUEST_REDISPATCH: ({S.DISPATCHED}, None, {R.PETUGAS_OPD}, ("note",)),
        Action.FOLLOW_UP: ({S.DISPATCHED}, S.FOLLOWED_UP, {R.PETUGAS_OPD}, ("note",)),
        Action.ACKNOWLEDGE: ({S.DISPATCHED}, None, {R.PETUGAS_OPD}, ("note",)),
        Action.SCHEDULE: ({S.DISPATCHED}, None, {R.PETUGAS_OPD}, ("note", "planned_date")),
        Action.START_WORK: ({S.DISPATCHED}, None, {R.PETUGAS_OPD}, ("note",)),
        Action.CANNOT_HANDLE: ({S.DISPATCHED}, None, {R.PETUGAS_OPD}, ("note",)),
        Action.REPLY: ({S.FOLLOWED_UP}, S.DISPATCHED, {R.CITIZEN}, ("note",)),
        Action.ACCEPT: ({S.FOLLOWED_UP}, S.RESOLVED, {R.CITIZEN}, ()),
        Action.AUTO_RESOLVE: ({S.FOLLOWED_UP}, S.RESOLVED, {R.SYSTEM}, ()),
        Action.REOPEN: ({S.RESOLVED}, S.DISPATCHED, {R.CITIZEN, R.KOORDINATOR}, ("note",)),
    }
    actual = {a: (set(t.sources), t.target, set(t.roles), t.requires) for a, t in TRANSITIONS.items()}
    assert actual == designed
    assert all(action == t.action for action, t in TRANSITIONS.items())
    # every status but the closed dead ends has a way out; every status can be reached
    assert {s for t in TRANSITIONS.values() for s in t.sources} == set(Status) - {
        Status.ARCHIVED,
        Status.FORWARDED_OUT,
    }
    assert {t.target for t in TRANSITIONS.values() if t.target} | {Status.SUBMITTED} == set(Status)


@pytest.mark.parametrize("actor_kind", ACTOR_KINDS)
@pytest.mark.parametrize("action", list(TRANSITIONS))
@pytest.mark.parametrize("status", list(Status))
def test_transition_table(db, shared, status, action, actor_kind):
    w = shared(status)
    actor, user, role = make_actor(actor_kind, w)
    inputs = valid_inputs(action, w)
    transition = TRANSITIONS[action]
    refusal = expected_refusal(status, action, role)

    if refusal is not None:
        assert_refused_unchanged(w.complaint, refusal, action, actor, **inputs)
        return

    before = snapshot(w.complaint.pk)
    now = timezone.now()
    result = move(w.complaint, action, actor, now=now, **inputs)
    after = snapshot(w.complaint.pk)

    target = transition.target or status
    row = after["complaint"]
    assert row["status"] == target
    assert result.complaint.status == target

    # exactly one new event, and it says what happened
    assert after["event_total"] == before["event_total"] + 1
    assert after["events"][: len(before["events"])] == before["events"]
    assert len(after["events"]) == len(before["events"]) + 1
    event = ComplaintEvent.objects.get(pk=after["events"][-1]["id"])
    assert result.event.pk == event.pk
    assert event.action == action
    assert event.from_status == status
    assert event.to_status == target
    assert event.actor == user
    assert event.actor_role == role
    assert event.opd == (w.other_opd if "opd" in transition.requires else None)
    expected_note = NOTE if "note" in transition.requires else ""
    assert event.note == (INSTITUTION if action == Action.FORWARD_OUT else expected_note)
    assert event.created_at == now

    # the complaint row: only the fields this move owns changed
    expected_row = dict(before["complaint"])
    if target != status:
        expected_row.update(status=target, status_changed_at=now)
    if target in CLOSED_STATUSES:
        expected_row["closed_at"] = now
    else:
        expected_row["closed_at"] = None
    if action in (Action.DISPATCH, Action.REDISPATCH):
        expected_row["current_opd_id"] = w.other_opd.pk
    if action == Action.ARCHIVE:
        expected_row.update(archive_reason=ArchiveReason.NOT_PUBLIC_SERVICE, duplicate_of_id=None)
    if action == Action.FORWARD_OUT:
        expected_row["forwarded_to"] = INSTITUTION
    if transition.target is None:
        assert row == before["complaint"]  # not even updated_at moves
    row_without_stamp = {k: v for k, v in row.items() if k != "updated_at"}
    expected_row.pop("updated_at")
    assert row_without_stamp == expected_row

    # OPD hops follow the status
    hops = open_hops(w.complaint.pk)
    if target in HELD_BY_OPD_STATUSES:
        assert [h.opd_id for h in hops] == [row["current_opd_id"]]
    else:
        assert hops == []


@pytest.mark.parametrize("actor_kind", ACTOR_KINDS)
@pytest.mark.parametrize("status", list(Status))
def test_allowed_actions_follow_the_table(db, shared, status, actor_kind):
    w = shared(status)
    actor, _user, role = make_actor(actor_kind, w)
    expected = [a for a in TRANSITIONS if expected_refusal(status, a, role) is None]
    assert allowed_actions(actor=actor, complaint=w.complaint) == expected


def test_allowed_actions_examples(db):
    """A few rows spelled out, so that the table above is not only checked against itself."""
    w = make_world(Status.DISPATCHED)
    assert allowed_actions(actor=Actor.staff(w.koordinator), complaint=w.complaint) == [
        Action.FORWARD_OUT,
        Action.REDISPATCH,
    ]
    petugas = MembershipFactory(role="petugas_opd", opd=w.opd).user
    assert allowed_actions(actor=Actor.staff(petugas), complaint=w.complaint) == [
        Action.REQUEST_REDISPATCH,
        Action.FOLLOW_UP,
        Action.ACKNOWLEDGE,
        Action.SCHEDULE,
        Action.START_WORK,
        Action.CANNOT_HANDLE,
    ]
    assert allowed_actions(actor=Actor.citizen(w.complaint.tracking_secret), complaint=w.complaint) == []
    w = make_world(Status.FOLLOWED_UP)
    citizen = Actor.citizen(w.complaint.tracking_secret)
    assert allowed_actions(actor=citizen, complaint=w.complaint) == [Action.REPLY, Action.ACCEPT]
    assert allowed_actions(actor=Actor.system(), complaint=w.complaint) == [Action.AUTO_RESOLVE]


# ------------------------------------------------------------------------------ invalid input

# (name, status, action, actor kind, inputs(world) -> kwargs, error code, field)
INVALID_INPUT_CASES = [
    ("hold_no_note", Status.SUBMITTED, Action.HOLD, "koordinator", lambda w: {}, "note_required", "note"),
    (
        "hold_blank_note",
        Status.SUBMITTED,
        Action.HOLD,
        "koordinator",
        lambda w: {"note": "  \n\t "},
        "note_required",
        "note",
    ),
    (
        "complete_no_note",
        Status.ON_HOLD,
        Action.COMPLETE,
        "citizen",
        lambda w: {"note": ""},
        "note_required",
        "note",
    ),
    (
        "request_redispatch_no_note",
        Status.DISPATCHED,
        Action.REQUEST_REDISPATCH,
        "petugas",
        lambda w: {},
        "note_required",
        "note",
    ),
    (
        "follow_up_no_note",
        Status.DISPATCHED,
        Action.FOLLOW_UP,
        "petugas",
        lambda w: {"note": " "},
        "note_required",
        "note",
    ),
    ("reply_no_note", Status.FOLLOWED_UP, Action.REPLY, "citizen", lambda w: {}, "note_required", "note"),
    ("reopen_no_note", Status.RESOLVED, Action.REOPEN, "citizen", lambda w: {}, "note_required", "note"),
    (
        "hold_note_too_long",
        Status.SUBMITTED,
        Action.HOLD,
        "koordinator",
        lambda w: {"note": "x" * (NOTE_MAX_LENGTH + 1)},
        "note_too_long",
        "note",
    ),
    (
        "accept_note_too_long",
        Status.FOLLOWED_UP,
        Action.ACCEPT,
        "citizen",
        lambda w: {"note": "x" * (NOTE_MAX_LENGTH + 1)},
        "note_too_long",
        "note",
    ),
    (
        "dispatch_no_opd",
        Status.SUBMITTED,
        Action.DISPATCH,
        "koordinator",
        lambda w: {},
        "opd_required",
        "opd",
    ),
    (
        "dispatch_opd_other_pemda",
        Status.SUBMITTED,
        Action.DISPATCH,
        "koordinator",
        lambda w: {"opd": OpdFactory()},
        "opd_invalid",
        "opd",
    ),
    (
        "dispatch_inactive_opd",
        Status.SUBMITTED,
        Action.DISPATCH,
        "koordinator",
        lambda w: {"opd": OpdFactory(pemda=w.pemda, is_active=False)},
        "opd_invalid",
        "opd",
    ),
    (
        "redispatch_same_opd",
        Status.DISPATCHED,
        Action.REDISPATCH,
        "koordinator",
        lambda w: {"opd": w.opd},
        "opd_unchanged",
        "opd",
    ),
    (
        "redispatch_opd_other_pemda",
        Status.DISPATCHED,
        Action.REDISPATCH,
        "koordinator",
        lambda w: {"opd": OpdFactory()},
        "opd_invalid",
        "opd",
    ),
    (
        "redispatch_inactive_opd",
        Status.DISPATCHED,
        Action.REDISPATCH,
        "koordinator",
        lambda w: {"opd": OpdFactory(pemda=w.pemda, is_active=False)},
        "opd_invalid",
        "opd",
    ),
    (
        "redispatch_no_opd",
        Status.DISPATCHED,
        Action.REDISPATCH,
        "koordinator",
        lambda w: {},
        "opd_required",
        "opd",
    ),
    (
        "archive_no_reason",
        Status.SUBMITTED,
        Action.ARCHIVE,
        "koordinator",
        lambda w: {},
        "reason_required",
        "reason",
    ),
    (
        "archive_unknown_reason",
        Status.ON_HOLD,
        Action.ARCHIVE,
        "koordinator",
        lambda w: {"reason": "spam"},
        "reason_required",
        "reason",
    ),
    (
        "archive_duplicate_without_original",
        Status.SUBMITTED,
        Action.ARCHIVE,
        "koordinator",
        lambda w: {"reason": ArchiveReason.DUPLICATE},
        "duplicate_of_required",
        "duplicate_of",
    ),
    (
        "archive_duplicate_of_itself",
        Status.SUBMITTED,
        Action.ARCHIVE,
        "koordinator",
        lambda w: {"reason": ArchiveReason.DUPLICATE, "duplicate_of": w.complaint},
        "duplicate_of_invalid",
        "duplicate_of",
    ),
    (
        "archive_duplicate_of_other_pemda",
        Status.SUBMITTED,
        Action.ARCHIVE,
        "koordinator",
        lambda w: {"reason": ArchiveReason.DUPLICATE, "duplicate_of": ComplaintFactory()},
        "duplicate_of_invalid",
        "duplicate_of",
    ),
    (
        "forward_out_no_institution",
        Status.SUBMITTED,
        Action.FORWARD_OUT,
        "koordinator",
        lambda w: {},
        "institution_required",
        "institution",
    ),
    (
        "forward_out_blank_institution",
        Status.DISPATCHED,
        Action.FORWARD_OUT,
        "koordinator",
        lambda w: {"institution": "   ", "note": NOTE},
        "institution_required",
        "institution",
    ),
    (
        "forward_out_institution_too_long",
        Status.ON_HOLD,
        Action.FORWARD_OUT,
        "koordinator",
        lambda w: {"institution": "I" * 201},
        "institution_too_long",
        "institution",
    ),
]


@pytest.mark.parametrize(
    ("status", "action", "actor_kind", "make_inputs", "code", "field"),
    [pytest.param(*case[1:], id=case[0]) for case in INVALID_INPUT_CASES],
)
def test_invalid_input_is_refused_and_changes_nothing(
    db, status, action, actor_kind, make_inputs, code, field
):
    w = make_world(status)
    actor, _user, _role = make_actor(actor_kind, w)
    inputs = make_inputs(w)
    error = assert_refused_unchanged(w.complaint, InvalidInput, action, actor, **inputs)
    assert error.code == code
    assert error.params == {"field": field}
    # and the same move with valid input goes through (the refusal was about the input only)
    move(w.complaint, action, actor, **valid_inputs(action, w))


@pytest.mark.parametrize("action", ["destroy", "", "DISPATCH", Action.SUBMIT, None])
def test_unknown_action_is_invalid_input(db, action):
    w = make_world(Status.SUBMITTED)
    error = assert_refused_unchanged(
        w.complaint, InvalidInput, action, Actor.staff(w.koordinator), opd=w.opd, note=NOTE
    )
    assert error.code == "unknown_action"
    assert error.params == {"field": "action"}


def test_unknown_complaint_is_not_found(db):
    w = make_world(Status.SUBMITTED)
    with pytest.raises(NotFound):
        complaint_transition(
            complaint_id=w.complaint.pk + 1000, action=Action.HOLD, actor=Actor.system(), note=NOTE
        )


def test_note_at_the_limit_is_accepted_and_stripped(db):
    w = make_world(Status.SUBMITTED)
    note = "n" * NOTE_MAX_LENGTH
    result = move(w.complaint, Action.HOLD, Actor.staff(w.koordinator), note=f"  {note}\n")
    assert result.event.note == note
    assert ComplaintEvent.objects.get(pk=result.event.pk).note == note


def test_archive_as_duplicate_links_the_original(db):
    w = make_world(Status.SUBMITTED)
    original = ComplaintFactory(pemda=w.pemda)
    move(
        w.complaint,
        Action.ARCHIVE,
        Actor.staff(w.koordinator),
        reason=ArchiveReason.DUPLICATE,
        duplicate_of=original,
    )
    w.complaint.refresh_from_db()
    assert w.complaint.status == Status.ARCHIVED
    assert w.complaint.archive_reason == ArchiveReason.DUPLICATE
    assert w.complaint.duplicate_of_id == original.pk


def test_archive_for_another_reason_ignores_duplicate_of(db):
    w = make_world(Status.SUBMITTED)
    original = ComplaintFactory(pemda=w.pemda)
    move(
        w.complaint,
        Action.ARCHIVE,
        Actor.staff(w.koordinator),
        reason=ArchiveReason.UNINTELLIGIBLE,
        duplicate_of=original,
    )
    w.complaint.refresh_from_db()
    assert (w.complaint.archive_reason, w.complaint.duplicate_of_id) == (ArchiveReason.UNINTELLIGIBLE, None)


def test_inactive_staff_user_holds_no_role(db):
    w = make_world(Status.SUBMITTED)
    w.koordinator.is_active = False
    w.koordinator.save()
    assert_refused_unchanged(
        w.complaint, PermissionDenied, Action.HOLD, Actor.staff(w.koordinator), note=NOTE
    )


# ------------------------------------------------------------------------------------ OPD hops


def test_dispatch_opens_a_hop_and_redispatch_moves_it(db):
    w = make_world(Status.SUBMITTED)
    staff = Actor.staff(w.koordinator)
    t0 = timezone.now() + timedelta(hours=1)
    t1 = t0 + timedelta(days=2)
    t2 = t1 + timedelta(days=3)

    dispatch = move(w.complaint, Action.DISPATCH, staff, opd=w.opd, now=t0).event
    [hop1] = ComplaintHop.objects.filter(complaint=w.complaint)
    assert (hop1.opd_id, hop1.started_at, hop1.started_by_id, hop1.ended_at, hop1.ended_by_id) == (
        w.opd.pk,
        t0,
        dispatch.pk,
        None,
        None,
    )

    redispatch = move(w.complaint, Action.REDISPATCH, staff, opd=w.other_opd, now=t1).event
    assert (redispatch.opd_id, redispatch.from_status, redispatch.to_status) == (
        w.other_opd.pk,
        Status.DISPATCHED,
        Status.DISPATCHED,
    )
    hop1.refresh_from_db()
    assert (hop1.ended_at, hop1.ended_by_id) == (t1, redispatch.pk)
    hop2 = ComplaintHop.objects.get(complaint=w.complaint, ended_at__isnull=True)
    assert (hop2.opd_id, hop2.started_at, hop2.started_by_id) == (w.other_opd.pk, t1, redispatch.pk)
    w.complaint.refresh_from_db()
    assert w.complaint.current_opd_id == w.other_opd.pk
    assert w.complaint.status_changed_at == t0  # the status did not change at t1

    back = move(w.complaint, Action.REDISPATCH, staff, opd=w.opd, now=t2).event
    hops = list(ComplaintHop.objects.filter(complaint=w.complaint).order_by("started_at"))
    assert [(h.opd_id, h.started_at, h.ended_at) for h in hops] == [
        (w.opd.pk, t0, t1),
        (w.other_opd.pk, t1, t2),
        (w.opd.pk, t2, None),
    ]
    assert hops[1].ended_by_id == back.pk


def test_redispatch_moves_the_petugas_role(db):
    w = make_world(Status.DISPATCHED)
    old = Actor.staff(MembershipFactory(role="petugas_opd", opd=w.opd).user)
    new = Actor.staff(MembershipFactory(role="petugas_opd", opd=w.other_opd).user)
    move(w.complaint, Action.REDISPATCH, Actor.staff(w.koordinator), opd=w.other_opd)
    assert_refused_unchanged(w.complaint, PermissionDenied, Action.FOLLOW_UP, old, note=NOTE)
    event = move(w.complaint, Action.FOLLOW_UP, new, note=NOTE).event
    assert (event.actor_role, event.to_status) == (ActorRole.PETUGAS_OPD, Status.FOLLOWED_UP)


@pytest.mark.parametrize(
    ("status", "action", "actor_kind", "inputs", "target"),
    [
        (Status.FOLLOWED_UP, Action.ACCEPT, "citizen", {}, Status.RESOLVED),
        (Status.FOLLOWED_UP, Action.AUTO_RESOLVE, "system", {}, Status.RESOLVED),
        (
            Status.DISPATCHED,
            Action.FORWARD_OUT,
            "koordinator",
            {"institution": INSTITUTION},
            Status.FORWARDED_OUT,
        ),
    ],
)
def test_closing_ends_the_open_hop(db, status, action, actor_kind, inputs, target):
    w = make_world(status)
    actor, _user, _role = make_actor(actor_kind, w)
    [hop] = open_hops(w.complaint.pk)
    now = timezone.now() + timedelta(days=1)
    event = move(w.complaint, action, actor, now=now, **inputs).event
    hop.refresh_from_db()
    assert (hop.opd_id, hop.ended_at, hop.ended_by_id) == (w.opd.pk, now, event.pk)
    assert open_hops(w.complaint.pk) == []
    assert ComplaintHop.objects.filter(complaint=w.complaint).count() == 1
    w.complaint.refresh_from_db()
    assert (w.complaint.status, w.complaint.closed_at, w.complaint.current_opd_id) == (target, now, w.opd.pk)


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.ON_HOLD])
def test_archiving_never_held_complaint_leaves_no_hop(db, status):
    w = make_world(status)
    now = timezone.now() + timedelta(days=1)
    move(w.complaint, Action.ARCHIVE, Actor.staff(w.koordinator), reason=ArchiveReason.NO_RESPONSE, now=now)
    w.complaint.refresh_from_db()
    assert (w.complaint.status, w.complaint.closed_at, w.complaint.current_opd_id) == (
        Status.ARCHIVED,
        now,
        None,
    )
    assert ComplaintHop.objects.filter(complaint=w.complaint).count() == 0


def test_reply_keeps_the_hop_open(db):
    w = make_world(Status.FOLLOWED_UP)
    [hop] = open_hops(w.complaint.pk)
    move(w.complaint, Action.REPLY, Actor.citizen(w.complaint.tracking_secret), note=NOTE)
    assert open_hops(w.complaint.pk) == [hop]
    w.complaint.refresh_from_db()
    assert (w.complaint.status, w.complaint.current_opd_id, w.complaint.closed_at) == (
        Status.DISPATCHED,
        w.opd.pk,
        None,
    )


# ------------------------------------------------------------------------------------- reopen


@pytest.mark.parametrize("actor_kind", ["citizen", "koordinator"])
def test_reopen_within_the_window(db, actor_kind):
    w = make_world(Status.RESOLVED, reopen_window_days=7)
    actor, user, role = make_actor(actor_kind, w)
    closed_at = w.complaint.closed_at
    [old_hop] = ComplaintHop.objects.filter(complaint=w.complaint)
    now = closed_at + timedelta(days=6, hours=23)

    event = move(w.complaint, Action.REOPEN, actor, note=NOTE, now=now).event

    w.complaint.refresh_from_db()
    assert (w.complaint.status, w.complaint.closed_at, w.complaint.status_changed_at) == (
        Status.DISPATCHED,
        None,
        now,
    )
    assert w.complaint.current_opd_id == w.opd.pk
    assert (event.action, event.from_status, event.to_status, event.actor, event.actor_role) == (
        Action.REOPEN,
        Status.RESOLVED,
        Status.DISPATCHED,
        user,
        role,
    )
    hops = list(ComplaintHop.objects.filter(complaint=w.complaint).order_by("pk"))
    assert hops[0] == old_hop
    assert (hops[0].ended_at, hops[0].ended_by_id) == (closed_at, old_hop.ended_by_id)
    assert len(hops) == 2
    assert (hops[1].opd_id, hops[1].started_at, hops[1].started_by_id, hops[1].ended_at) == (
        w.opd.pk,
        now,
        event.pk,
        None,
    )
    # the OPD that held it last can work on it again
    petugas = Actor.staff(MembershipFactory(role="petugas_opd", opd=w.opd).user)
    move(w.complaint, Action.FOLLOW_UP, petugas, note=NOTE, now=now + timedelta(hours=1))


@pytest.mark.parametrize("actor_kind", ["citizen", "koordinator"])
@pytest.mark.parametrize("late_by", [timedelta(days=8), timedelta(days=30)])
def test_reopen_after_the_window_is_refused(db, actor_kind, late_by):
    w = make_world(Status.RESOLVED, reopen_window_days=7)
    actor, _user, _role = make_actor(actor_kind, w)
    now = w.complaint.closed_at + late_by
    error = assert_refused_unchanged(
        w.complaint, ReopenWindowClosed, Action.REOPEN, actor, note=NOTE, now=now
    )
    assert error.code == "reopen_window_closed"


def test_reopen_window_is_per_pemda(db):
    w = make_world(Status.RESOLVED, reopen_window_days=60)
    move(
        w.complaint,
        Action.REOPEN,
        Actor.citizen(w.complaint.tracking_secret),
        note=NOTE,
        now=w.complaint.closed_at + timedelta(days=45),
    )
    w.complaint.refresh_from_db()
    assert w.complaint.status == Status.DISPATCHED


# ---------------------------------------------------------------------------- request_redispatch


def test_request_redispatch_keeps_status_and_writes_one_event(db):
    w = make_world(Status.DISPATCHED)
    user = MembershipFactory(role="petugas_opd", opd=w.opd).user
    before = snapshot(w.complaint.pk)
    now = timezone.now()
    event = move(w.complaint, Action.REQUEST_REDISPATCH, Actor.staff(user), note=NOTE, now=now).event
    after = snapshot(w.complaint.pk)
    assert after["complaint"] == before["complaint"]
    assert after["hops"] == before["hops"]
    assert after["event_total"] == before["event_total"] + 1
    assert (event.action, event.from_status, event.to_status, event.actor, event.actor_role, event.note) == (
        Action.REQUEST_REDISPATCH,
        Status.DISPATCHED,
        Status.DISPATCHED,
        user,
        ActorRole.PETUGAS_OPD,
        NOTE,
    )
    assert (event.opd, event.created_at) == (None, now)


# ------------------------------------------------------------------------------ append-only log


def test_complaint_events_are_append_only(db):
    w = make_world(Status.DISPATCHED)
    events = list(ComplaintEvent.objects.filter(complaint=w.complaint).order_by("pk"))
    assert [e.action for e in events] == [Action.SUBMIT, Action.DISPATCH]
    rows = list(ComplaintEvent.objects.filter(complaint=w.complaint).order_by("pk").values())
    event = events[-1]

    event.note = "diubah"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.save(update_fields=["note"])
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        ComplaintEvent.objects.filter(pk=event.pk).update(note="diubah")
    with pytest.raises(TypeError):
        ComplaintEvent.objects.update(note="diubah")
    with pytest.raises(TypeError):
        ComplaintEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(TypeError):
        ComplaintEvent.objects.all().delete()
    with pytest.raises(TypeError):
        w.complaint.events.update(note="diubah")
    with pytest.raises(TypeError):
        w.complaint.events.all().delete()
    with pytest.raises(TypeError), transaction.atomic():  # bulk_update runs in its own atomic block
        ComplaintEvent.objects.bulk_update(events, ["note"])

    assert list(ComplaintEvent.objects.filter(complaint=w.complaint).order_by("pk").values()) == rows
