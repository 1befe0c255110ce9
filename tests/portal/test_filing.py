"""The filing pages: the form at /aduan/, the page after it, duplicate suggestions and "+1" support."""

import io
import re
from datetime import UTC, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from aduan.complaints.models import (
    Attachment,
    Classification,
    Complaint,
    ComplaintSupport,
    ReporterIdentity,
    Status,
)
from aduan.core.exceptions import InvalidInput
from aduan.core.throttle import LIMITS, Limit
from aduan.portal.views import filing as filing_views
from aduan.sla.calendar import add_working_days
from aduan.sla.display import due_text
from aduan.sla.models import Deadline, Stage
from aduan.sla.services import calendar_for

from ..factories import (
    CategoryFactory,
    ComplaintFactory,
    OpdFactory,
    PemdaFactory,
    complaint_in_status,
    wita,
)

FILE_URL = reverse("complaints:file")
SUBMITTED_URL = reverse("complaints:submitted")
SIMILAR_URL = reverse("complaints:similar")

pytestmark = pytest.mark.usefixtures("default_policies")


@pytest.fixture
def category(pemda):
    return CategoryFactory(pemda=pemda, name="Jalan rusak")


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def valid_data(**overrides) -> dict:
    data = {
        "classification": Classification.PENGADUAN,
        "title": "Lampu jalan padam di Jalan Sudirman",
        "chronology": "Sudah seminggu lampu jalan di depan pasar padam dan jalan gelap sekali.",
        "incident_date": "",
        "location_text": "Jl. Jenderal Sudirman depan Pasar Klandasan",
        "latitude": "",
        "longitude": "",
        "target_opd": "",
        "category": "",
        "name": "Siti Aminah",
        "email": "siti@example.id",
        "phone": "081298765432",
        "nik": "",
        "language": "id",
        "website": "",
    }
    data.update(overrides)
    return data


def field_error_id(html: str, field: str) -> str | None:
    """The error list beside ``field`` and the input that points at it (aria-describedby)."""
    if f'id="id_{field}_error"' not in html:
        return None
    return re.search(rf'<[^>]+aria-describedby="[^"]*id_{field}_error[^"]*"[^>]*>', html) and field


def test_form_shows_every_field_with_a_label(client, pemda, opd, category):
    response = client.get(FILE_URL)

    assert response.status_code == 200
    html = response.content.decode()
    for field in (
        "title", "chronology", "incident_date", "location_text", "target_opd", "category",
        "attachments", "is_anonymous", "is_confidential", "name", "email", "phone", "nik", "language",
    ):  # fmt: skip
        assert f'for="id_{field}"' in html, field
        assert f'id="id_{field}"' in html, field
    for value in Classification.values:
        assert f'value="{value}"' in html
    assert 'name="latitude"' in html
    assert 'name="longitude"' in html
    assert 'accept="application/pdf,image/jpeg,image/png,image/webp"' in html
    assert "multiple" in html
    assert "Saya tidak tahu" in html
    assert opd.name in html
    assert "Jalan rusak" in html
    assert "hanya koordinator pengaduan yang dapat melihatnya" in html
    assert "Aduan Anda tidak ditampilkan di daftar publik" in html
    assert 'name="website"' in html
    assert 'aria-hidden="true"' in html
    assert "csrfmiddlewaretoken" in html


def test_several_pemdas_are_offered_first_and_a_code_picks_one(client, pemda):
    other = PemdaFactory(name="Pemerintah Kota Samarinda")

    choice = client.get(FILE_URL)
    chosen = client.get(FILE_URL, {"pemda": other.code.lower()})

    assert f"?pemda={pemda.code}" in choice.content.decode()
    assert 'name="title"' not in choice.content.decode()
    assert "Samarinda" in chosen.content.decode()
    assert 'name="title"' in chosen.content.decode()
    assert client.get(FILE_URL, {"pemda": "NOPE"}).status_code == 404


