"""The Open311 GeoReport v2 server (aduan/api/open311/): every endpoint in XML and JSON against the
spec's schemas (tests/api/open311_schemas.py), the spec's error cases, privacy, and a round trip
from POST to a closed request after the workflow resolves it."""

from datetime import timedelta

import jsonschema
import pytest
from django.utils import timezone

from aduan.complaints.models import Channel, Complaint, ReporterIdentity
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import Action, complaint_transition
from tests.factories import CategoryFactory, ComplaintFactory, UserFactory, api_token

from . import open311_schemas as S

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
ROOTS = {
    "discovery": "discovery", "services": "services", "definition": "service_definition",
    "requests": "service_requests", "errors": "errors",
}  # fmt: skip


def fetch(client, path, fmt, *, method="get", schema, root, status=200, **params):
    response = getattr(client, method)(f"{BASE}/{path}.{fmt}", params)
    assert response.status_code == status, response.content
    if fmt == "xml":
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        tag, data = S.xml_document(response.content)
        assert tag == root
    else:
        assert response["Content-Type"] == "application/json; charset=utf-8"
        data = response.json()
    jsonschema.validate(data, schema)
    return data


@pytest.fixture
def service(world):
    category = CategoryFactory(pemda=world.pemda, name="Jalan rusak", default_opd=world.opd)
    return f"{world.pemda.code}-{category.pk}-{world.opd.pk}", category


@pytest.fixture
def api_key(db):
    return api_token(UserFactory())


def post(client, fmt, api_key, service_code, **extra):
    data = {
        "api_key": api_key, "service_code": service_code, "lat": "-1.2650", "long": "116.8310",
        "description": "Lubang besar di depan pasar.\nMembahayakan pengendara motor.",
        "first_name": "Rudi", "last_name": "Hartono", "email": "rudi@example.id", **extra,
    }  # fmt: skip
    return client.post(f"{BASE}/requests.{fmt}", {k: v for k, v in data.items() if v is not None})


# ------------------------------------------------------------------------- discovery, services


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_discovery(client, fmt, db):
    data = fetch(client, "discovery", fmt, schema=S.DISCOVERY, root="discovery")

    assert data["endpoints"][0]["url"] == "http://testserver/open311/v2"


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_services_pair_category_and_opd(client, fmt, world, service):
    code, category = service

    data = fetch(
        client, "services", fmt, schema=S.SERVICES, root="services", jurisdiction_id=world.pemda.code
    )

    row = next(s for s in data if s["service_code"] == code)
    assert (row["service_name"], row["group"], row["metadata"]) == ("Jalan rusak", world.opd.name, True)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_service_definition(client, fmt, service):
    code, _category = service

    data = fetch(client, f"services/{code}", fmt, schema=S.SERVICE_DEFINITION, root="service_definition")

    assert [a["code"] for a in data["attributes"]] == [
        "title", "classification", "incident_date", "anonymous", "confidential",
    ]  # fmt: skip


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_service_definition_is_404(client, fmt, world):
    data = fetch(client, "services/ZZZ-1", fmt, schema=S.ERRORS, root="errors", status=404)

    assert data[0]["code"] == 404


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_jurisdiction_is_404(client, fmt, world):
    fetch(client, "services", fmt, schema=S.ERRORS, root="errors", status=404, jurisdiction_id="NOPE")


# ----------------------------------------------------------------------------- POST requests


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_posting_needs_an_api_key(client, fmt, service):
    code, _c = service
    for key in (None, "not-a-key"):
        response = post(client, fmt, key, code)
        assert response.status_code == 403
        data = response.json() if fmt == "json" else S.xml_document(response.content)[1]
        jsonschema.validate(data, S.ERRORS)
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_posting_to_an_unknown_service_is_404(client, fmt, service, api_key, world):
    response = post(client, fmt, api_key, f"{world.pemda.code}-999999")

    assert response.status_code == 404
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_posting_without_a_location_is_400(client, fmt, service, api_key):
    response = post(client, fmt, api_key, service[0], lat=None, long=None)

    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_posting_with_half_a_point_is_400(client, service, api_key):
    assert post(client, "json", api_key, service[0], long=None).status_code == 400


def test_an_address_alone_is_a_location(client, service, api_key):
    response = post(client, "json", api_key, service[0], lat=None, long=None, address_string="Jl. Sudirman 5")

    assert response.status_code == 201
    assert Complaint.objects.get().location_text == "Jl. Sudirman 5"


def test_a_post_files_a_complaint_through_the_service(client, service, api_key, world):
    response = post(client, "json", api_key, service[0])

    assert response.status_code == 201
    c = Complaint.objects.get()
    assert response.json()[0]["service_request_id"] == c.ticket_number
    assert (c.channel, c.category_id, c.target_opd_id, c.title) == (
        Channel.OPEN311, service[1].pk, world.opd.pk, "Jalan rusak",
    )  # fmt: skip
    assert (c.is_anonymous, ReporterIdentity.objects.get(complaint=c).name) == (False, "Rudi Hartono")
    assert c.reporter_user is None


