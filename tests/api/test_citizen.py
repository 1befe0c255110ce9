"""The citizen's API (aduan/api/views/citizen.py): filing, tracking by secret, the reporter's
moves, rating, SKM, files, the public list and support; errors as {code, message}."""

import io

import pytest
from PIL import Image

from aduan.complaints.citizen_view import REJECT_PREFIX
from aduan.complaints.models import Attachment, Channel, Complaint, ComplaintRating, ReporterIdentity, Status
from tests.factories import CategoryFactory, ComplaintFactory, complaint_in_status

pytestmark = pytest.mark.django_db

FILE_URL = "/api/v1/complaints/"


def track_url(c, op=""):
    return f"/api/v1/track/{c.tracking_secret}/" + (f"{op}/" if op else "")


def payload(pemda, **extra):
    return {
        "pemda": pemda.code,
        "title": "Lampu jalan mati",
        "chronology": "Lampu jalan di Jl. Ahmad Yani mati sejak seminggu, gelap dan rawan.",
        **extra,
    }


def png(size=(40, 30)) -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buf, "PNG")
    buf.seek(0)
    buf.name = "foto.png"
    return buf


# ------------------------------------------------------------------------------------- filing


def test_an_anonymous_citizen_files_a_complaint_and_gets_the_secret(api, pemda, default_policies):
    response = api.post(FILE_URL, payload(pemda, is_anonymous=True), format="json")

    assert response.status_code == 201
    body = response.json()
    complaint = Complaint.objects.get()
    assert body["ticket_number"] == complaint.ticket_number
    assert body["tracking_secret"] == complaint.tracking_secret
    assert body["api_url"] == f"/api/v1/track/{complaint.tracking_secret}/"
    assert body["status"] == "submitted"
    assert (complaint.channel, complaint.is_anonymous, complaint.reporter_user) == (Channel.API, True, None)
    assert ReporterIdentity.objects.get(complaint=complaint).name == ""


def test_filing_with_photos_stores_them_re_encoded(api, pemda, default_policies):
    response = api.post(
        FILE_URL, {**payload(pemda, is_anonymous=True), "attachments": [png(), png()]}, format="multipart"
    )

    assert response.status_code == 201, response.json()
    files = Attachment.objects.filter(complaint__ticket_number=response.json()["ticket_number"])
    assert [(a.content_type, a.original_name) for a in files] == [("image/png", "foto.png")] * 2


