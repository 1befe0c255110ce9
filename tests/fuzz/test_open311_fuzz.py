"""Hypothesis against Open311 GeoReport v2 POST /open311/v2/requests.(json|xml): any parameter
may be hostile (odd Unicode, huge, HTML, malformed coordinates and dates, unknown service codes).
The answer is 201 with the request stored, or the spec's error document (a list of code and
description) with a 4xx and nothing stored. Never a 500. Open311 removes NUL from parameters
itself (``_param``), so a NUL never reaches the database."""

from datetime import datetime

import pytest
from django.test import Client
from hypothesis import event, given
from hypothesis import strategies as st

from aduan.complaints.models import Complaint
from tests.factories import api_token

from .conftest import (
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

PARAMS = ["service_code", "jurisdiction_id", "lat", "long", "address_string", "address_id", "description",
          "first_name", "last_name", "email", "phone", "attribute[title]", "attribute[classification]",
          "attribute[incident_date]", "attribute[anonymous]", "attribute[confidential]"]  # fmt: skip


def value_for(name: str):
    if name in ("lat", "long"):
        return bad_coordinates | hostile_text
    if name == "attribute[incident_date]":
        return bad_dates | hostile_text
    return hostile_text


changes = st.lists(st.sampled_from(PARAMS).flatmap(lambda p: st.tuples(st.just(p), value_for(p))), max_size=4)


@pytest.fixture
def open311(world, category):
    code = f"{world.pemda.code}-{category.pk}-{world.opd.pk}"
    return {
        "api_key": api_token(world.koordinator),
        "service_code": code,
        "lat": "-1.267",
        "long": "116.831",
        "description": "Lampu jalan di depan SDN 5 mati sejak seminggu.",
        "first_name": "Budi",
        "email": "budi@example.id",
    }


def assert_error_document(response, fmt: str):
    assert 400 <= response.status_code < 500, response.status_code
    if fmt == "json":
        body = response.json()
        assert isinstance(body, list)
        assert body[0]["code"] == response.status_code
        assert isinstance(body[0]["description"], str)
        assert body[0]["description"]
    else:
        content = response.content.decode()
        assert "<errors>" in content
        assert f"<code>{response.status_code}</code>" in content


@fuzz_settings(70)
@given(changed=changes, fmt=st.sampled_from(["json", "xml"]))
def test_open311_post_answers_an_error_document_or_stores(open311, changed, fmt):
    data = {**open311, **dict(changed)}
    with example():
        before = counts()
        response = Client().post(
            f"/open311/v2/requests.{fmt}", urlencoded(data), content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code < 500
        event(f"status {response.status_code}")
        if response.status_code == 201:
            complaint = Complaint.objects.order_by("-pk").first()
            typed = as_server_reads(data["description"]).replace("\x00", "").strip()
            assert complaint.chronology == typed
            assert "\x00" not in complaint.title + complaint.chronology + complaint.location_text
            assert counts()["Complaint"] == before["Complaint"] + 1
        else:
            assert_error_document(response, fmt)
            assert counts() == before


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("lat", "NaN"),  # was a 500: NaN cannot be compared with a range
        ("long", "sNaN"),
        ("lat", "91"),
        ("long", "1e400"),
        ("attribute[incident_date]", "2026-02-30"),
        ("service_code", "K000-1"),
        ("service_code", "\x00"),
    ],
)
def test_open311_refuses_each_bad_parameter(open311, name, value):
    before = counts()
    response = Client().post("/open311/v2/requests.json", {**open311, name: value})
    assert_error_document(response, "json")
    assert counts() == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_nul_in_a_request_id_is_404(world, fmt):
    """The id went into the query: a 500 on PostgreSQL."""
    response = Client().get(f"/open311/v2/requests/BPN%00.{fmt}")
    assert response.status_code == 404
    assert_error_document(response, fmt)


# --- GET requests with dates at the ends of the calendar -------------------------------------------

# Moments near year 1 and year 9999, with offsets from -14:00 to +14:00 (or none: the default time
# zone), written as W3C date-times: a range computed from them, or their UTC value, may not exist.
EDGES = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(1, 4, 30)),
    st.datetimes(min_value=datetime(9999, 9, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
)
OFFSETS = st.sampled_from(["", "Z", "+14:00", "-12:00", "+08:00", "-14:00", "+00:00"])
edge_dates = st.builds(
    lambda moment, offset: moment.replace(microsecond=0).isoformat() + offset, EDGES, OFFSETS
)


@fuzz_settings(80)
@given(
    start=st.none() | edge_dates,
    end=st.none() | edge_dates,
    fmt=st.sampled_from(["json", "xml"]),
)
def test_open311_get_with_dates_at_the_ends_of_the_calendar(world, start, end, fmt):
    params = {k: v for k, v in (("start_date", start), ("end_date", end)) if v is not None}
    with example():
        before = counts()
        response = Client().get(f"/open311/v2/requests.{fmt}", params)
        assert response.status_code in (200, 400), response.status_code
        event(f"status {response.status_code}")
        if response.status_code == 400:
            assert_error_document(response, fmt)
        assert counts() == before