def test_valid_post_files_one_complaint_and_shows_the_link_once(client, pemda, opd, category):
    response = client.post(
        FILE_URL,
        valid_data(
            classification=Classification.ASPIRASI, target_opd=str(opd.pk), category=str(category.pk),
            latitude="-1.2654321", longitude="116.8312345", nik="6471010101900001", is_confidential="on",
        ),
    )  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == SUBMITTED_URL
    complaint = Complaint.objects.get()
    assert (complaint.pemda, complaint.title, complaint.classification) == (
        pemda, "Lampu jalan padam di Jalan Sudirman", Classification.ASPIRASI,
    )  # fmt: skip
    assert complaint.location_text == "Jl. Jenderal Sudirman depan Pasar Klandasan"
    assert (complaint.target_opd, complaint.category, complaint.current_opd) == (opd, category, None)
    assert (str(complaint.latitude), str(complaint.longitude)) == ("-1.265432", "116.831234")
    assert (complaint.is_anonymous, complaint.is_confidential) == (False, True)
    assert complaint.status == Status.SUBMITTED
    assert complaint.incident_date is None
    identity = ReporterIdentity.objects.get(complaint=complaint)
    assert (identity.name, identity.email, identity.phone, identity.nik, identity.language) == (
        "Siti Aminah", "siti@example.id", "081298765432", "6471010101900001", "id",
    )  # fmt: skip

    first = client.get(SUBMITTED_URL).content.decode()
    link = "http://testserver" + reverse("complaints:track", args=[complaint.tracking_secret])
    assert complaint.ticket_number in first
    assert link in first
    due = Deadline.objects.get(complaint=complaint, stage=Stage.VERIFICATION).due_at
    cal = calendar_for(pemda, around=due)
    assert f"diverifikasi paling lambat {due_text(due, cal, long=True)}." in first
    assert "5 hari kerja setelah disposisi" in first
    follow_up_due = due_text(add_working_days(due, 5, cal), cal, long=True)
    assert f"jawaban OPD paling lambat {follow_up_due}." in first

    second = client.get(SUBMITTED_URL).content.decode()
    assert complaint.tracking_secret not in second
    assert "sudah ditampilkan sebelumnya" in second
    assert "dikirim ke e-mail Anda" in second


def test_anonymous_complaint_needs_no_contact(client, pemda):
    response = client.post(FILE_URL, valid_data(is_anonymous="on", name="", email="", phone=""))

    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.is_anonymous is True
    identity = complaint.reporter
    assert (identity.name, identity.email, identity.phone) == ("", "", "")
    page = client.get(SUBMITTED_URL).content.decode()
    assert "satu-satunya cara" in page


