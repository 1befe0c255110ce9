"""Staff services: assignment, internal notes, canned responses, Ombudsman flags, merging
duplicates, bulk moves, search and the shared list filters. Refusals change nothing."""

import pytest
from django.db import IntegrityError, transaction

from aduan.complaints.filters import StaffComplaintFilter
from aduan.complaints.models import (
    CannedResponse,
    Complaint,
    ComplaintEvent,
    ComplaintFlag,
    ComplaintNote,
    ComplaintSupport,
    Status,
)
from aduan.complaints.selectors import Actor, complaint_search, complaints_visible_to
from aduan.complaints.services import (
    ReporterData,
    canned_response_save,
    complaint_assign,
    complaint_flag,
    complaint_merge,
    complaint_note_add,
    complaint_support,
    complaint_unflag,
    complaints_bulk_transition,
)
from aduan.complaints.workflow import Action, Step, complaint_transition
from aduan.core.exceptions import InvalidInput, NotFound, PermissionDenied
from tests.factories import ComplaintFactory, MembershipFactory, OpdFactory, PemdaFactory, complaint_in_status


def _snapshot(complaint):
    complaint.refresh_from_db()
    return (
        complaint.status,
        complaint.assigned_to_id,
        complaint.supporters_count,
        ComplaintEvent.objects.filter(complaint=complaint).count(),
        ComplaintNote.objects.filter(complaint=complaint).count(),
        ComplaintFlag.objects.filter(complaint=complaint).count(),
    )


@pytest.fixture
def held(world):
    return complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )


# --- assignment ---------------------------------------------------------------------------------


def test_petugas_assigns_a_colleague_and_the_timeline_records_it(world, held):
    me, colleague = world.petugas
    complaint_assign(complaint_id=held.pk, actor=Actor.staff(me), assignee_id=colleague.pk)
    held.refresh_from_db()
    assert held.assigned_to == colleague
    event = held.events.last()
    assert (event.action, event.actor, event.to_status) == (Step.ASSIGN, me, Status.DISPATCHED)


@pytest.mark.parametrize("who", ["koordinator", "kepala", "other_petugas"])
def test_only_the_holding_opds_petugas_may_assign(world, held, who):
    before = _snapshot(held)
    with pytest.raises(PermissionDenied):
        complaint_assign(complaint_id=held.pk, actor=Actor.staff(getattr(world, who)), assignee_id=None)
    assert _snapshot(held) == before


def test_assignee_must_be_a_petugas_of_the_holding_opd(world, held):
    before = _snapshot(held)
    for outsider in (world.other_petugas, world.kepala, world.koordinator):
        with pytest.raises(InvalidInput) as exc:
            complaint_assign(
                complaint_id=held.pk, actor=Actor.staff(world.petugas[0]), assignee_id=outsider.pk
            )
        assert exc.value.code == "assignee_invalid"
    assert _snapshot(held) == before


def test_assigning_the_same_officer_twice_records_one_event(world, held):
    actor = Actor.staff(world.petugas[0])
    complaint_assign(complaint_id=held.pk, actor=actor, assignee_id=world.petugas[0].pk)
    before = _snapshot(held)
    complaint_assign(complaint_id=held.pk, actor=actor, assignee_id=world.petugas[0].pk)
    assert _snapshot(held) == before


def test_redispatch_clears_the_assignment(world, held):
    complaint_assign(
        complaint_id=held.pk, actor=Actor.staff(world.petugas[0]), assignee_id=world.petugas[1].pk
    )
    complaint_transition(
        complaint_id=held.pk,
        action=Action.REDISPATCH,
        actor=Actor.staff(world.koordinator),
        opd=world.other_opd,
    )
    held.refresh_from_db()
    assert held.assigned_to is None
    assert held.current_opd == world.other_opd


