"""Canned responses through the API (aduan/api/views/canned.py): the OPD's petugas and kepala
list, add and edit their own OPD's; another OPD's are never listed and answer 404; anyone without
an OPD role is refused. Refused writes change nothing."""

import pytest

from aduan.complaints.models import CannedResponse
from aduan.complaints.selectors import Actor
from aduan.complaints.services import canned_response_save
from tests.factories import MembershipFactory, UserFactory

LIST = "/api/v1/staff/canned-responses/"


def detail(canned):
    return f"{LIST}{canned.pk}/"


@pytest.fixture
def responses(world):
    """One response of world.opd (by its kepala) and one of world.other_opd."""
    own = canned_response_save(
        actor=Actor.staff(world.kepala), opd=world.opd, title="Sudah ditambal", body="Lubang sudah ditambal."
    )
    other = canned_response_save(
        actor=Actor.staff(world.other_kepala), opd=world.other_opd, title="Lampu", body="Lampu diganti."
    )
    return own, other


def rows():
    return sorted(CannedResponse.objects.values_list("opd_id", "title", "body", "is_active"))


@pytest.mark.parametrize("who", ["petugas", "kepala"])
def test_opd_staff_list_only_their_opds_responses(as_user, world, responses, who):
    own, _other = responses
    user = world.petugas[0] if who == "petugas" else world.kepala

    response = as_user(user).get(LIST)

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": own.pk, "opd": world.opd.pk, "title": "Sudah ditambal", "body": "Lubang sudah ditambal.",
            "is_active": True, "created_at": response.json()["results"][0]["created_at"],
            "updated_at": response.json()["results"][0]["updated_at"],
        }
    ]  # fmt: skip


def test_filtering_by_another_opd_lists_nothing(as_user, world, responses):
    got = as_user(world.petugas[0]).get(LIST, {"opd": world.other_opd.pk}).json()

    assert got["results"] == []


def test_a_petugas_adds_one(as_user, world):
    response = as_user(world.petugas[0]).post(
        LIST, {"opd": world.opd.pk, "title": "Dijadwalkan", "body": "Tim dijadwalkan Kamis."}, format="json"
    )

    assert response.status_code == 201
    saved = CannedResponse.objects.get(pk=response.json()["id"])
    assert (saved.opd_id, saved.title, saved.body, saved.is_active) == (
        world.opd.pk, "Dijadwalkan", "Tim dijadwalkan Kamis.", True,
    )  # fmt: skip


def test_a_taken_title_is_refused_and_nothing_is_added(as_user, world, responses):
    before = rows()

    response = as_user(world.petugas[0]).post(
        LIST, {"opd": world.opd.pk, "title": "sudah DITAMBAL", "body": "Lain"}, format="json"
    )

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400, "title_taken", "title",
    )  # fmt: skip
    assert rows() == before


def test_adding_to_another_opd_is_404_and_adds_nothing(as_user, world, responses):
    before = rows()

    response = as_user(world.petugas[0]).post(
        LIST, {"opd": world.other_opd.pk, "title": "Baru", "body": "Isi"}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert rows() == before


@pytest.mark.parametrize("who", ["koordinator", "ombudsman", "no role"])
def test_without_an_opd_role_everything_is_refused(as_user, world, responses, who):
    user = {
        "koordinator": world.koordinator,
        "ombudsman": MembershipFactory(role="ombudsman", province=world.pemda.province).user,
        "no role": UserFactory(),
    }[who]
    own, _other = responses
    before = rows()
    client = as_user(user)

    assert client.get(LIST).status_code == 403
    created = client.post(LIST, {"opd": world.opd.pk, "title": "X", "body": "Y"}, format="json")
    assert (created.status_code, created.json()["code"]) == (403, "not_opd_staff")
    assert client.patch(detail(own), {"title": "Diubah"}, format="json").status_code == 403
    assert rows() == before


def test_patch_changes_the_given_fields_only(as_user, world, responses):
    own, _other = responses

    response = as_user(world.petugas[0]).patch(detail(own), {"is_active": False}, format="json")

    assert response.status_code == 200
    own.refresh_from_db()
    assert (own.title, own.body, own.is_active) == ("Sudah ditambal", "Lubang sudah ditambal.", False)


def test_put_replaces_title_and_body(as_user, world, responses):
    own, _other = responses

    response = as_user(world.kepala).put(
        detail(own), {"title": "Selesai", "body": "Sudah beres."}, format="json"
    )

    assert (response.status_code, response.json()["title"]) == (200, "Selesai")
    own.refresh_from_db()
    assert (own.title, own.body, own.is_active) == ("Selesai", "Sudah beres.", True)


def test_put_without_a_body_is_refused_and_changes_nothing(as_user, world, responses):
    own, _other = responses
    before = rows()

    response = as_user(world.kepala).put(detail(own), {"title": "Selesai"}, format="json")

    assert (response.status_code, response.json()["field"]) == (400, "body")
    assert rows() == before


@pytest.mark.parametrize("method", ["get", "put", "patch"])
def test_another_opds_response_is_404_and_unchanged(as_user, world, responses, method):
    _own, other = responses
    before = rows()

    response = getattr(as_user(world.petugas[0]), method)(
        detail(other), {"title": "Diambil", "body": "Alih"}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert rows() == before