def test_missing_title_shows_the_error_beside_it_and_keeps_everything_else(client, pemda, opd):
    data = valid_data(
        title="", classification=Classification.ASPIRASI, is_anonymous="on", is_confidential="on",
        target_opd=str(opd.pk), language="en",
    )  # fmt: skip

    response = client.post(FILE_URL, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert field_error_id(html, "title")
    assert 'aria-invalid="true"' in html
    assert "Sudah seminggu lampu jalan di depan pasar padam" in html
    assert 'value="Jl. Jenderal Sudirman depan Pasar Klandasan"' in html
    assert re.search(r'<input[^>]*name="is_anonymous"[^>]*checked', html)
    assert re.search(r'<input[^>]*name="is_confidential"[^>]*checked', html)
    assert 'value="Siti Aminah"' in html
    assert 'value="siti@example.id"' in html
    assert 'value="081298765432"' in html
    assert re.search(rf'<option value="{opd.pk}" selected>', html)
    assert re.search(r'<input[^>]*value="aspirasi"[^>]*checked', html)
    assert re.search(r'<option value="en" selected>English', html)
    assert Complaint.objects.count() == 0
    assert ReporterIdentity.objects.count() == 0


def test_service_error_is_shown_beside_its_field(client, pemda):
    tomorrow = timezone.localdate(timezone.now(), pemda.zoneinfo) + timedelta(days=1)

    response = client.post(FILE_URL, valid_data(incident_date=tomorrow.isoformat(), name=""))

    html = response.content.decode()
    assert response.status_code == 200
    assert field_error_id(html, "name")
    assert "Nama wajib diisi" in html
    assert Complaint.objects.count() == 0

    response = client.post(FILE_URL, valid_data(incident_date=tomorrow.isoformat()))

    html = response.content.decode()
    assert field_error_id(html, "incident_date")
    assert "Tanggal kejadian tidak boleh di masa depan" in html
    assert Complaint.objects.count() == 0


def test_bad_attachment_is_refused_beside_the_field_and_nothing_is_stored(client, pemda):
    fake = SimpleUploadedFile("a.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")

    response = client.post(FILE_URL, {**valid_data(), "attachments": [fake]})

    assert response.status_code == 200
    html = response.content.decode()
    assert field_error_id(html, "attachments")
    assert "a.jpg: Jenis berkas tidak didukung" in html
    assert 'value="Lampu jalan padam di Jalan Sudirman"' in html
    assert "Sudah seminggu lampu jalan" in html
    assert 'value="siti@example.id"' in html
    assert Complaint.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_good_attachment_is_kept_across_an_error_and_stored_with_the_complaint(client, pemda):
    good = SimpleUploadedFile("foto jalan.png", png_bytes(), content_type="image/png")
    bad = SimpleUploadedFile("b.pdf", b"not a pdf at all", content_type="application/pdf")

    first = client.post(FILE_URL, {**valid_data(title=""), "attachments": [good, bad]})

    html = first.content.decode()
    assert "sudah terlampir: foto jalan.png" in html
    assert "b.pdf:" in html
    tokens = re.findall(r'name="attachment_token" value="([^"]+)"', html)
    assert len(tokens) == 1
    assert Complaint.objects.count() == 0
    assert Attachment.objects.count() == 0

    second = client.post(FILE_URL, {**valid_data(), "attachment_token": tokens})

    assert second.status_code == 302
    complaint = Complaint.objects.get()
    attachment = complaint.attachments.get()
    assert (attachment.original_name, attachment.content_type) == ("foto jalan.png", "image/png")


def test_late_incident_date_warns_but_files_the_complaint(client, pemda):
    long_ago = timezone.localdate(timezone.now(), pemda.zoneinfo) - timedelta(days=45)

    response = client.post(FILE_URL, valid_data(incident_date=long_ago.isoformat()))

    assert response.status_code == 302
    assert Complaint.objects.get().incident_date == long_ago
    assert "lebih dari 30 hari yang lalu" in client.get(SUBMITTED_URL).content.decode()


def test_late_incident_date_warning_is_shown_when_the_form_comes_back(client, pemda):
    long_ago = timezone.localdate(timezone.now(), pemda.zoneinfo) - timedelta(days=31)

    html = client.post(FILE_URL, valid_data(title="", incident_date=long_ago.isoformat())).content.decode()

    assert re.search(r'id="incident-date-warning" role="status">', html)  # shown, not hidden


def test_honeypot_thanks_the_robot_and_stores_nothing(client, pemda):
    response = client.post(FILE_URL, valid_data(website="http://spam.example"))

    assert response.status_code == 200
    assert "Terima kasih" in response.content.decode()
    assert Complaint.objects.count() == 0
    assert 'id="tracking-link"' not in client.get(SUBMITTED_URL).content.decode()


def test_posts_with_mistakes_do_not_use_up_the_filing_allowance(client, pemda):
    for _ in range(LIMITS["filed"].limit + 5):
        assert client.post(FILE_URL, valid_data(title="")).status_code == 200  # "Judul wajib diisi"

    response = client.post(FILE_URL, valid_data())

    assert response.status_code == 302
    assert Complaint.objects.count() == 1


def test_the_eleventh_filed_complaint_in_an_hour_is_refused_and_keeps_the_form(client, pemda):
    for n in range(LIMITS["filed"].limit):
        response = client.post(FILE_URL, valid_data(title=f"Lampu padam nomor {n}", confirm_new="1"))
        assert response.status_code == 302

    response = client.post(FILE_URL, valid_data(title="Got mampet di Jalan Ahmad Yani", confirm_new="1"))

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    page = response.content.decode()
    assert "Terlalu banyak permintaan. Coba lagi dalam" in page
    assert 'value="Got mampet di Jalan Ahmad Yani"' in page  # the typed form is still there
    assert "Sudah seminggu lampu jalan di depan pasar padam" in page
    assert Complaint.objects.count() == LIMITS["filed"].limit


def test_posts_over_their_own_limit_are_refused_and_keep_the_form(client, pemda, monkeypatch):
    monkeypatch.setitem(LIMITS, "file", Limit(3, 3600))
    for _ in range(3):
        assert client.post(FILE_URL, valid_data(title="")).status_code == 200

    response = client.post(FILE_URL, valid_data(title="Got mampet di Jalan Ahmad Yani"))

    assert response.status_code == 429
    assert 'value="Got mampet di Jalan Ahmad Yani"' in response.content.decode()
    assert Complaint.objects.count() == 0


def test_post_without_csrf_token_is_forbidden(pemda):
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(FILE_URL, valid_data())

    assert response.status_code == 403
    assert Complaint.objects.count() == 0


def test_similar_lists_open_public_complaints_of_the_category_without_personal_data(client, pemda, category):
    match = ComplaintFactory(pemda=pemda, category=category, title="Lampu jalan mati total")
    ComplaintFactory(pemda=pemda, category=category, title="Lampu taman mati", is_confidential=True)
    complaint_in_status(Status.ARCHIVED, pemda=pemda, category=category, title="Lampu jalan rusak")
    ComplaintFactory(pemda=pemda, category=CategoryFactory(pemda=pemda), title="Lampu jalan padam")
    ComplaintFactory(pemda=pemda, category=category, title="Sampah menumpuk")

    response = client.get(SIMILAR_URL, {"pemda": pemda.code, "category": category.pk, "title": "Lampu padam"})

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r"<strong>([^<]+)</strong>", html) == ["Lampu jalan mati total"]
    assert reverse("complaints:support", args=[match.pk]) in html
    assert "Budi" not in html
    assert "budi@example.id" not in html
    assert "0812" not in html
    assert match.tracking_secret not in html
    assert match.ticket_number not in html