def test_without_a_name_the_complaint_is_anonim(client, service, api_key):
    post(client, "json", api_key, service[0], first_name=None, last_name=None, email=None)

    assert Complaint.objects.get().is_anonymous is True


# ------------------------------------------------------------------------------ GET requests


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_date_range_over_90_days_is_400(client, fmt, world):
    end = timezone.now()
    data = fetch(
        client, "requests", fmt, schema=S.ERRORS, root="errors", status=400,
        start_date=(end - timedelta(days=91)).isoformat(), end_date=end.isoformat(),
    )  # fmt: skip

    assert data[0]["code"] == 400


def test_a_bad_date_or_status_is_400(client, world):
    assert client.get(f"{BASE}/requests.json", {"start_date": "gestern"}).status_code == 400
    assert client.get(f"{BASE}/requests.json", {"status": "pending"}).status_code == 400


def test_lists_hide_rahasia_old_and_personal_data(client, world):
    shown = ComplaintFactory(
        pemda=world.pemda, is_anonymous=True, location_text="Rumah saya", latitude="1.0", longitude="2.0"
    )
    ComplaintFactory(pemda=world.pemda, is_confidential=True)
    ComplaintFactory(pemda=world.pemda, now=timezone.now() - timedelta(days=120))

    response = client.get(f"{BASE}/requests.json")

    rows = response.json()
    assert [r["service_request_id"] for r in rows] == [shown.ticket_number]
    assert (rows[0]["address"], rows[0]["lat"], rows[0]["long"]) == ("", "", "")
    assert rows[0]["description"] == shown.title
    text = response.content.decode()
    assert "Budi" not in text
    assert "budi@" not in text
    assert shown.chronology not in text


def test_status_and_id_filters(client, world):
    open_one = ComplaintFactory(pemda=world.pemda)
    closed = ComplaintFactory(pemda=world.pemda)
    complaint_transition(
        complaint_id=closed.pk,
        action=Action.ARCHIVE,
        actor=Actor.staff(world.koordinator),
        reason="unintelligible",
    )

    def ids(**params):
        return [r["service_request_id"] for r in client.get(f"{BASE}/requests.json", params).json()]

    assert ids(status="open") == [open_one.ticket_number]
    assert ids(status="closed") == [closed.ticket_number]
    assert sorted(ids(service_request_id=f"{open_one.ticket_number},{closed.ticket_number}")) == sorted(
        [open_one.ticket_number, closed.ticket_number]
    )


def test_jurisdiction_selects_the_pemda(client, world):
    mine = ComplaintFactory(pemda=world.pemda)
    ComplaintFactory()  # another Pemda

    rows = client.get(f"{BASE}/requests.json", {"jurisdiction_id": world.pemda.code}).json()

    assert [r["service_request_id"] for r in rows] == [mine.ticket_number]


def test_a_rahasia_request_is_404_by_id(client, world):
    hidden = ComplaintFactory(pemda=world.pemda, is_confidential=True)

    assert client.get(f"{BASE}/requests/{hidden.ticket_number}.json").status_code == 404


# ------------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_round_trip_post_find_and_see_it_closed(client, fmt, world, service, api_key):
    response = post(client, fmt, api_key, service[0])
    assert response.status_code == 201
    posted = response.json() if fmt == "json" else S.xml_document(response.content)[1]
    jsonschema.validate(posted, S.POSTED)
    ticket, token = posted[0]["service_request_id"], posted[0]["token"]

    found = fetch(
        client, "requests", fmt, schema=S.REQUESTS, root="service_requests", service_request_id=ticket
    )
    by_token = fetch(client, f"tokens/{token}", fmt, schema=S.TOKENS, root="service_requests")

    c = Complaint.objects.get(ticket_number=ticket)
    resolution_due = c.deadlines.get(stage="resolution").due_at
    assert by_token[0]["service_request_id"] == ticket
    assert (found[0]["status"], found[0]["status_notes"]) == ("open", "Diterima, belum terverifikasi")
    assert found[0]["expected_datetime"] == timezone.localtime(
        resolution_due, world.pemda.zoneinfo
    ).isoformat(timespec="seconds")
    assert found[0]["lat"] == "-1.265000"

    koordinator, petugas = Actor.staff(world.koordinator), Actor.staff(world.petugas[0])
    complaint_transition(complaint_id=c.pk, action=Action.DISPATCH, actor=koordinator, opd=world.opd)
    complaint_transition(complaint_id=c.pk, action=Action.FOLLOW_UP, actor=petugas, note="Sudah ditambal.")
    complaint_transition(complaint_id=c.pk, action=Action.ACCEPT, actor=Actor.citizen(c.tracking_secret))

    done = fetch(client, f"requests/{ticket}", fmt, schema=S.REQUESTS, root="service_requests")
    assert (done[0]["status"], done[0]["status_notes"]) == ("closed", "Selesai")
    assert done[0]["agency_responsible"] == world.opd.name
    assert done[0]["expected_datetime"] == ""
    assert "Rudi" not in str(done)
    assert "rudi@" not in str(done)


def test_an_unknown_token_is_404(client, db):
    assert client.get(f"{BASE}/tokens/nope.json").status_code == 404
