"""Hypothesis against the citizen's REST API: filing (/api/v1/complaints/), the moves behind the
tracking secret (reply, reject, accept, complete, reopen), rating and SKM, and the path arguments.

Whatever arrives — odd Unicode (NUL, lone surrogates, RTL and zero-width marks, emoji, combining
marks), huge or wrongly typed fields, HTML, JSON that is not an object, malformed dates and
coordinates — the answer is never a 500: either the request is accepted and what was typed is
stored as typed, or it is a 4xx with the API's error body and nothing changed."""

import json

import pytest
from django.core.cache import cache
from hypothesis import event, given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from aduan.complaints.models import SKM_ELEMENTS, Complaint, ComplaintEvent, ComplaintRating
from tests.factories import ComplaintFactory, api_token, complaint_in_status

from .conftest import (
    HUGE,
    assert_api_error,
    bad_coordinates,
    bad_dates,
    counts,
    dump_json,
    example,
    form_bytes,
    fuzz_settings,
    hostile_text,
    json_value,
    wrong_json,
)

pytestmark = pytest.mark.django_db

FILE_TEXT_FIELDS = ["title", "chronology", "location_text", "name", "email", "phone", "nik"]
FILE_OTHER_FIELDS = [
    "pemda", "classification", "incident_date", "latitude", "longitude", "category", "target_opd",
    "is_anonymous", "is_confidential", "language",
]  # fmt: skip


def file_value(field: str):
    if field == "incident_date":
        return bad_dates | json_value
    if field in ("latitude", "longitude"):
        return bad_coordinates | json_value | st.floats(min_value=-1000, max_value=1000)
    return json_value


file_overrides = st.sampled_from(FILE_TEXT_FIELDS + FILE_OTHER_FIELDS).flatmap(
    lambda f: st.tuples(st.just(f), file_value(f))
)
# Text fields with text only: most of these are accepted, so storing and showing them is tested.
text_overrides = st.sampled_from(["title", "chronology", "location_text", "name"]).flatmap(
    lambda f: st.tuples(st.just(f), hostile_text)
)
not_an_object = st.sampled_from(["[]", "[1, 2]", '"teks"', "42", "null", "true", "", "{", '{"a": }', "\x00"])


@pytest.fixture
def base(world, category):
    return {
        "pemda": world.pemda.code,
        "title": "Lampu jalan mati",
        "chronology": "Lampu jalan di depan SDN 5 mati sejak seminggu.",
        "name": "Budi Santoso",
        "email": "budi@example.id",
        "category": category.pk,
        "target_opd": world.opd.pk,
    }


@fuzz_settings(80)
@given(
    changes=st.lists(file_overrides, max_size=4) | st.lists(text_overrides, max_size=3),
    raw=st.none() | st.none() | not_an_object,
)
def test_api_filing_answers_4xx_or_stores_as_typed(base, changes, raw):
    api = APIClient()
    payload = {**base, **dict(changes)}
    with example():
        before = counts()
        body = raw if raw is not None else dump_json(payload)
        response = api.post("/api/v1/complaints/", body, content_type="application/json")
        assert response.status_code < 500
        event(f"status {response.status_code}")
        if response.status_code == 201:
            assert raw is None
            complaint = Complaint.objects.get(pk=response.json()["id"])
            assert complaint.title == str(payload["title"]).strip()
            assert complaint.chronology == str(payload["chronology"]).strip()
            assert "\x00" not in complaint.title + complaint.chronology + complaint.location_text
            assert counts()["Complaint"] == before["Complaint"] + 1
        else:
            assert_api_error(response, 400)
            assert counts() == before


@pytest.mark.parametrize(
    ("field", "value", "error_field"),
    [
        ("pemda", "\x00", "pemda"),  # was a 500 on PostgreSQL (the code went into the query)
        ("pemda", ["BPN\x00"], "pemda"),
        ("pemda", "\ud800", "pemda"),
        ("classification", "\ud800", "classification"),  # was a 500: the message quotes the input
        ("language", "x\udfff", "language"),  # same
        ("title", "a\x00b", "title"),
        ("title", "x\udfff", "title"),
        ("title", ["a", "b"], "title"),
        ("title", {"a": 1}, "title"),
        ("location_text", 12345, None),  # a number as text is accepted as its digits
        ("latitude", "90.0000001", "latitude"),
        ("latitude", "NaN", "latitude"),
        ("longitude", "180.5", "longitude"),
        ("longitude", "1e400", "longitude"),
        ("incident_date", "2026-02-30", "incident_date"),
        ("incident_date", "9999-12-31", "incident_date"),  # in the future: the service refuses
        ("category", "12abc", "category"),
        ("category", 2**70, "category"),
        ("target_opd", "\x00", "target_opd"),
        ("is_anonymous", "kadang", "is_anonymous"),
        ("email", "budi\x00@example.id", "email"),
    ],
)
def test_api_filing_refuses_each_bad_field_with_its_name(base, field, value, error_field):
    api = APIClient()
    before = counts()
    response = api.post(
        "/api/v1/complaints/", dump_json({**base, field: value}), content_type="application/json"
    )
    if error_field is None:
        assert response.status_code == 201
        assert Complaint.objects.get(pk=response.json()["id"]).location_text == str(value)
        return
    body = assert_api_error(response, 400)
    assert body["field"] == error_field
    assert counts() == before