def test_similar_are_ranked_by_relevance_with_an_identical_title_first(client, pemda, category):
    def complaint(title, supporters):
        made = ComplaintFactory(pemda=pemda, category=category, title=title)
        Complaint.objects.filter(pk=made.pk).update(supporters_count=supporters)

    complaint("Jalan Sudirman rusak berat", 5)  # two shared words
    complaint("Lampu padam lagi", 10)  # two shared words, more support
    complaint("Lampu jalan padam", 0)  # three shared words
    complaint("lampu jalan padam di  jalan sudirman", 0)  # the same title (case and spaces aside)

    response = client.get(
        SIMILAR_URL,
        {"pemda": pemda.code, "category": category.pk, "title": "Lampu jalan padam di Jalan Sudirman"},
    )

    assert re.findall(r"<strong>([^<]+)</strong>", response.content.decode()) == [
        "lampu jalan padam di  jalan sudirman",
        "Lampu jalan padam",
        "Lampu padam lagi",
        "Jalan Sudirman rusak berat",
    ]


def test_similar_is_empty_without_category_or_words(client, pemda, category):
    ComplaintFactory(pemda=pemda, category=category, title="Lampu jalan mati")

    assert client.get(SIMILAR_URL, {"pemda": pemda.code, "title": "Lampu"}).content == b""
    no_words = {"pemda": pemda.code, "category": category.pk, "title": "di RT 5"}
    assert client.get(SIMILAR_URL, no_words).content == b""


def test_without_javascript_the_form_asks_before_filing_a_likely_duplicate(client, pemda, category):
    existing = ComplaintFactory(pemda=pemda, category=category, title="Lampu jalan mati di Sudirman")
    data = valid_data(category=str(category.pk))

    asked = client.post(FILE_URL, data)

    html = asked.content.decode()
    assert asked.status_code == 200
    assert Complaint.objects.count() == 1
    assert "Lampu jalan mati di Sudirman" in html
    assert 'name="confirm_new" value="1"' in html
    assert reverse("complaints:support", args=[existing.pk]) in html

    filed = client.post(FILE_URL, {**data, "confirm_new": "1"})

    assert filed.status_code == 302
    assert Complaint.objects.count() == 2


