"""The public page of a complaint (/publik/<ticket>/): only verified, non-rahasia, not hidden
complaints have one; it never shows the reporter; only the OPD's public photos are served."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aduan.complaints.models import Attachment, Complaint, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.services import ReporterData
from aduan.complaints.workflow import Action, complaint_transition

from ..factories import CategoryFactory, ComplaintFactory, MembershipFactory, OpdFactory, complaint_in_status

pytestmark = pytest.mark.usefixtures("default_policies")

NAME, EMAIL, PHONE, NIK = "Siti Rahmawati", "siti.rahma@example.id", "081298765432", "6471012345670001"
PRIVATE = (NAME, EMAIL, PHONE, NIK, "Rahmawati", "siti.rahma")


def page_url(complaint) -> str:
    return reverse("complaints:public-detail", args=[complaint.ticket_number])


def photo_url(complaint, attachment) -> str:
    return reverse("complaints:public-photo", args=[complaint.ticket_number, attachment.pk])


@pytest.fixture
def opd(pemda):
    return OpdFactory(pemda=pemda, name="Dinas Pekerjaan Umum")


@pytest.fixture
def petugas(opd):
    return MembershipFactory(role="petugas_opd", opd=opd).user


def verified(pemda, opd, *, anonymous=False, status=Status.DISPATCHED, **kwargs):
    kwargs.setdefault("reporter", ReporterData(name=NAME, email=EMAIL, phone=PHONE, nik=NIK))
    return complaint_in_status(
        status,
        pemda=pemda,
        opd=opd,
        is_anonymous=anonymous,
        title="Jalan berlubang di Jalan Sudirman",
        chronology=f"Saya {NAME} ({PHONE}) melihat lubang besar.",
        location_text="Jl. Jend. Sudirman dekat pasar",
        category=CategoryFactory(pemda=pemda, name="Jalan rusak", name_en="Damaged road"),
        **kwargs,
    )


def progress(complaint, petugas, count):
    actor = Actor.staff(petugas)
    for n in range(count):
        complaint_transition(
            complaint_id=complaint.pk,
            action=Action.ACKNOWLEDGE,
            actor=actor,
            note=f"Sedang ditinjau tahap {n}.",
        )


def image(complaint, *, uploaded_by=None, is_internal=False, scan_status="clean", name="foto.png"):
    return Attachment.objects.create(
        complaint=complaint, file=ContentFile(b"\x89PNG-data", name=name), original_name=name,
        content_type="image/png", size=9, uploaded_by=uploaded_by, is_internal=is_internal,
        scan_status=scan_status,
    )  # fmt: skip


@pytest.mark.parametrize("anonymous", [False, True])
def test_the_page_shows_the_public_facts_and_progress_but_never_the_reporter(
    client, pemda, opd, petugas, anonymous
):
    complaint = verified(pemda, opd, anonymous=anonymous)
    progress(complaint, petugas, 1)
    complaint_transition(
        complaint_id=complaint.pk, action=Action.FOLLOW_UP, actor=Actor.staff(petugas),
        note="Lubang sudah ditambal pada hari Senin.",
    )  # fmt: skip

    response = client.get(page_url(complaint))

    html = response.content.decode()
    assert response.status_code == 200
    for shown in (
        complaint.ticket_number,
        "Jalan berlubang di Jalan Sudirman",
        "Jalan rusak",
        "Jl. Jend. Sudirman dekat pasar",
        "Dinas Pekerjaan Umum",
        "Sedang ditinjau tahap 0.",
        "Lubang sudah ditambal pada hari Senin.",
    ):
        assert shown in html, shown
    for private in PRIVATE:
        assert private not in html, private
    assert "melihat lubang besar" not in html  # the chronology is never public
    assert complaint.tracking_secret not in html


def test_the_category_is_in_english_for_english_readers(client, pemda, opd):
    complaint = verified(pemda, opd)

    html = client.get(page_url(complaint), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Damaged road" in html


def test_staff_only_steps_and_citizen_notes_are_not_on_the_page(client, pemda, opd, petugas):
    complaint = verified(pemda, opd, status=Status.FOLLOWED_UP)
    complaint_transition(
        complaint_id=complaint.pk, action=Action.REPLY, actor=Actor.citizen(complaint.tracking_secret),
        note=f"Belum beres, hubungi saya di {PHONE}.",
    )  # fmt: skip

    html = client.get(page_url(complaint)).content.decode()

    assert PHONE not in html
    assert "Belum beres" not in html


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda p, o: verified(p, o, is_confidential=True), id="rahasia"),
        pytest.param(lambda p, o: ComplaintFactory(pemda=p), id="submitted"),
        pytest.param(lambda p, o: complaint_in_status(Status.ON_HOLD, pemda=p), id="on_hold"),
        pytest.param(lambda p, o: complaint_in_status(Status.ARCHIVED, pemda=p), id="archived-unverified"),
        pytest.param(
            lambda p, o: complaint_in_status(Status.FORWARDED_OUT, pemda=p), id="forwarded-unverified"
        ),
    ],
)
def test_rahasia_and_unverified_complaints_have_no_page(client, pemda, opd, make):
    complaint = make(pemda, opd)

    assert client.get(page_url(complaint)).status_code == 404


def test_a_hidden_complaint_has_no_page_and_no_photos(client, pemda, opd, petugas):
    complaint = verified(pemda, opd)
    photo = image(complaint, uploaded_by=petugas)
    assert client.get(page_url(complaint)).status_code == 200
    Complaint.objects.filter(pk=complaint.pk).update(public_hidden=True)

    assert client.get(page_url(complaint)).status_code == 404
    assert client.get(photo_url(complaint, photo)).status_code == 404


def test_an_unknown_ticket_is_a_404(client, db):
    assert client.get(reverse("complaints:public-detail", args=["XYZ-2026-000001"])).status_code == 404


def test_only_the_opds_clean_public_images_are_served(client, pemda, opd, petugas):
    complaint = verified(pemda, opd)
    public = image(complaint, uploaded_by=petugas, name="tambal-jalan.png")
    internal = image(complaint, uploaded_by=petugas, is_internal=True)
    citizen = image(complaint, uploaded_by=None)
    pending = image(complaint, uploaded_by=petugas, scan_status="pending")
    rahasia = verified(pemda, opd, is_confidential=True)
    rahasia_photo = image(rahasia, uploaded_by=petugas)

    html = client.get(page_url(complaint)).content.decode()
    response = client.get(photo_url(complaint, public))

    assert photo_url(complaint, public) in html
    for hidden in (internal, citizen, pending):
        assert photo_url(complaint, hidden) not in html
        assert client.get(photo_url(complaint, hidden)).status_code == 404
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x89PNG-data"
    assert "tambal-jalan" not in response["Content-Disposition"]  # a generic name
    assert client.get(photo_url(rahasia, rahasia_photo)).status_code == 404
    # A photo of another complaint is not reachable through this one's page.
    other = verified(pemda, opd)
    assert client.get(photo_url(other, public)).status_code == 404


def test_a_citizen_with_an_account_who_is_also_staff_is_not_the_opd(client, pemda, opd, petugas):
    complaint = verified(pemda, opd)
    Complaint.objects.filter(pk=complaint.pk).update(reporter_user=petugas)
    complaint.refresh_from_db()
    own = image(complaint, uploaded_by=petugas)

    assert client.get(photo_url(complaint, own)).status_code == 404


@pytest.mark.parametrize("events", [1, 5])
def test_the_page_runs_a_fixed_number_of_queries(client, pemda, opd, petugas, events):
    complaint = verified(pemda, opd)
    progress(complaint, petugas, events)
    for _ in range(events):
        image(complaint, uploaded_by=petugas)
    client.get(page_url(complaint))  # warm up (sessions, caches)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(page_url(complaint))

    assert response.status_code == 200
    assert response.content.decode().count("Sedang ditinjau tahap") == events
    assert len(queries) == 3, [q["sql"] for q in queries]


def test_the_public_list_links_to_pages_and_leaves_out_hidden_complaints(client, pemda, opd):
    shown = verified(pemda, opd)
    Complaint.objects.filter(pk=shown.pk).update(public_title="Lubang di Sudirman (judul publik)")
    waiting = ComplaintFactory(pemda=pemda, title="Sampah belum diangkut")
    hidden = verified(pemda, opd)
    Complaint.objects.filter(pk=hidden.pk).update(public_hidden=True)

    html = client.get(reverse("complaints:public-list")).content.decode()

    assert f'href="{page_url(shown)}"' in html
    assert "Lubang di Sudirman (judul publik)" in html
    assert "Sampah belum diangkut" in html  # listed, but no page before verification
    assert page_url(waiting) not in html
    assert hidden.ticket_number not in html


def test_the_filing_suggestions_link_to_the_public_page(client, pemda, opd):
    category = CategoryFactory(pemda=pemda, name="Lampu")
    linked = complaint_in_status(
        Status.DISPATCHED, pemda=pemda, opd=opd, category=category, title="Lampu jalan mati total"
    )
    waiting = ComplaintFactory(pemda=pemda, category=category, title="Lampu jalan mati lagi")
    hidden = complaint_in_status(
        Status.DISPATCHED, pemda=pemda, opd=opd, category=category, title="Lampu jalan mati semua"
    )
    Complaint.objects.filter(pk=hidden.pk).update(public_hidden=True)

    html = client.get(
        reverse("complaints:similar"),
        {"pemda": pemda.code, "category": category.pk, "title": "Lampu jalan mati"},
    ).content.decode()

    assert f'href="{page_url(linked)}"' in html
    assert "Lampu jalan mati lagi" in html
    assert page_url(waiting) not in html
    assert "Lampu jalan mati semua" not in html
