"""Who sees which complaint, and whose identity (docs/architecture.md: roles): selectors scoped by role.

World: Pemda 1 (province 1) with OPDs A and B, Pemda 2 (province 2) with OPD C, complaints in
every status, one re-dispatched from A to B and one dispatched to A then forwarded out.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from aduan.complaints.models import ActorRole, Status
from aduan.complaints.selectors import (
    Actor,
    actor_roles,
    complaint_by_secret,
    complaint_get_for,
    complaints_held_by,
    complaints_visible_to,
    reporter_identity_for,
)
from aduan.complaints.services import ReporterData
from aduan.complaints.workflow import Action, complaint_transition
from aduan.core.exceptions import NotFound
from aduan.users.models import User
from tests.factories import (
    ComplaintFactory,
    MembershipFactory,
    OpdFactory,
    PemdaFactory,
    ProvinceFactory,
    UserFactory,
    complaint_in_status,
)


def fresh(user):
    """The same user re-read from the database (no membership cache from earlier calls)."""
    return User.objects.get(pk=user.pk)


def visible_ids(user) -> list[int]:
    return sorted(complaints_visible_to(user).values_list("pk", flat=True))


@dataclass
class World:
    pemda_1: object
    pemda_2: object
    opd_a: object
    opd_b: object
    opd_c: object
    koor_1: object
    koor_2: object
    petugas_a: object
    petugas_b: object
    petugas_c: object
    kepala_a: object
    omb_1: object
    omb_2: object
    c: dict  # name -> Complaint

    def ids(self, *names) -> list[int]:
        return sorted(self.c[n].pk for n in names)


PEMDA_1 = (
    "submitted",
    "submitted_target_a",
    "on_hold",
    "archived",
    "forwarded",
    "dispatched_a",
    "followed_up_a",
    "resolved_a",
    "dispatched_b",
    "redispatched_a_to_b",
    "forwarded_from_a",
    "anon_a",
    "anon_a_to_b",
)
PEMDA_2 = ("submitted_2", "dispatched_c")
HELD_BY_A = (
    "dispatched_a",
    "followed_up_a",
    "resolved_a",
    "redispatched_a_to_b",
    "forwarded_from_a",
    "anon_a",
    "anon_a_to_b",
)
HELD_BY_B = ("dispatched_b", "redispatched_a_to_b", "anon_a_to_b")

ANON_REPORTER = ReporterData(name="Siti Rahmawati", email="siti@example.id", phone="081311112222")


@pytest.fixture
def world(db) -> World:
    prov_1, prov_2 = ProvinceFactory(), ProvinceFactory()
    pemda_1, pemda_2 = PemdaFactory(province=prov_1), PemdaFactory(province=prov_2)
    opd_a, opd_b = OpdFactory(pemda=pemda_1), OpdFactory(pemda=pemda_1)
    opd_c = OpdFactory(pemda=pemda_2)
    koor_1 = MembershipFactory(role="koordinator", pemda=pemda_1).user
    koor_2 = MembershipFactory(role="koordinator", pemda=pemda_2).user

    def make(status, pemda=pemda_1, opd=opd_a, **kw):
        koor = koor_1 if pemda == pemda_1 else koor_2
        return complaint_in_status(status, pemda=pemda, opd=opd, koordinator=koor, **kw)

    def redispatch(complaint, opd):
        complaint_transition(
            complaint_id=complaint.pk, action=Action.REDISPATCH, actor=Actor.staff(koor_1), opd=opd
        )
        complaint.refresh_from_db()
        return complaint

    c = {
        "submitted": make(Status.SUBMITTED),
        "submitted_target_a": make(Status.SUBMITTED, target_opd=opd_a),
        "on_hold": make(Status.ON_HOLD, target_opd=opd_a),
        "archived": make(Status.ARCHIVED),
        "forwarded": make(Status.FORWARDED_OUT),
        "dispatched_a": make(Status.DISPATCHED),
        "followed_up_a": make(Status.FOLLOWED_UP),
        "resolved_a": make(Status.RESOLVED),
        "dispatched_b": make(Status.DISPATCHED, opd=opd_b, target_opd=opd_a),
        "redispatched_a_to_b": redispatch(make(Status.DISPATCHED), opd_b),
        "anon_a": make(Status.DISPATCHED, is_anonymous=True, reporter=ANON_REPORTER),
        "anon_a_to_b": redispatch(make(Status.DISPATCHED, is_anonymous=True, reporter=ANON_REPORTER), opd_b),
        "submitted_2": make(Status.SUBMITTED, pemda=pemda_2, opd=opd_c),
        "dispatched_c": make(Status.DISPATCHED, pemda=pemda_2, opd=opd_c),
    }
    forwarded_from_a = make(Status.DISPATCHED)
    complaint_transition(
        complaint_id=forwarded_from_a.pk,
        action=Action.FORWARD_OUT,
        actor=Actor.staff(koor_1),
        institution="PLN",
    )
    forwarded_from_a.refresh_from_db()
    c["forwarded_from_a"] = forwarded_from_a
    assert set(c) == set(PEMDA_1) | set(PEMDA_2)
    assert c["redispatched_a_to_b"].current_opd_id == opd_b.pk
    assert c["forwarded_from_a"].status == Status.FORWARDED_OUT
    assert c["submitted_target_a"].target_opd_id == opd_a.pk

    return World(
        pemda_1=pemda_1,
        pemda_2=pemda_2,
        opd_a=opd_a,
        opd_b=opd_b,
        opd_c=opd_c,
        koor_1=fresh(koor_1),
        koor_2=fresh(koor_2),
        petugas_a=MembershipFactory(role="petugas_opd", opd=opd_a).user,
        petugas_b=MembershipFactory(role="petugas_opd", opd=opd_b).user,
        petugas_c=MembershipFactory(role="petugas_opd", opd=opd_c).user,
        kepala_a=MembershipFactory(role="kepala_opd", opd=opd_a).user,
        omb_1=MembershipFactory(role="ombudsman", province=prov_1).user,
        omb_2=MembershipFactory(role="ombudsman", province=prov_2).user,
        c=c,
    )


# -- complaints_visible_to -----------------------------------------------------------------------


def test_held_by_is_the_visible_complaints_whose_current_opd_is_asked_for(world):
    """The inbox's and kepala's selector reads without the hops' EXISTS; the rows are the same as
    the visible complaints filtered by current OPD, for every role, OPD asked for and status."""
    both = MembershipFactory(role="koordinator", pemda=world.pemda_1).user  # koordinator and petugas B
    MembershipFactory(role="petugas_opd", opd=world.opd_b, user=both)
    lapsed = MembershipFactory(role="petugas_opd", opd=world.opd_a).user  # petugas A no more, C still
    lapsed.memberships.update(is_active=False)
    MembershipFactory(role="petugas_opd", opd=world.opd_c, user=lapsed)
    users = [world.petugas_a, world.petugas_b, world.petugas_c, world.kepala_a, world.koor_1, world.omb_1]
    users += [both, lapsed]
    opds = [world.opd_a, world.opd_b, world.opd_c]
    for user in users:
        for asked in ([o.pk for o in opds], [world.opd_a.pk], [world.opd_b.pk], []):
            held = sorted(complaints_held_by(fresh(user), asked).values_list("pk", flat=True))
            mine = set(asked) & {m.opd_id for m in user.memberships.filter(is_active=True) if m.opd_id}
            visible = complaints_visible_to(fresh(user)).filter(current_opd_id__in=mine)
            expected = sorted(visible.values_list("pk", flat=True))
            assert held == expected, (user, asked)
    # what that means for OPD A's officer: A holds these now (not what A passed on to B)
    held = complaints_held_by(fresh(world.petugas_a), [world.opd_a.pk])
    assert sorted(held.values_list("pk", flat=True)) == world.ids(
        "dispatched_a", "followed_up_a", "resolved_a", "forwarded_from_a", "anon_a"
    )
    # an OPD the user does not work for gives nothing, even asked for by id
    assert not complaints_held_by(fresh(world.petugas_a), [world.opd_b.pk, world.opd_c.pk]).exists()
    assert not complaints_held_by(AnonymousUser(), [world.opd_a.pk]).exists()
    assert not complaints_held_by(fresh(lapsed), [world.opd_a.pk]).exists()  # the lapsed role gives nothing
    assert (
        complaints_held_by(fresh(lapsed), [world.opd_a.pk, world.opd_c.pk]).get() == world.c["dispatched_c"]
    )
    assert sorted(
        complaints_held_by(fresh(both), [world.opd_b.pk]).values_list("pk", flat=True)
    ) == world.ids(*HELD_BY_B)


def test_koordinator_sees_all_of_own_pemda_and_nothing_else(world):
    assert visible_ids(world.koor_1) == world.ids(*PEMDA_1)
    assert visible_ids(world.koor_2) == world.ids(*PEMDA_2)


def test_petugas_sees_what_their_opd_holds_or_held_but_not_undispatched_targets(world):
    assert visible_ids(world.petugas_a) == world.ids(*HELD_BY_A)
    assert visible_ids(world.petugas_b) == world.ids(*HELD_BY_B)
    assert visible_ids(world.petugas_c) == world.ids("dispatched_c")
    # explicitly: citizen-chosen target A, not dispatched yet -> not A's business
    a_ids = set(visible_ids(world.petugas_a))
    assert world.c["submitted_target_a"].pk not in a_ids
    assert world.c["on_hold"].pk not in a_ids
    # re-dispatched A -> B: both see it
    assert world.c["redispatched_a_to_b"].pk in a_ids
    assert world.c["redispatched_a_to_b"].pk in set(visible_ids(world.petugas_b))


def test_kepala_sees_the_same_as_petugas_of_the_same_opd(world):
    assert visible_ids(world.kepala_a) == visible_ids(world.petugas_a) == world.ids(*HELD_BY_A)


def test_ombudsman_sees_the_pemdas_of_their_province(world):
    assert visible_ids(world.omb_1) == world.ids(*PEMDA_1)
    assert visible_ids(world.omb_2) == world.ids(*PEMDA_2)


def test_no_membership_anonymous_and_none_see_nothing(world):
    assert visible_ids(UserFactory()) == []
    assert visible_ids(AnonymousUser()) == []
    assert visible_ids(None) == []


def test_inactive_user_sees_nothing(world):
    user = MembershipFactory(role="koordinator", pemda=world.pemda_1).user
    assert len(visible_ids(fresh(user))) == len(PEMDA_1)  # the same user, while active
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert visible_ids(fresh(user)) == []


def test_inactive_membership_grants_nothing(world):
    for role, place in (
        ("koordinator", {"pemda": world.pemda_1}),
        ("petugas_opd", {"opd": world.opd_a}),
        ("kepala_opd", {"opd": world.opd_a}),
        ("ombudsman", {"province": world.pemda_1.province}),
    ):
        user = MembershipFactory(role=role, is_active=False, **place).user
        assert visible_ids(user) == [], role


def test_two_memberships_see_the_union(world):
    user = MembershipFactory(role="petugas_opd", opd=world.opd_a).user
    MembershipFactory(user=user, role="koordinator", pemda=world.pemda_2)
    assert visible_ids(fresh(user)) == world.ids(*HELD_BY_A, *PEMDA_2)

    both_ombudsman = MembershipFactory(role="ombudsman", province=world.pemda_1.province).user
    MembershipFactory(user=both_ombudsman, role="ombudsman", province=world.pemda_2.province)
    assert visible_ids(fresh(both_ombudsman)) == world.ids(*PEMDA_1, *PEMDA_2)


def test_overlapping_memberships_yield_no_duplicate_rows(world):
    user = MembershipFactory(role="koordinator", pemda=world.pemda_1).user
    MembershipFactory(user=user, role="petugas_opd", opd=world.opd_a)
    MembershipFactory(user=user, role="kepala_opd", opd=world.opd_b)
    MembershipFactory(user=user, role="ombudsman", province=world.pemda_1.province)
    pks = list(complaints_visible_to(fresh(user)).values_list("pk", flat=True))
    assert sorted(pks) == world.ids(*PEMDA_1)  # each exactly once


# -- complaint_get_for / complaint_by_secret -----------------------------------------------------


def test_complaint_get_for_returns_in_scope_and_raises_not_found_otherwise(world):
    c = world.c
    assert complaint_get_for(user=world.koor_1, pk=c["dispatched_a"].pk) == c["dispatched_a"]
    assert complaint_get_for(user=world.petugas_a, pk=c["redispatched_a_to_b"].pk).pk == (
        c["redispatched_a_to_b"].pk
    )
    for user, name in (
        (world.koor_1, "dispatched_c"),
        (world.koor_2, "dispatched_a"),
        (world.petugas_a, "dispatched_b"),
        (world.petugas_a, "submitted_target_a"),
        (world.petugas_c, "dispatched_a"),
        (world.omb_2, "submitted"),
        (UserFactory(), "submitted"),
        (AnonymousUser(), "submitted"),
    ):
        with pytest.raises(NotFound):
            complaint_get_for(user=user, pk=c[name].pk)
    with pytest.raises(NotFound):
        complaint_get_for(user=world.koor_1, pk=999_999_999)


def test_complaint_by_secret(world):
    complaint = world.c["anon_a"]
    secret = complaint.tracking_secret
    assert len(secret) == 43
    assert complaint_by_secret(secret).pk == complaint.pk
    other = world.c["dispatched_a"].tracking_secret
    assert complaint_by_secret(other).pk == world.c["dispatched_a"].pk
    for bad in ("", None, secret[:-1], secret + "x", secret.upper(), "x" * 65, secret + "x" * 30):
        with pytest.raises(NotFound):
            complaint_by_secret(bad)


# -- reporter identity ---------------------------------------------------------------------------


def identity_name(actor, complaint):
    identity = reporter_identity_for(actor=actor, complaint=complaint)
    return None if identity is None else identity.name


def test_anonim_identity_only_for_koordinator_and_reporter(world):
    anon = world.c["anon_a"]
    staff = Actor.staff
    assert identity_name(staff(world.koor_1), anon) == "Siti Rahmawati"
    identity = reporter_identity_for(actor=Actor.citizen(anon.tracking_secret), complaint=anon)
    assert (identity.name, identity.email, identity.phone) == (
        "Siti Rahmawati",
        "siti@example.id",
        "081311112222",
    )
    for actor in (
        staff(world.petugas_a),
        staff(world.kepala_a),
        staff(world.omb_1),
        Actor.system(),
        staff(UserFactory()),
        staff(world.koor_2),
        Actor.citizen(world.c["dispatched_a"].tracking_secret),  # someone else's secret
        staff(AnonymousUser()),
    ):
        assert reporter_identity_for(actor=actor, complaint=anon) is None, actor

    moved = world.c["anon_a_to_b"]
    assert identity_name(staff(world.koor_1), moved) == "Siti Rahmawati"
    assert identity_name(Actor.citizen(moved.tracking_secret), moved) == "Siti Rahmawati"
    assert reporter_identity_for(actor=staff(world.petugas_a), complaint=moved) is None  # past holder
    assert reporter_identity_for(actor=staff(world.petugas_b), complaint=moved) is None  # holder


def test_non_anonim_identity_for_staff_in_scope_only(world):
    complaint = world.c["dispatched_a"]
    staff = Actor.staff
    for actor in (
        staff(world.koor_1),
        staff(world.petugas_a),
        staff(world.kepala_a),
        staff(world.omb_1),
        Actor.citizen(complaint.tracking_secret),
    ):
        assert identity_name(actor, complaint) == "Budi Santoso", actor
    for actor in (
        staff(UserFactory()),
        staff(world.koor_2),
        staff(world.petugas_b),
        staff(world.petugas_c),
        staff(world.omb_2),
        staff(AnonymousUser()),
        Actor.citizen(world.c["anon_a"].tracking_secret),
    ):
        assert reporter_identity_for(actor=actor, complaint=complaint) is None, actor

    moved = world.c["redispatched_a_to_b"]
    assert identity_name(staff(world.petugas_a), moved) == "Budi Santoso"  # past holder
    assert identity_name(staff(world.petugas_b), moved) == "Budi Santoso"  # holder
    assert identity_name(staff(world.kepala_a), world.c["forwarded_from_a"]) == "Budi Santoso"
    # a citizen-chosen target that was never dispatched there does not open the identity
    not_yet_dispatched = world.c["submitted_target_a"]
    assert reporter_identity_for(actor=staff(world.petugas_a), complaint=not_yet_dispatched) is None


def test_inactive_staff_get_no_identity(world):
    user = MembershipFactory(role="koordinator", pemda=world.pemda_1).user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert reporter_identity_for(actor=Actor.staff(fresh(user)), complaint=world.c["dispatched_a"]) is None
    assert reporter_identity_for(actor=Actor.staff(fresh(user)), complaint=world.c["anon_a"]) is None


# -- actor_roles ---------------------------------------------------------------------------------


def test_actor_roles_for_each_kind_of_actor(world):
    c, R, staff = world.c, ActorRole, Actor.staff
    d_a = c["dispatched_a"]
    cases = [
        (Actor.system(), d_a, {R.SYSTEM}),
        (Actor.citizen(d_a.tracking_secret), d_a, {R.CITIZEN}),
        (Actor.citizen(c["anon_a"].tracking_secret), d_a, set()),
        (Actor.citizen(""), d_a, set()),
        (staff(world.koor_1), d_a, {R.KOORDINATOR}),
        (staff(world.koor_1), c["dispatched_c"], set()),
        (staff(world.koor_2), d_a, set()),
        (staff(world.petugas_a), d_a, {R.PETUGAS_OPD}),
        (staff(world.petugas_a), c["redispatched_a_to_b"], set()),  # past holder: no role
        (staff(world.petugas_b), c["redispatched_a_to_b"], {R.PETUGAS_OPD}),
        (staff(world.petugas_a), c["submitted_target_a"], set()),  # target only, not dispatched
        (staff(world.petugas_b), d_a, set()),
        (staff(world.kepala_a), d_a, {R.KEPALA_OPD}),
        (staff(world.kepala_a), c["dispatched_b"], set()),
        (staff(world.omb_1), d_a, {R.OMBUDSMAN}),
        (staff(world.omb_1), c["dispatched_c"], set()),
        (staff(world.omb_2), c["dispatched_c"], {R.OMBUDSMAN}),
        (staff(world.omb_2), d_a, set()),
        (staff(UserFactory()), d_a, set()),
        (staff(AnonymousUser()), d_a, set()),
        (Actor(), d_a, set()),
    ]
    for actor, complaint, expected in cases:
        assert actor_roles(actor, complaint) == frozenset(expected), (actor, complaint)


def test_actor_roles_reporter_account_multiple_memberships_and_inactive(world):
    R = ActorRole
    reporter = UserFactory()
    own = ComplaintFactory(pemda=world.pemda_1, reporter_user=reporter)
    assert actor_roles(Actor.staff(reporter), own) == frozenset({R.CITIZEN})
    assert actor_roles(Actor.citizen(own.tracking_secret, user=reporter), own) == frozenset({R.CITIZEN})
    assert actor_roles(Actor.staff(reporter), world.c["dispatched_a"]) == frozenset()

    multi = MembershipFactory(role="koordinator", pemda=world.pemda_1).user
    MembershipFactory(user=multi, role="petugas_opd", opd=world.opd_a)
    MembershipFactory(user=multi, role="ombudsman", province=world.pemda_1.province)
    assert actor_roles(Actor.staff(fresh(multi)), world.c["dispatched_a"]) == frozenset(
        {R.KOORDINATOR, R.PETUGAS_OPD, R.OMBUDSMAN}
    )
    assert actor_roles(Actor.staff(fresh(multi)), world.c["dispatched_b"]) == frozenset(
        {R.KOORDINATOR, R.OMBUDSMAN}
    )

    inactive_membership = MembershipFactory(role="koordinator", pemda=world.pemda_1, is_active=False).user
    assert actor_roles(Actor.staff(inactive_membership), world.c["dispatched_a"]) == frozenset()

    inactive_user = MembershipFactory(role="koordinator", pemda=world.pemda_1).user
    inactive_user.is_active = False
    inactive_user.save(update_fields=["is_active"])
    assert actor_roles(Actor.staff(fresh(inactive_user)), world.c["dispatched_a"]) == frozenset()
    # an inactive account still holds the citizen role through the tracking secret alone
    assert actor_roles(
        Actor.citizen(world.c["dispatched_a"].tracking_secret, user=fresh(inactive_user)),
        world.c["dispatched_a"],
    ) == frozenset({R.CITIZEN})


# -- query counts --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["koordinator", "petugas_opd", "kepala_opd", "ombudsman", "multi"])
def test_visible_list_costs_a_fixed_number_of_queries(db, django_assert_num_queries, role):
    pemda = PemdaFactory()
    opd = OpdFactory(pemda=pemda)
    koor = MembershipFactory(role="koordinator", pemda=pemda).user
    place = {
        "koordinator": {"pemda": pemda},
        "petugas_opd": {"opd": opd},
        "kepala_opd": {"opd": opd},
        "ombudsman": {"province": pemda.province},
        "multi": {"opd": opd},
    }[role]
    user = MembershipFactory(role="petugas_opd" if role == "multi" else role, **place).user
    if role == "multi":
        MembershipFactory(user=user, role="koordinator", pemda=pemda)
        MembershipFactory(user=user, role="ombudsman", province=pemda.province)

    def add(n):
        for _ in range(n):
            complaint_in_status(Status.DISPATCHED, pemda=pemda, opd=opd, koordinator=koor)

    add(3)
    reread = fresh(user)
    with django_assert_num_queries(2):  # the memberships, then the complaints
        assert len(list(complaints_visible_to(reread))) == 3
    add(27)
    reread = fresh(user)
    with django_assert_num_queries(2):
        assert len(list(complaints_visible_to(reread))) == 30

    cached = fresh(user)
    complaints_visible_to(cached).exists()
    with django_assert_num_queries(1):  # memberships are read once per user object
        assert len(list(complaints_visible_to(cached))) == 30


def test_visible_list_for_nobody_costs_at_most_the_membership_query(db, django_assert_num_queries):
    complaint_in_status(Status.SUBMITTED)
    nobody = UserFactory()
    with django_assert_num_queries(0):
        assert list(complaints_visible_to(AnonymousUser())) == []
    with django_assert_num_queries(1):
        assert list(complaints_visible_to(nobody)) == []


def test_complaint_page_reads_what_complaint_get_for_reads_compiled_once(world, sql_compilations):
    """The staff page's compiled-once read (ComplaintPage) gives the same complaint and the same
    NotFound as complaint_get_for, for every role and scope size, and compiles nothing after the
    first read of a scope size."""
    from aduan.complaints.selectors import ComplaintPage

    page = ComplaintPage(related=("pemda", "current_opd"))
    c = world.c
    two_roles = MembershipFactory(role="petugas_opd", opd=world.opd_a).user
    MembershipFactory(user=two_roles, role="koordinator", pemda=world.pemda_2)
    users = [world.koor_1, world.koor_2, world.petugas_a, world.petugas_b, world.kepala_a, world.omb_1]
    users += [world.omb_2, fresh(two_roles), UserFactory(), AnonymousUser()]
    for user in users:
        for complaint in c.values():
            try:
                expected = complaint_get_for(user=user, pk=complaint.pk, related=("pemda", "current_opd"))
            except NotFound:
                with pytest.raises(NotFound):
                    page.get(user=user, pk=complaint.pk)
                continue
            got = page.get(user=user, pk=complaint.pk)
            assert (got.pk, got.status, got.current_opd_id) == (
                expected.pk,
                expected.status,
                expected.current_opd_id,
            )
            assert got.pemda.name == expected.pemda.name
    assert len(page._shapes._shapes) == 4  # (1 Pemda), (1 OPD), (1 province), (1 Pemda and 1 OPD)

    del sql_compilations[:]
    assert page.get(user=world.koor_2, pk=c["dispatched_c"].pk).pk == c["dispatched_c"].pk
    with pytest.raises(NotFound):
        page.get(user=world.petugas_b, pk=c["dispatched_a"].pk)
    assert sql_compilations == []