def test_a_complaint_not_held_by_an_opd_cannot_be_assigned(world):
    followed = complaint_in_status(
        Status.RESOLVED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    before = _snapshot(followed)
    with pytest.raises(InvalidInput) as exc:
        complaint_assign(
            complaint_id=followed.pk, actor=Actor.staff(world.petugas[0]), assignee_id=world.petugas[0].pk
        )
    assert exc.value.code == "not_held_by_opd"
    assert _snapshot(followed) == before


# --- internal notes -------------------------------------------------------------------------------


def test_internal_notes_by_koordinator_and_petugas_never_reach_the_tracking_page(world, held, client):
    complaint_note_add(
        complaint_id=held.pk, actor=Actor.staff(world.koordinator), body="Cek ke lapangan dulu."
    )
    note = complaint_note_add(
        complaint_id=held.pk, actor=Actor.staff(world.petugas[0]), body="RAHASIA-INTERNAL"
    )
    assert note.author_role == "petugas_opd"
    assert list(held.notes.values_list("author_role", flat=True)) == ["koordinator", "petugas_opd"]
    page = client.get(f"/lacak/{held.tracking_secret}/")
    assert page.status_code == 200
    assert "RAHASIA-INTERNAL" not in page.content.decode()


@pytest.mark.parametrize("who", ["kepala", "other_petugas"])
def test_read_only_and_outside_staff_cannot_write_notes(world, held, who):
    before = _snapshot(held)
    with pytest.raises(PermissionDenied):
        complaint_note_add(complaint_id=held.pk, actor=Actor.staff(getattr(world, who)), body="x")
    assert _snapshot(held) == before


@pytest.mark.parametrize(("body", "code"), [("   ", "body_required"), ("x" * 5001, "body_too_long")])
def test_note_input_is_checked(world, held, body, code):
    with pytest.raises(InvalidInput) as exc:
        complaint_note_add(complaint_id=held.pk, actor=Actor.staff(world.petugas[0]), body=body)
    assert exc.value.code == code
    assert not held.notes.exists()


def test_notes_are_append_only(world, held):
    note = complaint_note_add(complaint_id=held.pk, actor=Actor.staff(world.petugas[0]), body="a")
    with pytest.raises(TypeError):
        note.save()
    with pytest.raises(TypeError):
        ComplaintNote.objects.filter(pk=note.pk).update(body="b")
    with pytest.raises(TypeError):
        note.delete()
    assert ComplaintNote.objects.get(pk=note.pk).body == "a"


# --- canned responses -----------------------------------------------------------------------------


def test_opd_staff_keep_canned_responses_with_unique_titles(world):
    actor = Actor.staff(world.petugas[0])
    canned = canned_response_save(actor=actor, opd=world.opd, title="Jalan rusak", body="Sudah ditambal.")
    edited = canned_response_save(
        actor=Actor.staff(world.kepala), opd=world.opd, pk=canned.pk, title="Jalan rusak", body="Diperbaiki."
    )
    assert edited.pk == canned.pk
    assert CannedResponse.objects.get(pk=canned.pk).body == "Diperbaiki."
    with pytest.raises(InvalidInput) as exc:
        canned_response_save(actor=actor, opd=world.opd, title="JALAN RUSAK", body="lain")
    assert exc.value.code == "title_taken"
    assert CannedResponse.objects.count() == 1


def test_canned_responses_of_another_opd_are_out_of_reach(world):
    canned = canned_response_save(actor=Actor.staff(world.petugas[0]), opd=world.opd, title="A", body="B")
    with pytest.raises(PermissionDenied):
        canned_response_save(actor=Actor.staff(world.other_petugas), opd=world.opd, title="X", body="Y")
    with pytest.raises(NotFound):
        canned_response_save(
            actor=Actor.staff(world.other_petugas), opd=world.other_opd, pk=canned.pk, title="X", body="Y"
        )
    with pytest.raises(PermissionDenied):
        canned_response_save(actor=Actor.staff(world.koordinator), opd=world.opd, title="X", body="Y")
    assert list(CannedResponse.objects.values_list("title", "body")) == [("A", "B")]


# --- Ombudsman flag -------------------------------------------------------------------------------


def test_ombudsman_flags_and_clears_once(world, held):
    ombudsman = MembershipFactory(role="ombudsman", province=world.pemda.province).user
    actor = Actor.staff(ombudsman)
    complaint_flag(complaint_id=held.pk, actor=actor, note="Dipantau: aduan berulang.")
    with pytest.raises(InvalidInput):
        complaint_flag(complaint_id=held.pk, actor=actor, note="lagi")
    complaint_unflag(complaint_id=held.pk, actor=actor)
    with pytest.raises(InvalidInput):
        complaint_unflag(complaint_id=held.pk, actor=actor)
    flag = held.flags.get()
    assert flag.cleared_by == ombudsman
    assert flag.cleared_at is not None
    assert list(held.events.filter(action__in=[Step.FLAG, Step.UNFLAG]).values_list("action", flat=True)) == [
        "flag",
        "unflag",
    ]


def test_only_one_open_flag_per_complaint_in_the_database(world, held):
    ombudsman = MembershipFactory(role="ombudsman", province=world.pemda.province).user
    ComplaintFlag.objects.create(complaint=held, note="a", flagged_by=ombudsman)
    with pytest.raises(IntegrityError), transaction.atomic():
        ComplaintFlag.objects.create(complaint=held, note="b", flagged_by=ombudsman)


def test_ombudsman_of_another_province_and_pemda_staff_cannot_flag(world, held):
    outsider = MembershipFactory(role="ombudsman", province=PemdaFactory().province).user
    before = _snapshot(held)
    for user in (outsider, world.koordinator, world.petugas[0]):
        with pytest.raises(PermissionDenied):
            complaint_flag(complaint_id=held.pk, actor=Actor.staff(user), note="x")
    assert _snapshot(held) == before


# --- merge ----------------------------------------------------------------------------------------


def test_merge_archives_the_duplicate_and_moves_its_supporters(world):
    original = ComplaintFactory(pemda=world.pemda)
    duplicate = ComplaintFactory(pemda=world.pemda)
    complaint_support(complaint_id=original.pk, supporter_key="warga-1")
    complaint_support(complaint_id=duplicate.pk, supporter_key="warga-1")  # supports both: counted once
    complaint_support(complaint_id=duplicate.pk, supporter_key="warga-2")
    complaint_merge(duplicate_id=duplicate.pk, original_id=original.pk, actor=Actor.staff(world.koordinator))
    original.refresh_from_db()
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.archive_reason, duplicate.duplicate_of) == (
        Status.ARCHIVED,
        "duplicate",
        original,
    )
    # warga-1 once, warga-2 moved, and the duplicate's own reporter counts as one more supporter
    assert original.supporters_count == 3 == original.supports.count()
    assert duplicate.events.last().action == Action.ARCHIVE


