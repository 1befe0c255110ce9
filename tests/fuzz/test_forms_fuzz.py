"""Hypothesis against the HTML forms: the citizen's filing form (/aduan/), the tracking look-up
(/lacak/), the reporter's moves, rating and survey on the tracking page, and the staff forms
(moves with their notes, internal notes, canned responses).

Values are sent as a hostile client would (``conftest.urlencoded``: lone surrogates as raw bytes,
NUL and control characters, RTL/zero-width marks, emoji, combining marks, huge values, HTML). A
form either does what was asked (a redirect) and stores what was typed, or comes back with its
errors (200 for the filing form and the look-up, 400/409 on the tracking and staff pages) showing
what was typed, escaped — and nothing changed. Never a 500."""

import html

import pytest
from django.test import Client
from hypothesis import event, given
from hypothesis import strategies as st

from aduan.complaints.citizen_view import REJECT_PREFIX
from aduan.complaints.models import (
    SKM_ELEMENTS,
    CannedResponse,
    Complaint,
    ComplaintEvent,
    ComplaintNote,
    ComplaintRating,
)
from aduan.complaints.workflow import Action
from aduan.core.validators import has_nul
from aduan.portal.views.tracking import FORM_ACTIONS
from tests.factories import complaint_in_status

from .conftest import (
    NUL_GUARD,
    as_server_reads,
    bad_coordinates,
    bad_dates,
    counts,
    example,
    fuzz_settings,
    hostile_text,
    urlencoded,
)

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


def post(client: Client, url: str, data: dict):
    # One field more, so that the body is never empty (the test client would then send no
    # Content-Type, and a browser always sends the form's fields).
    return client.post(url, urlencoded({**data, "kirim": "1"}), content_type=FORM)


def shows_typed(content: str, typed: str) -> bool:
    """The page shows ``typed`` (as Django read it) escaped, as a form's value or text."""
    return html.escape(as_server_reads(typed)) in content


# --- The filing form ---------------------------------------------------------------------------

FILING_TEXT = ["title", "chronology", "location_text", "name", "email", "phone", "nik"]
FILING_OTHER = ["classification", "incident_date", "latitude", "longitude", "target_opd", "category",
                "is_anonymous", "is_confidential", "language"]  # fmt: skip
many_values = st.lists(hostile_text, min_size=2, max_size=3)  # a list where one value is expected


def filing_value(field: str):
    if field == "incident_date":
        return bad_dates | hostile_text
    if field in ("latitude", "longitude"):
        return bad_coordinates | hostile_text
    return hostile_text | many_values


filing_changes = st.lists(
    st.sampled_from(FILING_TEXT + FILING_OTHER).flatmap(lambda f: st.tuples(st.just(f), filing_value(f))),
    max_size=4,
)


@pytest.fixture
def filing(world, category):
    data = {
        "classification": "pengaduan",
        "title": "Lampu jalan mati",
        "chronology": "Lampu jalan di depan SDN 5 mati sejak seminggu.",
        "category": str(category.pk),
        "target_opd": str(world.opd.pk),
        "name": "Budi Santoso",
        "email": "budi@example.id",
        "language": "id",
        "confirm_new": "1",
    }
    return f"/aduan/?pemda={world.pemda.code}", data


@fuzz_settings(70)
@given(changes=filing_changes)
def test_filing_form_refuses_with_errors_or_stores_as_typed(filing, nul_guard, changes):
    url, base = filing
    data = {**base, **dict(changes)}
    client = Client()
    with example():
        before = counts()
        response = post(client, url, data)
        assert response.status_code < 500
        event(f"status {response.status_code}")
        title = data["title"][-1] if isinstance(data["title"], list) else data["title"]
        if has_nul(*data.values()):
            assert response.status_code == 400  # RejectNulMiddleware
            assert counts() == before
        elif response.status_code == 302:
            complaint = Complaint.objects.order_by("-pk").first()
            assert complaint.title == as_server_reads(title).strip()
            assert "\x00" not in complaint.title + complaint.chronology + complaint.location_text
            assert counts()["Complaint"] == before["Complaint"] + 1
        else:
            assert response.status_code == 200
            content = response.content.decode()
            assert 'class="errorbox"' in content
            assert shows_typed(content, title)  # what was typed is kept, escaped
            assert counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "jalan\x00rusak"),
        ("chronology", "\x00"),
        ("name", "Budi\x00"),
        ("latitude", "90.5"),
        ("longitude", "-180.000001"),
        ("latitude", "NaN"),
        ("incident_date", "2026-02-30"),
        ("incident_date", "9999-12-31"),
        ("target_opd", "1 OR 1=1"),
        ("category", "\x00"),
        ("title", "x" * 201),
    ],
)
def test_filing_form_refuses_each_bad_field(filing, nul_guard, field, value):
    url, base = filing
    before = counts()
    response = post(Client(), url, {**base, field: value})
    if "\x00" in value:
        assert response.status_code == 400  # RejectNulMiddleware, before the form
    else:
        assert response.status_code == 200
        assert 'class="errorbox"' in response.content.decode()
        if field not in ("target_opd", "category"):  # a select shows its options, not the value
            assert html.escape(value) in response.content.decode()  # what was typed is kept
    assert counts() == before


