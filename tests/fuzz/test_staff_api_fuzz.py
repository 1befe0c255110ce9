"""Hypothesis against the staff side: the list filters (API, pages and CSV export share one
FilterSet) and the staff API's writes (transitions, follow-ups, internal notes, canned responses).
Never a 500; a refusal is the API's error body and changes nothing."""

import pytest
from django.test import Client
from hypothesis import event, given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from aduan.complaints.models import CannedResponse, ComplaintEvent, ComplaintNote
from tests.factories import api_token, complaint_in_status

from .conftest import (
    assert_api_error,
    bad_dates,
    counts,
    dump_json,
    example,
    form_bytes,
    fuzz_settings,
    hostile_text,
    json_value,
)

pytestmark = pytest.mark.django_db

FILTERS = ["status", "category", "pemda", "opd", "due", "assigned", "breached", "flagged",
           "submitted_from", "submitted_to", "q", "sort", "page", "view"]  # fmt: skip


def filter_value(name: str):
    if name.startswith("submitted_"):
        return bad_dates | st.dates().map(str)
    return hostile_text | st.sampled_from(["1", "-1", "true", "99999999999999999999", ""])


queries = st.lists(
    st.sampled_from(FILTERS).flatmap(lambda n: st.tuples(st.just(n), filter_value(n))), max_size=4
)


@pytest.fixture
def koordinator_clients(world):
    complaint_in_status("dispatched", pemda=world.pemda, opd=world.opd, koordinator=world.koordinator)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(world.koordinator)}")
    page = Client()
    page.force_login(world.koordinator)
    return api, page


@fuzz_settings(20)
@given(query=queries)
def test_staff_list_filters_never_fail(koordinator_clients, query):
    api, page = koordinator_clients
    qs = "&".join(f"{form_bytes(k)}={form_bytes(v)}" for k, v in query)
    with example():
        for client, url in (
            (api, "/api/v1/staff/complaints/"),
            (page, "/staf/"),
            (page, "/staf/triase/"),
            (page, "/staf/ekspor.csv"),
        ):
            response = client.get(f"{url}?{qs}")
            assert response.status_code in (200, 400, 403, 404), (url, qs, response.status_code)
            event(f"{url}: {response.status_code}")
            if url.startswith("/api/") and response.status_code != 200:
                assert_api_error(response, 400, 404)


@pytest.mark.parametrize("query", ["submitted_to=9999-12-31", "submitted_from=0001-01-01"])
@pytest.mark.parametrize("url", ["/api/v1/staff/complaints/", "/staf/", "/staf/triase/", "/staf/ekspor.csv"])
def test_staff_list_dates_at_the_ends_of_the_calendar(koordinator_clients, url, query):
    """The day after 9999-12-31 and 0001-01-01 WITA in UTC do not exist: both were a 500."""
    api, page = koordinator_clients
    client = api if url.startswith("/api/") else page
    assert client.get(f"{url}?{query}").status_code == 200


# --- Writes ------------------------------------------------------------------------------------


@pytest.fixture
def desk(world):
    kw = {"pemda": world.pemda, "opd": world.opd, "koordinator": world.koordinator}
    clients = {}
    for role, user in (("koordinator", world.koordinator), ("petugas", world.petugas[0])):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        clients[role] = client
    return {
        **clients,
        "submitted": complaint_in_status("submitted", **kw),
        "dispatched": complaint_in_status("dispatched", **kw),
        "opd": world.opd,
    }


def transition_body():
    return st.fixed_dictionaries(
        {"action": st.sampled_from(["dispatch", "hold", "archive", "forward_out", "follow_up"]) | json_value},
        optional={
            "note": json_value,
            "opd": json_value | st.integers(-5, 2**70),
            "reason": json_value | st.sampled_from(["unintelligible", "duplicate"]),
            "duplicate_of": json_value | st.integers(-5, 2**70),
            "institution": json_value,
        },
    )


writes = st.one_of(
    st.tuples(st.just("transitions"), transition_body()),
    st.tuples(st.just("follow-ups"), st.fixed_dictionaries({}, optional={"note": json_value})),
    st.tuples(st.just("notes"), st.fixed_dictionaries({}, optional={"body": json_value})),
    st.tuples(
        st.just("canned"),
        st.fixed_dictionaries(
            {}, optional={"opd": json_value, "title": json_value, "body": json_value, "is_active": json_value}
        ),
    ),
    st.tuples(st.sampled_from(["transitions", "follow-ups", "notes", "canned"]), json_value),
)


@fuzz_settings(70)
@given(write=writes)
def test_staff_api_writes_answer_4xx_or_store_as_typed(desk, write):
    kind, body = write
    if kind == "transitions":
        client, complaint = desk["koordinator"], desk["submitted"]
        if isinstance(body, dict) and body.get("action") == "follow_up":
            client, complaint = desk["petugas"], desk["dispatched"]
        url = f"/api/v1/staff/complaints/{complaint.pk}/transitions/"
    elif kind == "canned":
        client, complaint, url = desk["petugas"], None, "/api/v1/staff/canned-responses/"
        if isinstance(body, dict) and "opd" not in body:
            body = {**body, "opd": desk["opd"].pk}
    else:
        client, complaint = desk["petugas"], desk["dispatched"]
        url = f"/api/v1/staff/complaints/{complaint.pk}/{kind}/"
    with example():
        before = counts()
        response = client.post(url, dump_json(body), content_type="application/json")
        assert response.status_code < 500
        event(f"{kind}: {response.status_code}")
        if response.status_code in (200, 201):
            if kind == "notes":
                assert (
                    ComplaintNote.objects.filter(complaint=complaint).latest("pk").body
                    == str(body["body"]).strip()
                )
            elif kind == "canned":
                assert CannedResponse.objects.latest("pk").body == str(body["body"]).strip()
            elif "note" in body:
                assert (
                    ComplaintEvent.objects.filter(complaint=complaint).latest("pk").note
                    == str(body["note"]).strip()
                )
        else:
            assert_api_error(response, 400, 403, 404, 409)
            assert counts() == before
