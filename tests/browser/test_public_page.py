"""The public page of a complaint (/publik/<ticket>/) in real Chromium on a phone (360 px): the
OPD's progress with its planned date and answer, the photo the OPD attached (loaded, not broken),
and nothing of the reporter — their name, e-mail, phone, NIK and chronology stay off the page.
Screenshots go to var/screenshots/."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from PIL import Image

from aduan.complaints.attachments import attachment_scan, validate_upload
from aduan.complaints.models import Attachment, ScanStatus, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.services import ReporterData
from aduan.complaints.workflow import Action, complaint_transition
from tests.factories import CategoryFactory, MembershipFactory, OpdFactory, PemdaFactory, complaint_in_status

pytestmark = pytest.mark.browser

NAME, EMAIL, PHONE, NIK = "Siti Rahmawati", "siti.rahma@example.id", "081298765432", "6471012345670001"


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (40, 120, 60)).save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "tambal-selesai.jpg"
    return validate_upload(buffer)


@pytest.mark.parametrize("anonymous", [False, True])
def test_the_public_page_on_a_phone_shows_the_opds_work_and_photo_never_the_reporter(phone, shot, anonymous):
    pemda = PemdaFactory(name="Pemerintah Kota Balikpapan", code="BPN")
    dpu = OpdFactory(pemda=pemda, name="Dinas Pekerjaan Umum", short_name="DPU")
    koordinator = MembershipFactory(role="koordinator", pemda=pemda).user
    petugas = Actor.staff(MembershipFactory(role="petugas_opd", opd=dpu).user)
    complaint = complaint_in_status(
        Status.DISPATCHED,
        pemda=pemda,
        opd=dpu,
        koordinator=koordinator,
        is_anonymous=anonymous,
        reporter=ReporterData(name=NAME, email=EMAIL, phone=PHONE, nik=NIK),
        title="Jalan berlubang di Jalan Sudirman",
        chronology=f"Saya {NAME} ({PHONE}) melihat lubang besar di depan rumah.",
        location_text="Jl. Jend. Sudirman dekat pasar",
        category=CategoryFactory(pemda=pemda, name="Jalan rusak", default_opd=dpu),
    )
    planned = (timezone.localtime(timezone.now(), pemda.zoneinfo) + timedelta(days=2)).date()
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.SCHEDULE,
        actor=petugas,
        note="Penambalan dijadwalkan.",
        planned_date=planned,
    )
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.FOLLOW_UP,
        actor=petugas,
        note="Lubang sudah ditambal.",
        uploads=(jpeg(),),
    )
    (photo,) = Attachment.objects.filter(complaint=complaint)
    attachment_scan(photo.pk)  # the upload scanner's verdict (tests: the built-in checks)
    photo.refresh_from_db()
    assert photo.scan_status == ScanStatus.CLEAN

    phone.goto(f"{phone.base_url}/publik/{complaint.ticket_number}/")
    text = phone.inner_text("body")
    html = phone.content()
    for shown in ("Jalan berlubang di Jalan Sudirman", "Dinas Pekerjaan Umum", "Lubang sudah ditambal."):
        assert shown in text, shown
    assert f"tanggal rencana {date_format(planned, 'l, j F Y')}" in text
    for private in (NAME, EMAIL, PHONE, NIK, "Rahmawati", "melihat lubang besar", complaint.tracking_secret):
        assert private not in html, private
    image = phone.locator("ul.photos img")
    assert image.count() == 1
    image.scroll_into_view_if_needed()
    phone.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") > 0
    assert image.evaluate("img => img.getBoundingClientRect().right") <= 360
    assert phone.locator("ul.photos").evaluate("ul => getComputedStyle(ul).listStyleType") == "none"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, f"public-page-phone{'-anonim' if anonymous else ''}")
