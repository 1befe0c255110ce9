"""The koordinator's moderation of the public page: public title and text (the original stays on
the staff timeline), hide and show. Petugas, kepala and Ombudsman are refused and change nothing."""

import pytest
from django.urls import reverse

from aduan.complaints.models import Complaint, ComplaintEvent, Status
from aduan.complaints.public_page import PublicStep

from ..factories import MembershipFactory, OpdFactory, complaint_in_status

pytestmark = pytest.mark.usefixtures("default_policies")


@pytest.fixture
def world(pemda):
    opd = OpdFactory(pemda=pemda)
    koordinator = MembershipFactory(role="koordinator", pemda=pemda).user
    complaint = complaint_in_status(
        Status.DISPATCHED, pemda=pemda, opd=opd, koordinator=koordinator, title="Jalan rusak parah"
    )
    return {
        "complaint": complaint,
        "koordinator": koordinator,
        "petugas": MembershipFactory(role="petugas_opd", opd=opd).user,
        "kepala": MembershipFactory(role="kepala_opd", opd=opd).user,
        "ombudsman": MembershipFactory(role="ombudsman", province=pemda.province).user,
    }


def edit_url(complaint):
    return reverse("complaints:staff-public-edit", args=[complaint.pk])


def hide_url(complaint):
    return reverse("complaints:staff-public-hide", args=[complaint.pk])


def page_url(complaint):
    return reverse("complaints:public-detail", args=[complaint.ticket_number])


def state(complaint):
    return (
        Complaint.objects.values_list("title", "public_title", "public_text", "public_hidden").get(
            pk=complaint.pk
        ),
        ComplaintEvent.objects.filter(complaint=complaint).count(),
    )


def test_the_koordinators_edit_shows_on_the_page_and_the_original_stays(client, world):
    complaint = world["complaint"]
    client.force_login(world["koordinator"])

    response = client.post(
        edit_url(complaint),
        {"public_title": "Perbaikan Jalan Sudirman", "public_text": "Lubang dekat pasar."},
    )

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.title, complaint.public_title) == ("Jalan rusak parah", "Perbaikan Jalan Sudirman")
    event = ComplaintEvent.objects.filter(complaint=complaint).last()
    assert event.action == PublicStep.EDIT
    assert "Perbaikan Jalan Sudirman" in event.note
    public = client.get(page_url(complaint)).content.decode()
    assert "Perbaikan Jalan Sudirman" in public
    assert "Lubang dekat pasar." in public
    assert "Jalan rusak parah" not in public
    staff = client.get(reverse("complaints:staff-detail", args=[complaint.pk])).content.decode()
    assert "Jalan rusak parah" in staff  # the original title stays
    assert "Ubah judul dan teks publik" in staff  # the step is on the timeline


def test_the_koordinator_hides_and_shows_the_complaint(client, world):
    complaint = world["complaint"]
    client.force_login(world["koordinator"])

    assert client.post(hide_url(complaint), {"hidden": "1"}).status_code == 302
    assert client.get(page_url(complaint)).status_code == 404
    assert client.post(hide_url(complaint), {"hidden": "0"}).status_code == 302
    assert client.get(page_url(complaint)).status_code == 200
    actions = list(ComplaintEvent.objects.filter(complaint=complaint).values_list("action", flat=True))
    assert actions[-2:] == [PublicStep.HIDE, PublicStep.SHOW]


@pytest.mark.parametrize("role", ["petugas", "kepala", "ombudsman"])
def test_other_roles_cannot_moderate_and_nothing_changes(client, world, role):
    complaint = world["complaint"]
    client.force_login(world[role])
    before = state(complaint)

    edit = client.post(edit_url(complaint), {"public_title": "Diubah", "public_text": "x"})
    hide = client.post(hide_url(complaint), {"hidden": "1"})

    assert edit.status_code in (403, 404)
    assert hide.status_code in (403, 404)
    assert state(complaint) == before
    assert client.get(page_url(complaint)).status_code == 200


def test_the_koordinator_of_another_pemda_cannot_moderate(client, world):
    complaint = world["complaint"]
    client.force_login(MembershipFactory(role="koordinator", pemda=OpdFactory().pemda).user)
    before = state(complaint)

    assert client.post(hide_url(complaint), {"hidden": "1"}).status_code in (403, 404)
    assert state(complaint) == before


def test_a_too_long_public_title_is_refused_and_nothing_changes(client, world):
    complaint = world["complaint"]
    client.force_login(world["koordinator"])
    before = state(complaint)

    response = client.post(edit_url(complaint), {"public_title": "x" * 201, "public_text": ""})

    assert response.status_code == 400
    assert state(complaint) == before


def test_only_the_koordinator_sees_the_moderation_form(client, world):
    complaint = world["complaint"]
    url = reverse("complaints:staff-detail", args=[complaint.pk])
    client.force_login(world["petugas"])
    assert edit_url(complaint) not in client.get(url).content.decode()
    client.force_login(world["koordinator"])
    assert edit_url(complaint) in client.get(url).content.decode()
