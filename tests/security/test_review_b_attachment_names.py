"""Security review B, point 1: an anonim reporter's identity must not reach staff through an
attachment, neither inside a PDF (document information, XMP) nor through its original file name.
Staff who may not see the identity (petugas, kepala, Ombudsman on an anonim complaint) get
``lampiran-<n>.<ext>`` on the page, in the API, the export and the download; the koordinator and
the citizen still see the original name."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader, PdfWriter
from rest_framework.test import APIClient

from aduan.complaints.attachments import attachment_add, attachment_scan, validate_upload
from aduan.complaints.models import Status
from tests.factories import api_token, complaint_in_status

NIK = "3201234567890123"
EMAIL = "siti.anon@example.id"
PERSON = "Siti Anonim Pelapor"
SECRETS = (PERSON, "Siti", NIK, EMAIL, "KTP_Siti")
PDF_NAME = f"KTP_Siti_Anonim_Pelapor {NIK} {EMAIL}.pdf"
IMAGE_NAME = f"foto {EMAIL}.jpg"
XMP = (
    '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
    f"<dc:creator>{PERSON} {NIK} {EMAIL}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    '<?xpacket end="w"?>'
)


def identifying_pdf() -> bytes:
    """A real two-page PDF whose document information and XMP name the reporter."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    who = f"{PERSON} NIK {NIK} {EMAIL}"
    writer.add_metadata(
        {
            "/Author": who,
            "/Creator": who,
            "/Title": f"KTP {who}",
            "/Subject": who,
            "/Keywords": f"{NIK}, {EMAIL}",
            "/Producer": who,
        }
    )
    writer.xmp_metadata = XMP.encode()  # the catalog's /Metadata stream
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    assert all(s.encode() in data for s in (PERSON, NIK, EMAIL))  # the fixture really carries them
    return data


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def anonim(pemda, opd, koordinator, default_policies):
    complaint = complaint_in_status(
        Status.DISPATCHED, pemda=pemda, opd=opd, koordinator=koordinator, is_anonymous=True
    )
    stored = []
    for data, name in ((jpeg(), IMAGE_NAME), (identifying_pdf(), PDF_NAME)):
        clean = validate_upload(SimpleUploadedFile(name, data, content_type="application/octet-stream"))
        attachment = attachment_add(complaint=complaint, upload=clean)
        attachment_scan(attachment.pk)
        attachment.refresh_from_db()
        stored.append(attachment)
    return complaint, stored


def shows_no_identity(text: str) -> bool:
    return not any(s.lower() in text.lower() for s in SECRETS)


@pytest.mark.django_db
def test_stored_pdf_carries_no_metadata_and_keeps_its_pages(anonim):
    _complaint, (_image, pdf) = anonim
    with pdf.file.open("rb") as handle:
        stored = handle.read()
    for secret in (PERSON, NIK, EMAIL, "Siti"):
        assert secret.encode() not in stored
    reader = PdfReader(io.BytesIO(stored))
    assert len(reader.pages) == 2
    assert not reader.metadata  # no /Author, /Creator, /Title, /Subject, /Keywords, /Producer
    assert reader.xmp_metadata is None
    assert "/Metadata" not in reader.trailer["/Root"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["petugas", "kepala", "ombudsman"])
def test_staff_who_may_not_see_the_identity_get_generic_names(request, client, anonim, role):
    complaint, (image, pdf) = anonim
    user = request.getfixturevalue(role)
    client.force_login(user)

    page = client.get(reverse("complaints:staff-detail", args=[complaint.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "lampiran-1.jpg" in html
    assert "lampiran-2.pdf" in html
    assert shows_no_identity(html)

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    detail = api.get(reverse("api:staff-complaint-detail", args=[complaint.pk]))
    assert detail.status_code == 200
    assert [a["name"] for a in detail.json()["attachments"]] == ["lampiran-1.jpg", "lampiran-2.pdf"]
    assert shows_no_identity(detail.content.decode())

    export = client.get(reverse("complaints:staff-export-csv"))
    rows = b"".join(export.streaming_content).decode()
    assert export.status_code == 200
    assert complaint.ticket_number in rows
    assert shows_no_identity(rows)

    for attachment, expected in ((image, "lampiran-1.jpg"), (pdf, "lampiran-2.pdf")):
        download = client.get(reverse("complaints:staff-attachment", args=[attachment.pk]))
        assert download.status_code == 200
        assert download["Content-Disposition"].endswith(f'filename="{expected}"')
        assert shows_no_identity(download["Content-Disposition"])


@pytest.mark.django_db
def test_the_koordinator_and_the_citizen_still_see_the_original_names(client, anonim, koordinator):
    complaint, (image, pdf) = anonim
    original = pdf.original_name
    assert NIK in original
    assert EMAIL in original

    client.force_login(koordinator)
    page = client.get(reverse("complaints:staff-detail", args=[complaint.pk])).content.decode()
    assert original in page
    assert image.original_name in page
    detail = APIClient()
    detail.credentials(HTTP_AUTHORIZATION=f"Token {api_token(koordinator)}")
    names = [
        a["name"]
        for a in detail.get(reverse("api:staff-complaint-detail", args=[complaint.pk])).json()["attachments"]
    ]
    assert names == [image.original_name, original]
    download = client.get(reverse("complaints:staff-attachment", args=[pdf.pk]))
    assert NIK in download["Content-Disposition"]
    client.logout()

    secret = complaint.tracking_secret
    citizen = client.get(reverse("complaints:citizen-attachment", kwargs={"secret": secret, "pk": pdf.pk}))
    assert citizen.status_code == 200
    assert NIK in citizen["Content-Disposition"]


@pytest.mark.django_db
def test_a_name_that_is_not_anonim_stays_visible_to_the_holding_opd(client, pemda, opd, koordinator, petugas):
    complaint = complaint_in_status(Status.DISPATCHED, pemda=pemda, opd=opd, koordinator=koordinator)
    clean = validate_upload(SimpleUploadedFile("foto jalan.jpg", jpeg()))
    attachment = attachment_add(complaint=complaint, upload=clean)
    attachment_scan(attachment.pk)
    client.force_login(petugas)
    download = client.get(reverse("complaints:staff-attachment", args=[attachment.pk]))
    assert download["Content-Disposition"] == 'inline; filename="foto jalan.jpg"'
