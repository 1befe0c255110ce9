"""The one role model (aduan.agencies.selectors.staff_roles): every reader of roles — complaint
scoping, the workflow's actor roles, the staff menu, the compliance dashboard, the canned-response
API and services — sees the same roles, and an inactive membership or an inactive user never
counts anywhere."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aduan.agencies.selectors import staff_roles
from aduan.api.views.canned import my_opd_ids
from aduan.complaints import selectors
from aduan.complaints.models import CannedResponse, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.services import canned_response_save
from aduan.compliance import selectors as compliance_selectors
from aduan.core.exceptions import PermissionDenied
from tests.factories import MembershipFactory, OpdFactory, complaint_in_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    opd = OpdFactory()
    pemda = opd.pemda
    complaint = complaint_in_status(Status.DISPATCHED, pemda=pemda, opd=opd)
    return pemda, opd, complaint


def _every_reader(user, pemda, opd, complaint) -> dict:
    user = type(user).objects.get(pk=user.pk)  # a fresh object, as a new request has
    return {
        "roles": staff_roles(user),
        "visible": list(selectors.complaints_visible_to(user).values_list("pk", flat=True)),
        "actor_roles": set(selectors.actor_roles(Actor.staff(user), complaint)),
        "compliance_pemdas": list(compliance_selectors.pemdas_visible_to(user).values_list("pk", flat=True)),
        "compliance_opds": list(compliance_selectors.opds_visible_to(user).values_list("pk", flat=True)),
        "may_record_evidence": compliance_selectors.may_record_evidence(user, pemda),
        "may_enter_assessment": compliance_selectors.may_enter_assessment(user, pemda),
        "canned_opds": my_opd_ids(user),
    }


@pytest.mark.parametrize("role", ["koordinator", "petugas_opd", "kepala_opd", "ombudsman"])
def test_an_inactive_membership_counts_nowhere(world, role):
    pemda, opd, complaint = world
    place = {"koordinator": {"pemda": pemda}, "ombudsman": {"province": pemda.province}}.get(
        role, {"opd": opd}
    )
    membership = MembershipFactory(role=role, **place)
    user = membership.user

    active = _every_reader(user, pemda, opd, complaint)
    assert active["roles"].is_staff_member
    assert active["visible"] == [complaint.pk]

    membership.is_active = False
    membership.save()
    inactive = _every_reader(user, pemda, opd, complaint)
    assert inactive == {
        "roles": staff_roles(None),
        "visible": [],
        "actor_roles": set(),
        "compliance_pemdas": [],
        "compliance_opds": [],
        "may_record_evidence": False,
        "may_enter_assessment": False,
        "canned_opds": set(),
    }


def test_an_inactive_user_holds_no_role_even_with_active_memberships(world):
    pemda, opd, complaint = world
    user = MembershipFactory(role="petugas_opd", opd=opd).user
    MembershipFactory(user=user, role="koordinator", pemda=pemda)
    user.is_active = False
    user.save()
    readers = _every_reader(user, pemda, opd, complaint)
    assert not readers["roles"].is_staff_member
    assert (readers["visible"], readers["actor_roles"], readers["canned_opds"]) == ([], set(), set())


def test_an_inactive_membership_cannot_keep_canned_responses(world):
    pemda, opd, complaint = world
    membership = MembershipFactory(role="petugas_opd", opd=opd, is_active=False)
    with pytest.raises(PermissionDenied):
        canned_response_save(actor=Actor.staff(membership.user), opd=opd, title="Salam", body="Terima kasih.")
    assert not CannedResponse.objects.exists()


def test_roles_are_read_once_per_user_object(world):
    pemda, opd, complaint = world
    user = MembershipFactory(role="koordinator", pemda=pemda).user
    MembershipFactory(user=user, role="kepala_opd", opd=opd)
    with CaptureQueriesContext(connection) as first:
        roles = staff_roles(user)
    with CaptureQueriesContext(connection) as again:
        assert staff_roles(user) is roles
        selectors.koordinator_pemda_ids(user)
        compliance_selectors.may_record_evidence(user, pemda)
    assert (len(first), len(again)) == (1, 0)
    assert (roles.koordinator_pemda_ids, roles.kepala_opd_ids, roles.opd_pemda_ids) == (
        {pemda.pk},
        {opd.pk},
        {pemda.pk},
    )


def test_the_staff_menu_ignores_an_inactive_membership(client, world):
    pemda, opd, complaint = world
    user = MembershipFactory(role="petugas_opd", opd=opd).user
    MembershipFactory(user=user, role="koordinator", pemda=pemda, is_active=False)
    client.force_login(user)
    page = client.get(reverse("complaints:staff-list"))
    assert page.status_code == 200
    assert reverse("complaints:staff-inbox") in page.content.decode()
    assert reverse("complaints:staff-triage") not in page.content.decode()