@pytest.mark.parametrize("raw", ["[]", '"teks"', "42", "null", "{", "\x00", '{"title": "\\ud800"'])
def test_api_filing_refuses_json_that_is_not_an_object(base, raw):
    before = counts()
    response = APIClient().post("/api/v1/complaints/", raw, content_type="application/json")
    body = assert_api_error(response, 400)
    assert body["code"] in {"invalid_input", "parse_error"}
    assert counts() == before


# --- Oversized bodies --------------------------------------------------------------------------


def test_api_body_over_the_upload_limit_is_413_with_the_api_body(base, settings):
    """Beyond DATA_UPLOAD_MAX_MEMORY_SIZE Django refuses to read the body; the API answers 413 in
    its own shape (it was Django's HTML 400 page)."""
    before = counts()
    big = dump_json({**base, "chronology": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = APIClient().post("/api/v1/complaints/", big, content_type="application/json")
    body = assert_api_error(response, 413)
    assert body["code"] == "request_too_large"
    assert counts() == before


def test_api_too_many_form_fields_is_400_with_the_api_body(base, settings):
    before = counts()
    fields = "&".join(f"f{i}=x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = APIClient().post(
        "/api/v1/complaints/", fields, content_type="application/x-www-form-urlencoded"
    )
    body = assert_api_error(response, 400)
    assert body["code"] == "too_many_fields"
    assert counts() == before


def test_api_fields_over_their_length_are_refused(base):
    before = counts()
    for field, size in (("title", 201), ("chronology", 10_001), ("name", 151), ("phone", 21), ("nik", 17)):
        response = APIClient().post(
            "/api/v1/complaints/", dump_json({**base, field: "7" * size}), content_type="application/json"
        )
        assert assert_api_error(response, 400)["field"] == field
    response = APIClient().post(
        "/api/v1/complaints/", dump_json({**base, "title": HUGE[0]}), content_type="application/json"
    )
    assert assert_api_error(response, 400)["field"] == "title"
    assert counts() == before


# --- The reporter's moves, rating and SKM ------------------------------------------------------


@pytest.fixture
def tracked(world):
    """A complaint in each status the reporter can act on, by move."""
    kw = {"pemda": world.pemda, "opd": world.opd, "koordinator": world.koordinator}
    followed_up = complaint_in_status("followed_up", **kw)
    return {
        "reply": followed_up,
        "reject": followed_up,
        "accept": followed_up,
        "complete": complaint_in_status("on_hold", **kw),
        "reopen": complaint_in_status("resolved", **kw),
        "rating": complaint_in_status("resolved", **kw),
        "skm": complaint_in_status("resolved", **kw),
    }


def move_body(move: str):
    if move == "rating":
        return st.fixed_dictionaries(
            {}, optional={"score": json_value | st.integers(-3, 9), "comment": json_value}
        )
    if move == "skm":
        return st.fixed_dictionaries(
            {}, optional={n: json_value | st.integers(-1, 6) for n, _l in SKM_ELEMENTS}
        )
    return st.fixed_dictionaries({}, optional={"note": json_value})


moves = st.sampled_from(["reply", "reject", "accept", "complete", "reopen", "rating", "skm"]).flatmap(
    lambda m: st.tuples(st.just(m), move_body(m) | wrong_json)
)


@fuzz_settings(80)
@given(move_and_body=moves)
def test_api_tracking_moves_answer_4xx_or_store_as_typed(tracked, move_and_body):
    move, body = move_and_body
    complaint = tracked[move]
    url = f"/api/v1/track/{complaint.tracking_secret}/{move}/"
    with example():
        before = counts()
        response = APIClient().post(url, dump_json(body), content_type="application/json")
        assert response.status_code < 500
        event(f"{move}: status {response.status_code}")
        if response.status_code in (200, 201):
            assert isinstance(body, dict)
            if move == "rating":
                rating = ComplaintRating.objects.get(complaint=complaint)
                assert rating.comment == str(body.get("comment", "")).strip()
            elif move in ("reply", "reject", "complete", "reopen"):
                last = ComplaintEvent.objects.filter(complaint=complaint).order_by("-pk").first()
                assert str(body.get("note", "")).strip() in last.note
                assert "\x00" not in last.note
        else:
            assert_api_error(response, 400, 409)
            assert counts() == before


@fuzz_settings(40)
@given(segment=hostile_text.map(lambda s: "x" + s.replace("/", "")))
def test_api_path_arguments_never_fail(world, segment):
    """Tracking secrets and Pemda codes come from the path: any text gives 404 (or the thing)."""
    api = APIClient()
    quoted = json.dumps(segment)  # only to name the case in a failure
    with example():
        part = form_bytes(segment)
        for url in (
            f"/api/v1/track/{part}/",
            f"/api/v1/track/{part}/reply/",
            f"/api/v1/pemdas/{part}/",
            f"/api/v1/pemdas/{part}/opds/",
            f"/api/v1/pemdas/{part}/categories/",
            f"/api/v1/pemdas/{part}/holidays/",
            f"/api/v1/complaints/public/?pemda={part}&status={part}&opd={part}&category={part}",
        ):
            response = (
                api.post(url, "{}", content_type="application/json") if "reply" in url else api.get(url)
            )
            assert response.status_code in (200, 404, 429), (url, quoted, response.status_code)
            assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/track/ab%00cd/",  # was a 500 on PostgreSQL
        "/api/v1/track/ab%00cd/my-data/",  # the privacy export: was a 500 on PostgreSQL
        "/api/v1/pemdas/%00/",  # was a 500 on PostgreSQL
        "/api/v1/pemdas/K%00/opds/",  # was a 500 on PostgreSQL
        "/api/v1/pemdas/%00/categories/",
        "/api/v1/pemdas/%00/holidays/",
    ],
)
def test_api_nul_in_the_path_is_404(world, url):
    before = counts()
    assert assert_api_error(APIClient().get(url), 404)["code"] == "not_found"
    assert counts() == before


