"""Period strings — years, months, quarters and custom spans, with dates anywhere in the calendar
(0001-01-01, 9999-12-31, year 0, the edges of 2000–2100) and text that only looks like a period —
never answer 500: the compliance dashboard answers 200 or 400 with the reason on the form, the
metrics API 200 or 400 ``period_invalid`` in its JSON error shape, the public statistics 200. The
Pemdas sit in the zones furthest from UTC (+14:00 and -11:00), where a day overflows first."""

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from hypothesis import example as case
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from aduan.compliance.periods import Period
from tests.factories import ComplaintFactory, MembershipFactory, PemdaFactory, api_token

from .conftest import assert_api_error, example, fuzz_settings

pytestmark = pytest.mark.django_db

ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago")

EDGE_DATES = st.sampled_from(
    [date.min, date.max, date(1, 12, 31), date(9999, 1, 1), date(1999, 12, 31), date(2000, 1, 1),
     date(2100, 12, 31), date(2101, 1, 1), date(2026, 2, 28), date(2024, 2, 29)]
)  # fmt: skip
DATES = st.one_of(EDGE_DATES, st.dates(), st.dates(min_value=date(1998, 1, 1), max_value=date(2102, 12, 31)))
YEARS = st.one_of(st.integers(0, 9999), st.sampled_from([0, 1, 1999, 2000, 2100, 2101, 9999]))


def _iso(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


PERIOD_TEXT = st.one_of(
    YEARS.map(lambda y: f"{y:04d}"),
    st.tuples(YEARS, st.integers(0, 13)).map(lambda t: f"{t[0]:04d}-{t[1]:02d}"),
    st.tuples(YEARS, st.integers(0, 5)).map(lambda t: f"{t[0]:04d}-Q{t[1]}"),
    st.tuples(DATES, DATES).map(lambda t: f"{_iso(t[0])}..{_iso(t[1])}"),
    st.tuples(YEARS, DATES).map(lambda t: f"{t[0]:04d}-00-00..{_iso(t[1])}"),
    st.sampled_from(["0000-01-01..0000-01-02", "9999-12-31..9999-12-31", "2026-01-01..9999-12-31", " 2026 "]),
    st.text(alphabet="0123456789-.Qq ", max_size=24),
)


@pytest.fixture
def far_zones(db):
    """One Pemda in each far zone, its koordinator (web and API) and a complaint each."""
    first = PemdaFactory(timezone=ZONES[0])
    pemdas = [first, PemdaFactory(timezone=ZONES[1], province=first.province)]
    for pemda in pemdas:
        ComplaintFactory(pemda=pemda)
    web = Client()
    web.force_login(MembershipFactory(role="ombudsman", province=first.province).user)
    api = APIClient()
    koordinator = MembershipFactory(role="koordinator", pemda=first).user
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(koordinator)}")
    return {"web": web, "api": api}


@fuzz_settings(max_examples=300)
@given(text=PERIOD_TEXT)
def test_a_parsed_period_has_bounds_in_the_furthest_zones(text):
    period = Period.parse(text)
    if period is None:
        return
    for zone in ZONES:
        start, end = period.bounds(ZoneInfo(zone))
        assert start < end
    assert Period.parse(period.key) == period


@fuzz_settings(max_examples=60)
@given(text=PERIOD_TEXT)
@case(text="0001-01-01..0001-01-02")  # found by hand: a 500 before periods were bounded
@case(text="9999-12-31..9999-12-31")
def test_period_strings_are_never_a_500(far_zones, text):
    with example():
        page = far_zones["web"].get("/kepatuhan/", {"periode": text})
        assert page.status_code in (200, 400), (text, page.status_code)
        if page.status_code == 400:
            assert 'aria-invalid="true"' in page.content.decode()

        api = far_zones["api"].get("/api/v1/metrics/", {"period": text})
        if api.status_code != 200:
            assert assert_api_error(api, 400)["code"] == "period_invalid", text
        assert (
            (api.status_code == 200)
            == (page.status_code == 200)
            == (Period.parse(text) is not None or not text.strip())
        )

        assert Client().get("/statistik/", {"periode": text}).status_code == 200
