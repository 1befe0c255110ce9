"""Staff evidence upload through the API (POST /api/v1/staff/complaints/<id>/attachments/): the
koordinator and the holding OPD's petugas add files, internal by default, as on the staff page;
anyone else who may see the complaint is refused (403) and nothing is stored; closed complaints
take no files (the rule lives in attachments.attachment_add)."""

import io

import pytest
from PIL import Image

from aduan.complaints.models import Attachment, Status
from tests.factories import MembershipFactory, complaint_in_status

from .test_staff import dispatched, url


def png() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 10)).save(buf, "PNG")
    buf.seek(0)
    buf.name = "lapangan.png"
    return buf


@pytest.mark.parametrize("who", ["koordinator", "petugas"])
def test_the_koordinator_and_the_holding_petugas_add_internal_evidence(as_user, world, who):
    c = dispatched(world)
    user = world.koordinator if who == "koordinator" else world.petugas[0]

    response = as_user(user).post(url(c, "attachments"), {"file": png()}, format="multipart")

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["content_type"], body["is_internal"]) == ("lapangan.png", "image/png", True)
    stored = Attachment.objects.get(complaint=c)
    assert (stored.pk, stored.uploaded_by_id, stored.is_internal) == (body["id"], user.pk, True)
    # Quarantined until the scan task runs after commit (tests/uploads/ follow it to the download).
    assert (body["scan_status"], body["download_url"]) == ("pending", None)


def test_evidence_for_the_reporter_too(as_user, world):
    c = dispatched(world)

    response = as_user(world.petugas[0]).post(
        url(c, "attachments"), {"file": png(), "is_internal": "false"}, format="multipart"
    )

    assert (response.status_code, response.json()["is_internal"]) == (201, False)
    assert Attachment.objects.get(complaint=c).is_internal is False


@pytest.mark.parametrize("who", ["kepala", "ombudsman"])
def test_viewers_without_an_upload_role_are_refused_and_nothing_is_stored(as_user, world, who):
    c = dispatched(world)
    user = (
        world.kepala
        if who == "kepala"
        else MembershipFactory(role="ombudsman", province=world.pemda.province).user
    )

    response = as_user(user).post(url(c, "attachments"), {"file": png()}, format="multipart")

    assert (response.status_code, response.json()["code"]) == (403, "role_not_allowed")
    assert not Attachment.objects.exists()


def test_a_file_that_is_not_an_image_or_pdf_is_refused(as_user, world):
    c = dispatched(world)
    fake = io.BytesIO(b"<html>bukan gambar</html>")
    fake.name = "foto.png"

    response = as_user(world.koordinator).post(url(c, "attachments"), {"file": fake}, format="multipart")

    assert (response.status_code, response.json()["code"]) == (400, "unsupported_type")
    assert not Attachment.objects.exists()


def test_no_evidence_on_a_closed_complaint(as_user, world):
    c = complaint_in_status(Status.RESOLVED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator)

    response = as_user(world.koordinator).post(url(c, "attachments"), {"file": png()}, format="multipart")

    assert (response.status_code, response.json()["code"]) == (400, "complaint_closed")
    assert not Attachment.objects.filter(complaint=c).exists()