@pytest.mark.parametrize("case", ["petugas", "other_pemda", "self", "original_archived"])
def test_refused_merges_change_nothing(world, case):
    original = ComplaintFactory(pemda=world.pemda)
    duplicate = ComplaintFactory(pemda=world.pemda)
    complaint_support(complaint_id=duplicate.pk, supporter_key="warga-9")
    actor = Actor.staff(world.koordinator)
    original_id = original.pk
    if case == "petugas":
        actor = Actor.staff(world.petugas[0])
    elif case == "other_pemda":
        original_id = ComplaintFactory(pemda=PemdaFactory()).pk
    elif case == "self":
        original_id = duplicate.pk
    elif case == "original_archived":
        complaint_transition(
            complaint_id=original.pk, action=Action.ARCHIVE, actor=actor, reason="unintelligible"
        )
    before = (
        _snapshot(duplicate),
        ComplaintSupport.objects.count(),
        Complaint.objects.get(pk=original_id).supporters_count,
    )
    with pytest.raises((PermissionDenied, InvalidInput)):
        complaint_merge(duplicate_id=duplicate.pk, original_id=original_id, actor=actor)
    after = (
        _snapshot(duplicate),
        ComplaintSupport.objects.count(),
        Complaint.objects.get(pk=original_id).supporters_count,
    )
    assert after == before


# --- bulk moves -----------------------------------------------------------------------------------


def test_bulk_dispatch_does_each_allowed_one_and_leaves_refused_ones_unchanged(world):
    fresh = [ComplaintFactory(pemda=world.pemda) for _ in range(2)]
    archived = complaint_in_status(Status.ARCHIVED, pemda=world.pemda, koordinator=world.koordinator)
    foreign = ComplaintFactory(pemda=PemdaFactory())
    before = {c.pk: _snapshot(c) for c in (archived, foreign)}
    result = complaints_bulk_transition(
        complaint_ids=[fresh[0].pk, archived.pk, fresh[1].pk, foreign.pk, fresh[0].pk],
        action=Action.DISPATCH,
        actor=Actor.staff(world.koordinator),
        opd=world.opd,
    )
    assert result.done == [fresh[0].pk, fresh[1].pk]
    assert [(pk, exc.code) for pk, exc in result.refused] == [
        (archived.pk, "transition_not_allowed"),
        (foreign.pk, "role_not_allowed"),
    ]
    assert {c.pk: _snapshot(c) for c in (archived, foreign)} == before
    assert set(Complaint.objects.filter(pk__in=result.done).values_list("status", flat=True)) == {
        Status.DISPATCHED
    }


def test_bulk_refuses_actions_that_need_individual_judgement(world):
    c = ComplaintFactory(pemda=world.pemda)
    with pytest.raises(InvalidInput):
        complaints_bulk_transition(
            complaint_ids=[c.pk], action=Action.FOLLOW_UP, actor=Actor.staff(world.koordinator)
        )
    assert _snapshot(c)[0] == Status.SUBMITTED


# --- search and filters ---------------------------------------------------------------------------


