"""Security review: staff pages, the compliance dashboard and the citizen's tracking pages answer
``Cache-Control: no-store`` (nothing of a complaint, an identity or a score stays in a browser's or
a proxy's cache); public pages keep their caching."""

import pytest
from django.test import Client
from django.urls import reverse

from aduan.complaints.models import Status
from tests.factories import complaint_in_status


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.fixture
def complaint(world):
    return complaint_in_status(
        Status.FOLLOWED_UP, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )


def test_staff_pages_are_never_stored(world, complaint, client):
    client.force_login(world.koordinator)
    paths = [
        "/staf/",
        "/staf/beranda/",
        "/staf/triase/",
        f"/staf/aduan/{complaint.pk}/",
        "/staf/ekspor.csv",
        "/staf/jawaban/",
        "/staf/dua-langkah/daftar/",
        "/kepatuhan/",
        f"/kepatuhan/pemda/{world.pemda.pk}/",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 302, 403), (path, response.status_code)
        assert no_store(response), (path, response.get("Cache-Control"))


def test_petugas_inbox_and_signed_out_staff_pages_are_never_stored(world, client):
    assert no_store(client.get("/staf/masuk/"))
    assert no_store(client.get("/staf/triase/"))  # the redirect to sign in, too
    client.force_login(world.petugas[0])
    assert no_store(client.get("/staf/kotak-masuk/"))


def test_tracking_pages_are_never_stored(complaint, client):
    secret = complaint.tracking_secret
    responses = {
        "page": client.get(f"/lacak/{secret}/"),
        "lookup form": client.get("/lacak/"),
        "lookup answer": client.post("/lacak/", {"tiket": complaint.ticket_number, "kontak": "a@b.id"}),
        "unknown secret": client.get("/lacak/" + "x" * 43 + "/"),
        "api": client.get(f"/api/v1/track/{secret}/"),
        "csrf refusal": Client(enforce_csrf_checks=True).post(f"/lacak/{secret}/aksi/", {"aksi": "accept"}),
    }
    assert responses["page"].status_code == 200
    for name, response in responses.items():
        assert no_store(response), (name, response.status_code, response.get("Cache-Control"))


@pytest.mark.django_db
def test_public_pages_are_not_no_store(client):
    for path in (reverse("complaints:home"), reverse("complaints:public-list")):
        response = client.get(path)
        assert response.status_code == 200, path
        assert not no_store(response), (path, response.get("Cache-Control"))