def test_a_bad_file_refuses_the_whole_filing(api, pemda):
    bad = io.BytesIO(b"<html>not an image</html>")
    bad.name = "foto.jpg"

    response = api.post(
        FILE_URL, {**payload(pemda, is_anonymous=True), "attachments": [png(), bad]}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unsupported_type"
    assert response.json()["field"] == "attachments"
    assert Complaint.objects.count() == 0


def test_a_missing_field_is_a_validation_error_naming_it(api, pemda):
    response = api.post(FILE_URL, {"pemda": pemda.code, "chronology": "x"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"], body["message"]) == (
        "invalid_input",
        "title",
        "Data yang dikirim tidak valid.",
    )
    assert list(body["errors"]) == ["title"]
    assert Complaint.objects.count() == 0


def test_a_domain_refusal_keeps_its_code_and_field(api, pemda):
    response = api.post(FILE_URL, payload(pemda, name="", email="a@example.id"), format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("name_required", "name")
    assert Complaint.objects.count() == 0


def test_messages_follow_accept_language(api, pemda):
    indonesian = api.get("/api/v1/track/tidak-ada/")
    english = api.get("/api/v1/track/tidak-ada/", HTTP_ACCEPT_LANGUAGE="en")

    assert (indonesian.status_code, indonesian.json()) == (
        404,
        {"code": "not_found", "message": "Data tidak ditemukan."},
    )
    assert (english.status_code, english.json()) == (404, {"code": "not_found", "message": "Not found."})


def test_malformed_json_is_a_400_not_a_500(api, pemda):
    response = api.post(FILE_URL, data="{not json", content_type="application/json")

    assert (response.status_code, response.json()["code"]) == (400, "parse_error")


def test_refused_filings_do_not_use_up_the_filed_allowance(api, pemda, default_policies):
    for _ in range(12):
        response = api.post(FILE_URL, payload(pemda, is_anonymous=True, title=""), format="json")
        assert response.status_code == 400

    response = api.post(FILE_URL, payload(pemda, is_anonymous=True), format="json")

    assert response.status_code == 201
    assert Complaint.objects.count() == 1


def test_filing_is_throttled_with_retry_after(api, pemda, default_policies):
    for _ in range(10):
        assert api.post(FILE_URL, payload(pemda, is_anonymous=True), format="json").status_code == 201

    response = api.post(FILE_URL, payload(pemda, is_anonymous=True), format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 3600
    assert Complaint.objects.count() == 10


# ------------------------------------------------------------------------------------ tracking


def test_tracking_shows_status_and_timeline_without_identity(api, default_policies):
    complaint = complaint_in_status(Status.FOLLOWED_UP)

    response = api.get(track_url(complaint))

    assert response.status_code == 200
    body = response.json()
    assert (body["ticket_number"], body["status"]) == (complaint.ticket_number, "followed_up")
    assert body["actions"] == ["reply", "reject", "accept"]
    assert [e["action"] for e in body["events"]] == ["submit", "dispatch", "follow_up"]
    assert body["events"][-1]["note"] == "Sudah kami perbaiki."
    text = response.content.decode()
    assert "Budi Santoso" not in text
    assert "budi@example.id" not in text


def test_the_reporter_accepts_the_answer(api, default_policies):
    complaint = complaint_in_status(Status.FOLLOWED_UP)

    response = api.post(track_url(complaint, "accept"), {}, format="json")

    assert (response.status_code, response.json()["status"]) == (200, "resolved")
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED


def test_the_reporter_rejects_the_answer_with_a_reason(api, default_policies):
    complaint = complaint_in_status(Status.FOLLOWED_UP)

    response = api.post(track_url(complaint, "reject"), {"note": "Belum diperbaiki."}, format="json")

    assert response.status_code == 200
    complaint.refresh_from_db()
    assert complaint.status == Status.DISPATCHED
    assert complaint.events.last().note == REJECT_PREFIX + "Belum diperbaiki."
    assert response.json()["events"][-1]["note"] == "Belum diperbaiki."


def test_a_rejection_without_reason_changes_nothing(api, default_policies):
    complaint = complaint_in_status(Status.FOLLOWED_UP)
    events = complaint.events.count()

    response = api.post(track_url(complaint, "reject"), {"note": "  "}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "reason_required")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.events.count()) == (Status.FOLLOWED_UP, events)


def test_the_reporter_replies(api, default_policies):
    complaint = complaint_in_status(Status.FOLLOWED_UP)

    response = api.post(track_url(complaint, "reply"), {"note": "Masih berlubang."}, format="json")

    assert (response.status_code, response.json()["status"]) == (200, "dispatched")


def test_a_move_the_status_does_not_allow_is_a_conflict(api, complaint):
    response = api.post(track_url(complaint, "accept"), {}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409
    assert response.json() == {
        "code": "transition_not_allowed",
        "message": "This action is not possible in the complaint's current status.",
    }
    complaint.refresh_from_db()
    assert (complaint.status, complaint.events.count()) == (Status.SUBMITTED, 1)


def test_rating_after_resolution_once(api, default_policies):
    complaint = complaint_in_status(Status.RESOLVED)

    first = api.post(track_url(complaint, "rating"), {"score": 4, "comment": "Cepat"}, format="json")
    second = api.post(track_url(complaint, "rating"), {"score": 1}, format="json")

    assert (first.status_code, first.json()["rating"]) == (201, {"score": 4, "comment": "Cepat"})
    assert (second.status_code, second.json()["code"]) == (400, "already_rated")
    assert ComplaintRating.objects.get(complaint=complaint).score == 4


def test_rating_out_of_range_is_refused(api, default_policies):
    complaint = complaint_in_status(Status.RESOLVED)

    response = api.post(track_url(complaint, "rating"), {"score": 6}, format="json")

    assert (response.status_code, response.json()["field"]) == (400, "score")
    assert not ComplaintRating.objects.exists()


def test_skm_after_resolution(api, default_policies):
    complaint = complaint_in_status(Status.RESOLVED)

    response = api.post(track_url(complaint, "skm"), {f"u{i}": 3 for i in range(1, 10)}, format="json")

    assert (response.status_code, response.json()["skm_answered"]) == (201, True)


def test_the_reporter_adds_a_photo_while_open(api, complaint):
    response = api.post(track_url(complaint, "attachments"), {"file": png()}, format="multipart")

    assert response.status_code == 201
    assert response.json()["content_type"] == "image/png"
    assert complaint.attachments.count() == 1


def test_no_photo_on_a_closed_complaint(api, default_policies):
    complaint = complaint_in_status(Status.ARCHIVED)

    response = api.post(track_url(complaint, "attachments"), {"file": png()}, format="multipart")

    assert (response.status_code, response.json()["code"]) == (400, "complaint_closed")
    assert complaint.attachments.count() == 0


# ------------------------------------------------------------------------- public list, support


def test_the_public_list_hides_rahasia_and_personal_data(api, pemda):
    public = ComplaintFactory(pemda=pemda, is_anonymous=True)
    ComplaintFactory(pemda=pemda, is_confidential=True)

    response = api.get(f"/api/v1/complaints/public/?pemda={pemda.code}")

    assert response.status_code == 200
    assert [row["ticket_number"] for row in response.json()["results"]] == [public.ticket_number]
    text = response.content.decode()
    assert "Budi" not in text
    assert "budi@" not in text
    assert public.chronology not in text


def test_support_counts_once_per_client(api, complaint):
    first = api.post(f"/api/v1/complaints/{complaint.pk}/support/")
    second = api.post(f"/api/v1/complaints/{complaint.pk}/support/")

    assert (first.json(), second.json()) == ({"counted": True}, {"counted": False})
    complaint.refresh_from_db()
    assert complaint.supporters_count == 1


# ----------------------------------------------------------------------------------- reference


def test_reference_data_is_public(api, pemda, opd):
    category = CategoryFactory(pemda=pemda, default_opd=opd)

    pemdas = api.get("/api/v1/pemdas/").json()["results"]
    opds = api.get(f"/api/v1/pemdas/{pemda.code}/opds/").json()["results"]
    categories = api.get(f"/api/v1/pemdas/{pemda.code}/categories/").json()["results"]

    assert [p["code"] for p in pemdas] == [pemda.code]
    assert [o["id"] for o in opds] == [opd.pk]
    assert categories == [
        {"id": category.pk, "pemda": pemda.code, "parent": None, "name": category.name, "default_opd": opd.pk}
    ]
    assert api.get("/api/v1/pemdas/NOPE/opds/").status_code == 404


def test_holidays_of_a_year(api, pemda):
    rows = api.get(f"/api/v1/pemdas/{pemda.code}/holidays/?year=2026").json()

    assert {
        "date": "2026-01-01",
        "is_holiday": True,
        "name": rows[0]["name"],
        "source": "national",
        "decree_number": "",
    } == rows[0]
    assert all(r["date"].startswith("2026-") for r in rows)


def test_sla_policies(api, default_policies):
    rows = api.get("/api/v1/sla-policies/").json()["results"]

    assert {"verification", "follow_up", "reply_window", "resolution"} <= {r["stage"] for r in rows}
