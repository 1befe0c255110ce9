"""Random walks through the complaint state machine (Hypothesis stateful testing).

For each example a fresh complaint is filed; the machine then applies random actions by random
actors, with valid or invalid input, at a moving clock, through ``complaint_transition()``. A
model predicts every outcome (accepted, or which DomainError) and the state after the accepted
moves; invariants about events, status, closed_at and OPD hops are checked after every step.
"""

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

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
    complaint_transition,
)
from aduan.core.exceptions import DomainError, InvalidInput, PermissionDenied
from tests.factories import ComplaintFactory, MembershipFactory, OpdFactory, PemdaFactory, UserFactory

REOPEN_WINDOW_DAYS = 10
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

ACTOR_KINDS = (
    "citizen",
    "citizen_wrong_secret",
    "koordinator",
    "koordinator_other_pemda",
    "petugas_a",
    "petugas_b",
    "kepala_a",
    "ombudsman",
    "ombudsman_other_province",
    "system",
    "no_membership",
)
OPD_CHOICES = (None, "a", "b", "inactive", "other_pemda")
NOTE_CHOICES = ("", "   ", "Mohon ditindaklanjuti.", "x" * NOTE_MAX_LENGTH, "x" * (NOTE_MAX_LENGTH + 1))
REASON_CHOICES = ("", "spam", *ArchiveReason.values)
DUPLICATE_CHOICES = (None, "self", "same_pemda", "other_pemda")
INSTITUTION_CHOICES = ("", "  ", "BPJS Kesehatan", "I" * 201)
# how long passes before a step; the reopen window (REOPEN_WINDOW_DAYS) is passed now and then
WAITS = st.sampled_from(
    [
        timedelta(0),
        timedelta(minutes=5),
        timedelta(hours=1),
        timedelta(days=1),
        timedelta(days=4),
        timedelta(days=11),
    ]
)


class Setup:
    """The Pemda, OPDs and people, made once per test function (outside the machine)."""

    def __init__(self):
        self.pemda = PemdaFactory(reopen_window_days=REOPEN_WINDOW_DAYS)
        other_pemda = PemdaFactory()
        self.opds = {
            "a": OpdFactory(pemda=self.pemda),
            "b": OpdFactory(pemda=self.pemda),
            "inactive": OpdFactory(pemda=self.pemda, is_active=False),
            "other_pemda": OpdFactory(pemda=other_pemda),
        }
        self.users = {
            "koordinator": MembershipFactory(role="koordinator", pemda=self.pemda).user,
            "koordinator_other_pemda": MembershipFactory(role="koordinator", pemda=other_pemda).user,
            "petugas_a": MembershipFactory(role="petugas_opd", opd=self.opds["a"]).user,
            "petugas_b": MembershipFactory(role="petugas_opd", opd=self.opds["b"]).user,
            "kepala_a": MembershipFactory(role="kepala_opd", opd=self.opds["a"]).user,
            "ombudsman": MembershipFactory(role="ombudsman", province=self.pemda.province).user,
            "ombudsman_other_province": MembershipFactory(
                role="ombudsman", province=PemdaFactory().province
            ).user,
            "no_membership": UserFactory(),
        }
        self.same_pemda_complaint = ComplaintFactory(pemda=self.pemda, now=START)
        self.other_pemda_complaint = ComplaintFactory(pemda=other_pemda, now=START)