def test_support_counts_once_per_session(client, pemda):
    complaint = ComplaintFactory(pemda=pemda)
    url = reverse("complaints:support", args=[complaint.pk])
    back = f"{FILE_URL}?pemda={pemda.code}"

    first = client.post(url, {"next": back})
    client.post(url, {"next": back})

    assert first.status_code == 302
    assert first["Location"] == back
    complaint.refresh_from_db()
    assert complaint.supporters_count == 1
    assert "Dukungan Anda" in client.get(back).content.decode()

    Client().post(url)

    complaint.refresh_from_db()
    assert complaint.supporters_count == 2
    assert ComplaintSupport.objects.filter(complaint=complaint).count() == 2


def test_support_is_post_only(client, complaint):
    assert client.get(reverse("complaints:support", args=[complaint.pk])).status_code == 405


@pytest.mark.parametrize("kind", ["rahasia", "closed"])
def test_support_refused_on_confidential_or_closed_complaint(client, pemda, kind):
    if kind == "rahasia":
        complaint = ComplaintFactory(pemda=pemda, is_confidential=True)
    else:
        complaint = complaint_in_status(Status.RESOLVED, pemda=pemda)

    response = client.post(reverse("complaints:support", args=[complaint.pk]), follow=True)

    complaint.refresh_from_db()
    assert complaint.supporters_count == 0
    assert ComplaintSupport.objects.count() == 0
    assert "tidak dapat didukung" in response.content.decode()


def test_support_off_site_next_is_ignored(client, complaint):
    response = client.post(
        reverse("complaints:support", args=[complaint.pk]), {"next": "https://evil.example/"}
    )

    assert response["Location"] == FILE_URL


def test_form_query_count_does_not_grow_with_complaints(client, pemda, category, django_assert_num_queries):
    OpdFactory(pemda=pemda)
    CategoryFactory(pemda=pemda, parent=category, name="Lubang")
    with django_assert_num_queries(4):  # the Pemda, its OPDs, the categories, its kelurahan
        client.get(FILE_URL)
    for _ in range(5):
        ComplaintFactory(pemda=pemda, category=category)
    OpdFactory(pemda=pemda)
    with django_assert_num_queries(4):
        response = client.get(FILE_URL)
    assert "Lubang" in response.content.decode()


def test_receipt_of_a_complaint_filed_on_sunday_gives_working_days_not_midnight(client, pemda, monkeypatch):
    sunday = wita(2026, 12, 13, 10, 0)
    monkeypatch.setattr(timezone, "now", lambda: sunday.astimezone(UTC))
    response = client.post(FILE_URL, valid_data())
    assert response.status_code == 302
    page = client.get(SUBMITTED_URL).content.decode()
    # Monday to Wednesday: due at 00:00 on Thursday, i.e. by the end of Wednesday; the OPD's 5 HK
    # counted from there end with Wednesday 23 December (24 December is cuti bersama).
    assert "diverifikasi paling lambat akhir hari kerja Rabu, 16 Desember 2026." in page
    assert "jawaban OPD paling lambat akhir hari kerja Rabu, 23 Desember 2026." in page
    assert "00:00" not in page


def test_similar_is_throttled(client, pemda, category, monkeypatch):
    monkeypatch.setitem(filing_views.SIMILAR_THROTTLE, "limit", 3)
    params = {"pemda": pemda.code, "category": category.pk, "title": "Lampu"}
    for _ in range(3):
        client.get(SIMILAR_URL, params)

    response = client.get(SIMILAR_URL, params)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_attachment_refused_while_storing_leaves_no_complaint(client, pemda, monkeypatch):
    calls = []

    def failing_add(*, complaint, upload, **kwargs):
        calls.append(upload.name)
        if len(calls) == 2:
            raise InvalidInput("Penyimpanan lampiran gagal.", code="storage", field="attachments")
        return real_add(complaint=complaint, upload=upload, **kwargs)

    real_add = filing_views.attachment_add
    monkeypatch.setattr(filing_views, "attachment_add", failing_add)
    files = [SimpleUploadedFile(f"f{i}.png", png_bytes(), content_type="image/png") for i in range(2)]

    response = client.post(FILE_URL, {**valid_data(), "attachments": files})

    assert response.status_code == 200
    assert "Penyimpanan lampiran gagal." in response.content.decode()
    assert field_error_id(response.content.decode(), "attachments")
    assert Complaint.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert ReporterIdentity.objects.count() == 0
    assert len(re.findall(r'name="attachment_token"', response.content.decode())) == 2