def test_api_nul_in_a_score_path_is_404(world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(world.koordinator)}")
    assert assert_api_error(api.get("/api/v1/pemdas/%00/scores/"), 404)["code"] == "not_found"


@pytest.mark.postgres
def test_api_fields_at_their_length_in_four_byte_characters_are_stored_whole(base):
    """PostgreSQL enforces the columns' lengths (SQLite does not): every limit the API checks fits
    its column, counted in characters, emoji (4 bytes in UTF-8) included."""
    payload = {**base, "title": "😀" * 200, "chronology": "👍🏽" * 5000, "location_text": "\u202e" * 300,
               "name": "e\u0301" * 75, "phone": "1" * 20, "nik": "3" * 16}  # fmt: skip
    response = APIClient().post("/api/v1/complaints/", dump_json(payload), content_type="application/json")
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(pk=response.json()["id"])
    assert complaint.title == payload["title"]
    assert complaint.chronology == payload["chronology"]
    assert complaint.location_text == payload["location_text"]


@pytest.mark.postgres
def test_api_nul_anywhere_never_reaches_postgresql(base, world):
    """PostgreSQL refuses NUL in text (a DataError, which was a 500 where it went unchecked)."""
    before = counts()
    fields = ["pemda", "title", "chronology", "location_text", "name", "email", "phone", "nik", "language",
              "classification", "incident_date", "latitude", "category"]  # fmt: skip
    for field in fields:
        cache.clear()  # ten filings per client and hour
        response = APIClient().post(
            "/api/v1/complaints/", dump_json({**base, field: "a\x00"}), content_type="application/json"
        )
        assert assert_api_error(response, 400)["field"] == field
    for url in ("/api/v1/track/a%00/", "/api/v1/pemdas/a%00/", "/api/v1/pemdas/a%00/holidays/"):
        assert_api_error(APIClient().get(url), 404)
    assert counts() == before


def test_api_error_message_follows_the_request_language(base):
    """The ``code`` stays, the ``message`` is translated (Accept-Language)."""
    bad = dump_json({**base, "title": "a\x00"})
    messages = {}
    for language in ("id", "en"):
        response = APIClient().post(
            "/api/v1/complaints/", bad, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
        )
        body = assert_api_error(response, 400)
        assert body["code"] == "invalid_input"
        messages[language] = body["message"]
    assert messages["id"] == "Data yang dikirim tidak valid."
    assert messages["en"] != messages["id"]


@pytest.mark.parametrize("digit", ["¹", "①", "²³"])  # str.isdigit() is true for these, int() refuses them
def test_api_number_parameters_with_unicode_digits(world, digit):
    """These were a 500 (ValueError): the check used isdigit(), which int() does not agree with."""
    petugas = APIClient()
    petugas.credentials(HTTP_AUTHORIZATION=f"Token {api_token(world.petugas[0])}")
    for client, url in (
        (APIClient(), f"/api/v1/complaints/public/?opd={digit}&category={digit}"),
        (APIClient(), f"/api/v1/pemdas/{world.pemda.code}/holidays/?year={digit}"),
        (petugas, f"/api/v1/staff/canned-responses/?opd={digit}"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url


def test_api_number_parameters_in_other_scripts_still_count(world, category):
    """Arabic-Indic digits are decimal digits: int() reads them, so the filter applies."""
    ComplaintFactory(pemda=world.pemda, category=category)
    ComplaintFactory(pemda=world.pemda)
    response = APIClient().get(f"/api/v1/complaints/public/?category={str(category.pk).translate(ARABIC)}")
    assert response.status_code == 200
    assert response.json()["count"] == 1


ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
