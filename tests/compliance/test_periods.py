"""Periods that cannot be computed (dates at the ends of the calendar, years outside 2000–2100)
are refused with a clear, translated reason: the dashboard shows it on the period form with a 400,
the API answers 400 ``period_invalid`` — never a 500 from a date that overflows."""

from datetime import date

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from aduan.compliance.models import AssessmentEntry, ComplianceScore
from aduan.compliance.periods import Period, PeriodInvalid
from tests.factories import ComplaintFactory, MembershipFactory, PemdaFactory, api_token

KIRITIMATI = "Pacific/Kiritimati"  # +14:00, the first zone into a new day
OVERFLOWING = [
    "0001-01-01..0001-01-02",
    "0001-01-01..2026-01-01",
    "9999",
    "9999-12",
    "9999-Q4",
    "9999-12-31..9999-12-31",
    "2026-01-01..9999-12-31",
    "0000",
    "0000-01-01..0000-01-02",
    "1999-12-31..2000-01-01",
    "2101",
]


@pytest.mark.parametrize("text", OVERFLOWING)
def test_periods_beyond_the_years_2000_to_2100_are_refused_with_the_reason(text):
    with pytest.raises(PeriodInvalid) as refused:
        Period.read(text)
    assert refused.value.message == "Periode harus berada di antara tahun 2000 dan 2100."
    with translation.override("en"):
        assert refused.value.message == "The period must lie between the years 2000 and 2100."
    assert Period.parse(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-02-30..2026-03-01", "Periode tidak dikenal."),
        ("2026-03-01..2026-01-01", "Tanggal awal periode harus sebelum"),
        ("2000-01-01..2100-12-31", "Rentang periode paling panjang 3660 hari."),
        ("2026-13", "Periode tidak dikenal."),
        ("tahun lalu", "Periode tidak dikenal."),
    ],
)
def test_other_nonsense_says_why(text, reason):
    with pytest.raises(PeriodInvalid) as refused:
        Period.read(text)
    assert refused.value.message.startswith(reason)


@pytest.mark.parametrize("zone", ["Asia/Jakarta", KIRITIMATI, "Pacific/Pago_Pago"])
def test_the_ends_of_the_range_have_bounds_in_every_zone(zone):
    from zoneinfo import ZoneInfo

    first = Period.read("2000-01-01..2000-01-02").bounds(ZoneInfo(zone))[0]
    last = Period.read("2091-01-01..2100-12-31").bounds(ZoneInfo(zone))[1]
    assert (first.date(), last.date()) == (date(2000, 1, 1), date(2101, 1, 1))


def _unchanged():
    return (ComplianceScore.objects.count(), AssessmentEntry.objects.count())


@pytest.mark.parametrize("text", ["0001-01-01..0001-01-02", "9999", "0000", "9999-12-31..9999-12-31"])
def test_the_dashboard_shows_the_reason_on_the_form_with_400(client, pemda, ombudsman, text):
    ComplaintFactory(pemda=pemda)
    before = _unchanged()
    client.force_login(ombudsman)
    for url in ("/kepatuhan/", f"/kepatuhan/pemda/{pemda.pk}/"):
        response = client.get(url, {"periode": text})
        html = response.content.decode()
        assert response.status_code == 400, url
        assert "Periode harus berada di antara tahun 2000 dan 2100." in html
        assert 'aria-invalid="true"' in html
        assert f'value="{text}"' in html  # what was typed stays in the field to correct
    assert _unchanged() == before


def test_the_dashboard_still_defaults_to_this_year_without_a_period(client, pemda, ombudsman):
    client.force_login(ombudsman)
    response = client.get("/kepatuhan/", {"periode": ""})
    assert response.status_code == 200
    assert 'aria-invalid="true"' not in response.content.decode()


@pytest.fixture
def api_for(db):
    def client_for(user):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        return api

    return client_for


@pytest.mark.parametrize("text", ["0001-01-01..0001-01-02", "9999", "0000", "9999-12-31..9999-12-31"])
def test_the_api_answers_period_invalid_in_its_error_shape(api_for, pemda, koordinator, text):
    before = _unchanged()
    response = api_for(koordinator).get("/api/v1/metrics/", {"period": text}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert (body["code"], body["field"]) == ("period_invalid", "period")
    assert body["message"] == "The period must lie between the years 2000 and 2100."
    assert _unchanged() == before


def test_a_span_ending_9999_12_31_in_a_plus_14_zone_is_refused_and_2100_is_computed(api_for):
    pemda = PemdaFactory(timezone=KIRITIMATI)
    koordinator = MembershipFactory(role="koordinator", pemda=pemda).user
    api = api_for(koordinator)
    refused = api.get("/api/v1/metrics/", {"period": "2026-01-01..9999-12-31"})
    assert (refused.status_code, refused.json()["code"]) == (400, "period_invalid")
    accepted = api.get("/api/v1/metrics/", {"period": "2091-01-01..2100-12-31"})
    assert accepted.status_code == 200
    assert accepted.json()["period"] == {
        "key": "2091-01-01..2100-12-31",
        "first": "2091-01-01",
        "last": "2100-12-31",
    }
