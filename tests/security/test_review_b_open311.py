"""Security review B, Open311: the description is never published as the title (point 2), an
api_key is refused like the REST API refuses the token of a user whose Pemda requires two-factor
before they enrol (point 4), and dates at the ends of the calendar are a 400, not a 500 (point 5)."""

import pytest
from django.test import Client

from aduan.complaints.models import Complaint
from tests.factories import CategoryFactory, MembershipFactory, PemdaFactory, api_token

from .test_two_factor import enrolled

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
DESCRIPTION = "Saya Siti Rahmawati NIK 6471015507900001 melapor.\nJalan di depan rumah saya berlubang."
WORDS = ("Siti", "Rahmawati", "6471015507900001", "melapor", "berlubang")


@pytest.fixture
def service(world):
    category = CategoryFactory(pemda=world.pemda, name="Jalan rusak", default_opd=world.opd)
    return f"{world.pemda.code}-{category.pk}-{world.opd.pk}"


def post(client, api_key, service_code, fmt="json", **extra):
    data = {
        "api_key": api_key, "service_code": service_code, "lat": "-1.2650", "long": "116.8310",
        "description": DESCRIPTION, **extra,
    }  # fmt: skip
    return client.post(f"{BASE}/requests.{fmt}", data)


# --- point 2: the public title --------------------------------------------------------------------


def test_without_a_title_the_public_title_is_the_service_name(client, world, service):
    key = api_token(world.koordinator)
    response = post(client, key, service)
    assert response.status_code == 201
    complaint = Complaint.objects.get()
    assert complaint.title == "Jalan rusak"
    assert complaint.chronology == DESCRIPTION  # the description is kept, for staff

    listed = client.get(f"{BASE}/requests.json", {"jurisdiction_id": world.pemda.code}).json()
    assert [r["description"] for r in listed] == ["Jalan rusak"]
    one = client.get(f"{BASE}/requests/{complaint.ticket_number}.xml").content.decode()
    public = client.get("/publik/").content.decode()
    assert complaint.ticket_number in public
    for text in (str(listed), one, public):
        assert not any(word in text for word in WORDS)


def test_a_title_attribute_is_still_the_title(client, world, service):
    key = api_token(world.koordinator)
    assert post(client, key, service, **{"attribute[title]": "Lubang di Jl. Ahmad Yani"}).status_code == 201
    assert Complaint.objects.get().title == "Lubang di Jl. Ahmad Yani"


# --- point 4: two-factor required by the Pemda ----------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_token_the_rest_api_refuses_is_refused_by_open311_until_enrolment(client, world, service, fmt):
    pemda = PemdaFactory(two_factor_required=True)
    user = MembershipFactory(role="koordinator", pemda=pemda).user
    key = api_token(user)

    rest = client.get("/api/v1/staff/complaints/", HTTP_AUTHORIZATION=f"Token {key}")
    assert rest.status_code == 401  # the REST API's rule
    refused = post(client, key, service, fmt=fmt)
    assert refused.status_code == 403
    if fmt == "json":
        body = refused.json()
        assert body[0]["code"] == 403
        assert "dua langkah" in body[0]["description"]
    else:
        assert "<code>403</code>" in refused.content.decode()
        assert "dua langkah" in refused.content.decode()
    assert not Complaint.objects.exists()

    enrolled(user)
    assert post(client, key, service, fmt=fmt).status_code == 201
    assert Complaint.objects.count() == 1


# --- point 5: dates at the ends of the calendar ---------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "9999-12-31T00:00:00Z"},  # + 90 days: past the last date
        {"end_date": "0001-01-01T00:00:00+14:00"},  # before year 1 in UTC
        {"start_date": "0001-01-01T00:00:00+14:00", "end_date": "0001-01-02T00:00:00Z"},
        {"start_date": "9999-12-31T23:59:59-14:00", "end_date": "9999-12-31T23:59:59-14:00"},
        {"end_date": "0001-01-01T00:00:00"},  # naive: the default time zone is ahead of UTC
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_a_400(client, world, params, fmt):
    response = client.get(f"{BASE}/requests.{fmt}", params)
    assert response.status_code == 400
    if fmt == "json":
        assert response.json()[0]["code"] == 400
        assert "start_date" in response.json()[0]["description"]
    else:
        assert "<code>400</code>" in response.content.decode()


def test_the_last_representable_range_is_answered(client, world):
    response = Client().get(
        f"{BASE}/requests.json", {"start_date": "9999-10-01T00:00:00Z", "end_date": "9999-12-30T00:00:00Z"}
    )
    assert response.status_code == 200
    assert response.json() == []
