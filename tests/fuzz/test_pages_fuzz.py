"""What was accepted is shown escaped: hostile text stored in a complaint (title, chronology,
location, reporter's name, OPD follow-up, internal note, rating comment) never reaches a page as
markup — the tracking page, the public list, the staff complaint page, Open311's XML and JSON —
and the CSV export is a download (text/csv, attachment, nosniff) whose cells cannot start a
spreadsheet formula. Plus: NUL in a page's address, query string or form fields is a 400 from
RejectNulMiddleware, never a PostgreSQL 500."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from hypothesis import given

from aduan.complaints.selectors import Actor
from aduan.complaints.services import ReporterData, complaint_note_add, complaint_rate, complaint_submit
from aduan.complaints.workflow import Action, complaint_transition
from aduan.core.middleware import RejectNulMiddleware
from tests.factories import CategoryFactory, complaint_in_status

from .conftest import PAYLOADS, SCRIPT, counts, example, form_bytes, fuzz_settings, has_markup, hostile_text

pytestmark = pytest.mark.django_db

IMG = '"><img src=x onerror=alert(1)>'
TEXTAREA = "</textarea><script>alert(2)</script>"


@pytest.fixture
def hostile(world):
    """A public complaint full of markup, dispatched, followed up, accepted and rated."""
    category = CategoryFactory(pemda=world.pemda, default_opd=world.opd, name=f"Jalan {IMG}")
    complaint = complaint_submit(
        pemda=world.pemda,
        title=f"Lubang {SCRIPT}",
        chronology=f"Kronologi {TEXTAREA} \u202eRTL\u202c 😀",
        location_text=f"Jl. {IMG}",
        reporter=ReporterData(name=f"Budi {SCRIPT}", email="budi@example.id", phone="081234567890"),
        category=category,
    )
    koordinator, petugas = Actor.staff(world.koordinator), Actor.staff(world.petugas[0])
    complaint_transition(complaint_id=complaint.pk, action=Action.DISPATCH, actor=koordinator, opd=world.opd)
    complaint_note_add(complaint_id=complaint.pk, actor=petugas, body=f"Catatan {SCRIPT}")
    complaint_transition(
        complaint_id=complaint.pk, action=Action.FOLLOW_UP, actor=petugas, note=f"Sudah ditambal {TEXTAREA}"
    )
    citizen = Actor.citizen(complaint.tracking_secret)
    complaint_transition(complaint_id=complaint.pk, action=Action.ACCEPT, actor=citizen)
    complaint_rate(complaint_id=complaint.pk, actor=citizen, score=2, comment=f"Lambat {IMG}")
    complaint.refresh_from_db()
    return complaint


def test_tracking_page_escapes_everything(hostile):
    content = Client().get(f"/lacak/{hostile.tracking_secret}/").content.decode()
    for raw in (hostile.title, f"Sudah ditambal {TEXTAREA}", f"Lambat {IMG}"):
        assert raw not in content
        assert html.escape(raw) in content
    assert SCRIPT not in content
    assert TEXTAREA not in content


def test_public_list_escapes_the_title(hostile, world):
    content = Client().get(f"/publik/?pemda={world.pemda.code}").content.decode()
    assert hostile.title not in content
    assert html.escape(hostile.title) in content
    assert SCRIPT not in content


def test_staff_page_escapes_everything(hostile, world):
    client = Client()
    client.force_login(world.koordinator)
    content = client.get(f"/staf/aduan/{hostile.pk}/").content.decode()
    for raw in (hostile.title, hostile.chronology, hostile.location_text, f"Budi {SCRIPT}",
                f"Catatan {SCRIPT}", f"Sudah ditambal {TEXTAREA}"):  # fmt: skip
        assert raw not in content
        assert html.escape(raw) in content
    assert SCRIPT not in content
    assert TEXTAREA not in content


def test_csv_export_is_a_download_and_cannot_start_a_formula(world):
    complaint_submit(
        pemda=world.pemda,
        title='=HYPERLINK("http://evil.example","klik")',
        chronology=f"Kronologi {SCRIPT}",
        reporter=ReporterData(name="@SUM(A1)", email="budi@example.id"),
    )
    client = Client()
    client.force_login(world.koordinator)
    response = client.get("/staf/ekspor.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"  # never sniffed into HTML
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in content
    assert ',"=HYPERLINK' not in content
    assert ",=HYPERLINK" not in content
    assert "'@SUM(A1)" in content


def test_open311_escapes_xml_and_json(hostile, world):
    xml = Client().get(f"/open311/v2/requests/{hostile.ticket_number}.xml").content.decode()
    assert "<script" not in xml
    assert "&lt;script&gt;" in xml
    body = Client().get(f"/open311/v2/requests/{hostile.ticket_number}.json").json()
    assert body[0]["description"] == hostile.title  # JSON carries it as data, as typed


@fuzz_settings(40)
@given(text=hostile_text)
def test_any_accepted_title_is_shown_escaped(world, text):
    """Whatever text the service accepts as a title is stored as typed and shown escaped on the
    tracking page and the public list."""
    text = text.replace("\x00", "")
    if not text.strip() or len(text.strip()) > 200 or any("\ud800" <= c <= "\udfff" for c in text):
        return  # the forms and the API refuse these (tested there)
    with example():
        complaint = complaint_submit(
            pemda=world.pemda,
            title=text,
            chronology="Kronologi yang cukup panjang untuk diterima.",
            reporter=ReporterData(name="Budi", email="budi@example.id"),
        )
        assert complaint.title == text.strip()
        pages = [
            Client().get(f"/lacak/{complaint.tracking_secret}/").content.decode(),
            Client().get(f"/publik/?pemda={world.pemda.code}").content.decode(),
        ]
        for content in pages:
            assert html.escape(complaint.title) in content
            if has_markup(complaint.title):
                assert complaint.title not in content


# --- NUL in pages: RejectNulMiddleware ---------------------------------------------------------


NUL_PAGES = [
    "/aduan/?pemda=%00",  # was a 500 on PostgreSQL (filing.py reads ?pemda= raw)
    "/aduan/serupa/?pemda=%00&category=1",  # same
    "/lacak/ab%00cd/",  # was a 500 on PostgreSQL (the secret went into the query)
    "/publik/?status=%00&bulan=%00",
    "/statistik/?periode=%00",
]


@pytest.mark.parametrize("url", NUL_PAGES)
def test_nul_in_a_page_address_is_400(world, nul_guard, url):
    response = Client().get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


def test_nul_in_the_lookup_form_is_400_and_changes_nothing(world, nul_guard):
    complaint = complaint_in_status("submitted", pemda=world.pemda)
    before = counts()
    body = f"tiket={complaint.ticket_number}&kontak=budi%00@example.id"
    response = Client().post("/lacak/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400  # was a 500 on PostgreSQL
    assert counts() == before


@fuzz_settings(40)
@given(text=hostile_text)
def test_page_addresses_never_fail(world, nul_guard, text):
    segment = form_bytes("x" + text.replace("/", ""))
    client = Client()
    with example():
        for url in (
            f"/lacak/{segment}/",
            f"/aduan/?pemda={segment}",
            f"/aduan/serupa/?pemda={segment}&category={segment}&title={segment}",
            f"/publik/?pemda={segment}&opd={segment}&kategori={segment}&status={segment}&halaman={segment}",
            f"/statistik/?periode={segment}",
        ):
            response = client.get(url)
            assert response.status_code in (200, 400, 404), (url, response.status_code)
            if "\x00" in text:
                assert response.status_code == 400


def test_middleware_lets_files_and_the_api_through():
    """Binary files hold NUL bytes; the API and Open311 answer NUL in their own format."""
    seen = []
    guard = RejectNulMiddleware(lambda request: seen.append(request.path) or "passed")
    factory = RequestFactory()
    upload = SimpleUploadedFile("foto.jpg", b"\xff\xd8\x00\x00binary", content_type="image/jpeg")
    assert guard(factory.post("/aduan/", {"title": "Jalan", "attachments": upload})) == "passed"
    assert guard(factory.get("/api/v1/track/a%00b/")) == "passed"
    assert guard(factory.post("/open311/v2/requests.json", {"description": "a\x00b"})) == "passed"
    assert guard(factory.post("/aduan/", {"title": "a\x00b"})).status_code == 400
    assert guard(factory.get("/publik/", {"q": ["ok", "a\x00"]})).status_code == 400
    assert seen == ["/aduan/", "/api/v1/track/a\x00b/", "/open311/v2/requests.json"]


def test_payloads_include_every_kind_the_issue_names():
    joined = "".join(PAYLOADS)
    for needle in ("\x00", "\ud800", "\u202e", "\u200f", "\u200b", "\u0351", "😀", "<script"):
        assert needle in joined