def test_filing_form_refuses_nul_by_itself_too(filing, settings):
    """Without RejectNulMiddleware the form's own fields refuse NUL (Django's CharField)."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != NUL_GUARD]
    url, base = filing
    before = counts()
    response = post(Client(), url, {**base, "title": "jalan\x00rusak"})
    assert response.status_code == 200
    assert 'class="errorbox"' in response.content.decode()
    assert counts() == before


def test_filing_form_over_the_body_limit_is_400(filing, settings):
    url, base = filing
    before = counts()
    response = post(Client(), url, {**base, "chronology": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    assert response.status_code == 400
    assert counts() == before


# --- The tracking look-up ----------------------------------------------------------------------


@fuzz_settings(40)
@given(ticket=hostile_text, contact=hostile_text)
def test_lookup_answers_the_form_again_or_the_same_sent_page(world, nul_guard, ticket, contact):
    with example():
        before = counts()
        response = post(Client(), "/lacak/", {"tiket": ticket, "kontak": contact})
        assert response.status_code < 500
        event(f"status {response.status_code}")
        if "\x00" in ticket + contact:
            assert response.status_code == 400  # refused by RejectNulMiddleware
        else:
            assert response.status_code == 200  # the form again, or the one answer of every look-up
            content = response.content.decode()
            typed = as_server_reads(ticket).strip()[:64]
            if typed and as_server_reads(contact).strip():
                assert 'id="lookup-sent"' in content  # the same whether or not anything matched
            else:
                assert 'role="alert"' in content
                assert html.escape(typed) in content
        assert counts() == before


# --- The tracking page: moves, rating, survey --------------------------------------------------


@pytest.fixture
def tracked(world):
    kw = {"pemda": world.pemda, "opd": world.opd, "koordinator": world.koordinator}
    return {
        "answer": complaint_in_status("followed_up", **kw),
        "complete": complaint_in_status("on_hold", **kw),
        "resolved": complaint_in_status("resolved", **kw),
    }


def tracking_post(move: str):
    if move == "rate":
        fields = {"score": st.sampled_from(["1", "5", "0", "6", "-1", "٣", "3.0", ""]) | hostile_text,
                  "comment": hostile_text}  # fmt: skip
    elif move == "skm":
        fields = {n: st.sampled_from(["1", "4", "5", "0", ""]) | hostile_text for n, _l in SKM_ELEMENTS}
    else:
        fields = {"note": hostile_text, "action": st.just(move) | hostile_text}
    return st.fixed_dictionaries({}, optional=fields)


tracking_moves = st.sampled_from(["reply", "reject", "accept", "complete", "reopen", "rate", "skm"]).flatmap(
    lambda m: st.tuples(st.just(m), tracking_post(m))
)


@fuzz_settings(70)
@given(move_and_data=tracking_moves)
def test_tracking_forms_refuse_with_errors_or_store_as_typed(tracked, nul_guard, move_and_data):
    move, data = move_and_data
    complaint = {"complete": tracked["complete"], "reopen": tracked["resolved"], "rate": tracked["resolved"],
                 "skm": tracked["resolved"]}.get(move, tracked["answer"])  # fmt: skip
    secret = complaint.tracking_secret
    path = {"rate": "nilai", "skm": "survei"}.get(move, "aksi")
    client = Client()
    with example():
        before = counts()
        response = post(client, f"/lacak/{secret}/{path}/", data)
        assert response.status_code < 500
        event(f"{move}: status {response.status_code}")
        typed = as_server_reads(data.get("note", data.get("comment", "")))
        if any("\x00" in v for v in data.values()):
            assert response.status_code == 400
            assert counts() == before
        elif response.status_code == 302:
            if move == "rate":
                assert ComplaintRating.objects.get(complaint=complaint).comment == typed.strip()
            elif move in ("reply", "complete", "reopen", "reject"):
                last = ComplaintEvent.objects.filter(complaint=complaint).order_by("-pk").first()
                expected = REJECT_PREFIX + typed.strip() if data.get("action") == "reject" else typed
                assert last.note.strip() == expected.strip()
        else:
            assert response.status_code in (400, 409)
            content = response.content.decode()
            if typed and (move == "rate" or data.get("action") in FORM_ACTIONS):
                assert html.escape(typed) in content  # kept in its form, escaped
            assert counts() == before


def test_tracking_note_with_nul_is_refused_and_not_stored(tracked, nul_guard):
    """On PostgreSQL the note went into the INSERT (a 500), on SQLite it was stored with the NUL:
    RejectNulMiddleware refuses it first."""
    complaint = tracked["answer"]
    before = counts()
    response = post(
        Client(), f"/lacak/{complaint.tracking_secret}/aksi/", {"action": "reply", "note": "a\x00b"}
    )
    assert response.status_code == 400
    assert counts() == before
    complaint.refresh_from_db()
    assert complaint.status == "followed_up"


# --- Staff forms -------------------------------------------------------------------------------


@pytest.fixture
def staff(world):
    kw = {"pemda": world.pemda, "opd": world.opd, "koordinator": world.koordinator}
    koordinator, petugas = Client(), Client()
    koordinator.force_login(world.koordinator)
    petugas.force_login(world.petugas[0])
    return {
        "koordinator": koordinator,
        "petugas": petugas,
        "submitted": complaint_in_status("submitted", **kw),
        "dispatched": complaint_in_status("dispatched", **kw),
        "opd": world.opd,
    }


STAFF_MOVES = {
    Action.DISPATCH: ("koordinator", "submitted", ("opd", "note")),
    Action.HOLD: ("koordinator", "submitted", ("note",)),
    Action.ARCHIVE: ("koordinator", "submitted", ("reason", "duplicate_of", "note")),
    Action.FORWARD_OUT: ("koordinator", "submitted", ("institution", "note")),
    Action.FOLLOW_UP: ("petugas", "dispatched", ("note",)),
    "note": ("petugas", "dispatched", ("body",)),
    "canned": ("petugas", None, ("title", "body", "is_active")),
}


def staff_values(fields):
    return st.fixed_dictionaries(
        {},
        optional={f: hostile_text | st.sampled_from(["", "unintelligible", "1", "on"]) for f in fields},
    )


staff_moves = st.sampled_from(list(STAFF_MOVES)).flatmap(
    lambda m: st.tuples(st.just(m), staff_values(STAFF_MOVES[m][2]))
)


@fuzz_settings(70)
@given(move_and_data=staff_moves)
def test_staff_forms_refuse_with_errors_or_store_as_typed(staff, nul_guard, move_and_data):
    move, data = move_and_data
    role, status, fields = STAFF_MOVES[move]
    client = staff[role]
    complaint = staff[status] if status else None
    if move == "note":
        url, sent = f"/staf/aduan/{complaint.pk}/catatan/", data
    elif move == "canned":
        url, sent = f"/staf/jawaban/?opd={staff['opd'].pk}", data
    else:
        url, sent = f"/staf/aduan/{complaint.pk}/aksi/{move}/", {f"{move}-{k}": v for k, v in data.items()}
    if move == Action.DISPATCH and "opd" not in data:
        sent[f"{move}-opd"] = str(staff["opd"].pk)
    with example():
        before = counts()
        response = post(client, url, sent)
        assert response.status_code < 500
        event(f"{move}: status {response.status_code}")
        typed = as_server_reads(data.get("body", "") if move in ("note", "canned") else data.get("note", ""))
        if has_nul(*data.values()):
            assert response.status_code == 400  # RejectNulMiddleware
            assert counts() == before
        elif response.status_code == 302:
            if move == "note":
                assert (
                    ComplaintNote.objects.filter(complaint=complaint).order_by("-pk")[0].body == typed.strip()
                )
            elif move == "canned":
                saved = CannedResponse.objects.order_by("-pk")[0]
                assert saved.body == typed.strip()
            else:
                last = ComplaintEvent.objects.filter(complaint=complaint).order_by("-pk")[0]
                assert last.action == move
                if move == Action.FORWARD_OUT:  # the note names the institution
                    complaint.refresh_from_db()
                    assert complaint.forwarded_to == as_server_reads(data["institution"]).strip()
                    assert typed.strip() in last.note
                else:
                    assert last.note == typed.strip()
        else:
            assert response.status_code in (400, 409), response.status_code
            content = response.content.decode()
            assert 'role="alert"' in content or "errorlist" in content
            if typed.strip():
                assert html.escape(typed) in content  # kept in the form, escaped
            assert counts() == before