@pytest.fixture
def searchable(world):
    road = ComplaintFactory(
        pemda=world.pemda,
        title="Jalan berlubang di Sepinggan",
        chronology="Lubang besar.",
        reporter=ReporterData(name="Ani", email="ani@example.id", phone="081399988877"),
    )
    water = ComplaintFactory(
        pemda=world.pemda,
        title="Air PDAM mati",
        chronology="Sudah tiga hari air tidak mengalir di Gunung Samarinda.",
        reporter=ReporterData(name="Budi", email="budi.rahasia@example.id", phone="081234567890"),
        is_anonymous=True,
    )
    return road, water


def _search(user, q):
    return set(complaint_search(complaints_visible_to(user), q, user=user))


def test_search_by_ticket_number_words_and_tail(world, searchable):
    road, water = searchable
    user = world.koordinator
    assert _search(user, road.ticket_number.lower()) == {road}
    assert _search(user, str(int(water.ticket_number.rsplit("-", 1)[1]))) == {water}
    assert _search(user, "berlubang") == {road}
    assert _search(user, "mengalir samarinda") == {water}
    assert _search(user, "tidak-ada-kata-ini") == set()


def test_contact_search_is_for_the_koordinator_only(world, searchable):
    _road, water = searchable
    assert _search(world.koordinator, "budi.rahasia@example.id") == {water}
    assert _search(world.koordinator, "+62 812-3456-7890") == {water}
    complaint_transition(
        complaint_id=water.pk, action=Action.DISPATCH, actor=Actor.staff(world.koordinator), opd=world.opd
    )
    assert _search(world.petugas[0], "budi.rahasia@example.id") == set()
    assert _search(world.petugas[0], "Samarinda") == {water}


def test_search_never_widens_the_scope(world, searchable):
    road, _water = searchable
    assert _search(world.other_petugas, road.ticket_number) == set()
    assert _search(world.other_petugas, "berlubang") == set()


def _filtered(user, **params):
    from django.test import RequestFactory

    request = RequestFactory().get("/staf/", params)
    request.user = user
    f = StaffComplaintFilter(request.GET, queryset=complaints_visible_to(user), request=request)
    assert f.is_valid(), f.errors
    return list(f.qs)


def test_filters_assigned_status_and_sort(world):
    a = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    b = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    me = world.petugas[0]
    complaint_assign(complaint_id=a.pk, actor=Actor.staff(me), assignee_id=me.pk)
    assert _filtered(me, assigned="me") == [a]
    assert _filtered(me, assigned="none") == [b]
    assert _filtered(world.koordinator, status=["dispatched"], sort="oldest") == [a, b]
    assert _filtered(world.koordinator, status=["dispatched"], sort="newest") == [b, a]
    assert _filtered(world.koordinator, status=["submitted"]) == []
    assert _filtered(world.koordinator, opd=world.other_opd.pk) == []


def test_filters_overdue_and_breached(world, default_policies):
    from datetime import timedelta

    from django.utils import timezone

    from aduan.sla.services import deadlines_sweep

    late = ComplaintFactory(pemda=world.pemda, now=timezone.now() - timedelta(days=30))
    fresh = ComplaintFactory(pemda=world.pemda)
    assert _filtered(world.koordinator, due="overdue") == [late]
    assert fresh not in _filtered(world.koordinator, due="overdue")
    assert _filtered(world.koordinator, breached="true") == []
    deadlines_sweep(now=timezone.now())
    assert _filtered(world.koordinator, breached="true") == [late]
    assert _filtered(world.koordinator, breached="false") == [fresh]


def test_filter_choices_reach_only_the_users_pemdas(world):
    from django.test import RequestFactory

    ComplaintFactory(pemda=world.pemda)
    other = PemdaFactory()
    ComplaintFactory(pemda=other)
    foreign_opd = OpdFactory(pemda=other)
    for params in ({"pemda": other.pk}, {"opd": foreign_opd.pk}):
        request = RequestFactory().get("/staf/", params)
        request.user = world.koordinator
        f = StaffComplaintFilter(
            request.GET, queryset=complaints_visible_to(world.koordinator), request=request
        )
        assert not f.is_valid()  # not a choice offered to this user: the list shows nothing
    request = RequestFactory().get("/staf/")
    request.user = world.petugas[0]
    f = StaffComplaintFilter(request.GET, queryset=complaints_visible_to(world.petugas[0]), request=request)
    assert set(f.form.fields["opd"].queryset) == {world.opd, world.other_opd}
    assert set(f.form.fields["pemda"].queryset) == {world.pemda}