class ComplaintMachine(RuleBasedStateMachine):
    setup: Setup  # set by the test before running

    @initialize()
    def file_complaint(self):
        self.now = START
        self.complaint = ComplaintFactory(pemda=self.setup.pemda, now=self.now)
        self.accepted = 0
        self.status = Status.SUBMITTED
        self.current_opd_id = None
        self.closed_at = None

    # ------------------------------------------------------------------------------ the model

    def role_of(self, kind: str) -> str | None:
        """The role an actor kind holds for the complaint in the model's state."""
        opd_a, opd_b = self.setup.opds["a"].pk, self.setup.opds["b"].pk
        return {
            "citizen": ActorRole.CITIZEN,
            "koordinator": ActorRole.KOORDINATOR,
            "petugas_a": ActorRole.PETUGAS_OPD if self.current_opd_id == opd_a else None,
            "petugas_b": ActorRole.PETUGAS_OPD if self.current_opd_id == opd_b else None,
            "kepala_a": ActorRole.KEPALA_OPD if self.current_opd_id == opd_a else None,
            "ombudsman": ActorRole.OMBUDSMAN,
            "system": ActorRole.SYSTEM,
        }.get(kind)

    def input_is_valid(self, t, *, note, opd, reason, duplicate_of, institution, planned_date) -> bool:
        note, institution = note.strip(), institution.strip()
        if "note" in t.requires and not note:
            return False
        if len(note) > NOTE_MAX_LENGTH or len(institution) > 200:
            return False
        if "opd" in t.requires:
            if opd is None or opd.pemda_id != self.setup.pemda.pk or not opd.is_active:
                return False
            if t.action == Action.REDISPATCH and opd.pk == self.current_opd_id:
                return False
        if "reason" in t.requires:
            if reason not in ArchiveReason.values:
                return False
            if reason == ArchiveReason.DUPLICATE and (
                duplicate_of is None
                or duplicate_of.pk == self.complaint.pk
                or duplicate_of.pemda_id != self.setup.pemda.pk
            ):
                return False
        return not ("institution" in t.requires and not institution)

    def expected_outcome(self, action, actor_kind, inputs):
        t = TRANSITIONS.get(action)
        if t is None:
            return InvalidInput
        role = self.role_of(actor_kind)
        if role is None or role not in t.roles:
            return PermissionDenied
        if self.status not in t.sources:
            return TransitionNotAllowed
        if not self.input_is_valid(t, **inputs):
            return InvalidInput
        window = timedelta(days=REOPEN_WINDOW_DAYS)
        if action == Action.REOPEN and self.now > self.closed_at + window:
            return ReopenWindowClosed
        return None

    def actor(self, kind: str) -> Actor:
        if kind == "citizen":
            return Actor.citizen(self.complaint.tracking_secret)
        if kind == "citizen_wrong_secret":
            return Actor.citizen(self.complaint.tracking_secret[::-1])
        if kind == "system":
            return Actor.system()
        return Actor.staff(self.setup.users[kind])

    # ------------------------------------------------------------------------------ the rules

    @rule(
        action=st.sampled_from([*TRANSITIONS, "destroy"]),
        actor_kind=st.sampled_from(ACTOR_KINDS),
        opd=st.sampled_from(OPD_CHOICES),
        note=st.sampled_from(NOTE_CHOICES),
        reason=st.sampled_from(REASON_CHOICES),
        duplicate=st.sampled_from(DUPLICATE_CHOICES),
        institution=st.sampled_from(INSTITUTION_CHOICES),
        wait=WAITS,
    )
    def anything(self, action, actor_kind, opd, note, reason, duplicate, institution, wait):
        """Any action by anyone with any input (mostly refused)."""
        self.step(action, actor_kind, wait, opd, note, reason, duplicate, institution)

    @rule(data=st.data(), wait=WAITS)
    def plausible_move(self, data, wait):
        """An action the table allows now, by an actor holding a role for it, with valid input
        (it may still be refused: a reopen after the window)."""
        self.plausible(data, wait, valid_input=True)

    @rule(data=st.data(), wait=WAITS)
    def plausible_move_any_input(self, data, wait):
        """An action the table allows now, by an actor holding a role for it, with any input."""
        self.plausible(data, wait, valid_input=False)

    def plausible(self, data, wait, *, valid_input: bool):
        candidates = [
            (action, kind)
            for action, t in TRANSITIONS.items()
            for kind in ACTOR_KINDS
            if self.status in t.sources and self.role_of(kind) in t.roles
            # the moves into dead ends are drawn less often, so that walks get further
            for _weight in range(1 if action in (Action.ARCHIVE, Action.FORWARD_OUT) else 4)
        ]
        if not candidates:  # archived / forwarded_out: nothing leads out
            return
        action, actor_kind = data.draw(st.sampled_from(candidates), label="move")
        if not valid_input:
            self.step(
                action,
                actor_kind,
                wait,
                data.draw(st.sampled_from(OPD_CHOICES), label="opd"),
                data.draw(st.sampled_from(NOTE_CHOICES), label="note"),
                data.draw(st.sampled_from(REASON_CHOICES), label="reason"),
                data.draw(st.sampled_from(DUPLICATE_CHOICES), label="duplicate"),
                data.draw(st.sampled_from(INSTITUTION_CHOICES), label="institution"),
            )
            return
        opds = ["a", "b"]
        if action == Action.REDISPATCH:
            opds.remove("a" if self.current_opd_id == self.setup.opds["a"].pk else "b")
        opd = data.draw(st.sampled_from(opds), label="opd")
        reason = data.draw(st.sampled_from(ArchiveReason.values), label="reason")
        self.step(action, actor_kind, wait, opd, "Mohon ditindaklanjuti.", reason, "same_pemda", "BPJS")

    def step(self, action, actor_kind, wait, opd, note, reason, duplicate, institution):
        self.now += wait
        inputs = {
            "note": note,
            "opd": self.setup.opds[opd] if opd else None,
            "reason": reason,
            "duplicate_of": {
                None: None,
                "self": self.complaint,
                "same_pemda": self.setup.same_pemda_complaint,
                "other_pemda": self.setup.other_pemda_complaint,
            }[duplicate],
            "institution": institution,
            # always a valid date (the schedule move's own checks: tests/complaints/test_field_progress.py)
            "planned_date": self.now.astimezone(self.setup.pemda.zoneinfo).date() + timedelta(days=3),
        }
        expected = self.expected_outcome(action, actor_kind, inputs)
        row_before = Complaint.objects.filter(pk=self.complaint.pk).values().get()
        events_before = ComplaintEvent.objects.filter(complaint=self.complaint).count()
        hops_before = list(ComplaintHop.objects.filter(complaint=self.complaint).order_by("pk").values())
        result = raised = None
        try:
            result = complaint_transition(
                complaint_id=self.complaint.pk,
                action=action,
                actor=self.actor(actor_kind),
                now=self.now,
                **inputs,
            )
        except DomainError as exc:
            raised = exc
        if raised is not None:
            assert type(raised) is expected, f"{action} by {actor_kind}: {raised!r}, expected {expected}"
            assert Complaint.objects.filter(pk=self.complaint.pk).values().get() == row_before
            assert ComplaintEvent.objects.filter(complaint=self.complaint).count() == events_before
            assert list(ComplaintHop.objects.filter(complaint=self.complaint).order_by("pk").values()) == (
                hops_before
            )
            return
        assert expected is None, f"{action} by {actor_kind} in {self.status} accepted, expected {expected}"

        t = TRANSITIONS[action]
        from_status = self.status
        self.accepted += 1
        self.status = t.target or self.status
        if action in (Action.DISPATCH, Action.REDISPATCH):
            self.current_opd_id = inputs["opd"].pk
        if self.status in CLOSED_STATUSES:
            self.closed_at = self.now
        elif from_status in CLOSED_STATUSES:
            self.closed_at = None
        event = result.event
        assert (event.action, event.from_status, event.to_status, event.actor_role, event.created_at) == (
            action,
            from_status,
            self.status,
            self.role_of(actor_kind),
            self.now,
        )

    # ------------------------------------------------------------------------------ invariants

    @invariant()
    def state_matches_the_model(self):
        c = Complaint.objects.get(pk=self.complaint.pk)
        assert c.status in Status.values
        assert c.status == self.status
        assert c.current_opd_id == self.current_opd_id
        assert c.closed_at == self.closed_at
        if c.status in CLOSED_STATUSES:
            assert c.closed_at is not None
        else:
            assert c.closed_at is None

    @invariant()
    def one_event_per_accepted_move(self):
        events = list(ComplaintEvent.objects.filter(complaint=self.complaint).order_by("created_at", "pk"))
        assert len(events) == self.accepted + 1
        assert (events[0].action, events[0].to_status) == (Action.SUBMIT, Status.SUBMITTED)
        assert events[-1].to_status == self.status
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_status == before.to_status

    @invariant()
    def hops_follow_the_status(self):
        open_hops = list(ComplaintHop.objects.filter(complaint=self.complaint, ended_at__isnull=True))
        assert len(open_hops) <= 1
        if self.status in HELD_BY_OPD_STATUSES:
            assert [h.opd_id for h in open_hops] == [self.current_opd_id]
        else:
            assert open_hops == []


def test_random_walks_keep_the_invariants(db):
    ComplaintMachine.setup = Setup()
    run_state_machine_as_test(
        ComplaintMachine,
        settings=settings(
            max_examples=50,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
