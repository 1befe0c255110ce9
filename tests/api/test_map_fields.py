"""Coordinates and area in the API and Open311: the staff rows and detail, the area filters, the
public list of a Pemda's kelurahan, filing with a kelurahan, and GeoReport's address/lat/long
(still empty for an anonim complaint)."""

from decimal import Decimal

import pytest
from django.test import Client

from aduan.agencies.areas import areas_load, kelurahan_of
from aduan.complaints.models import Complaint
from tests.factories import ComplaintFactory, PemdaFactory

from .test_citizen import FILE_URL, payload
from .test_staff import dispatched


@pytest.fixture
def areas(world):
    areas_load(
        world.pemda, {"Balikpapan Kota": ["Klandasan Ilir", "Prapatan"], "Balikpapan Utara": ["Batu Ampar"]}
    )
    return {k.name: k for k in kelurahan_of(world.pemda)}


@pytest.fixture
def placed(world, areas):
    return dispatched(
        world,
        location_text="Depan pasar",
        latitude=Decimal("-1.255200"),
        longitude=Decimal("116.869100"),
        kelurahan=areas["Prapatan"],
    )


def test_staff_rows_and_detail_carry_the_place(as_user, world, placed, areas):
    client = as_user(world.petugas[0])
    rows = client.get("/api/v1/staff/complaints/").json()["results"]
    row = next(r for r in rows if r["id"] == placed.pk)
    assert (row["latitude"], row["longitude"]) == ("-1.255200", "116.869100")
    assert row["kelurahan"] == {"id": areas["Prapatan"].pk, "name": "Prapatan"}
    assert row["kecamatan"] == {"id": areas["Prapatan"].kecamatan_id, "name": "Balikpapan Kota"}
    detail = client.get(f"/api/v1/staff/complaints/{placed.pk}/").json()
    assert (detail["latitude"], detail["kelurahan"]["name"], detail["kecamatan"]["name"]) == (
        "-1.255200",
        "Prapatan",
        "Balikpapan Kota",
    )


def test_a_complaint_without_a_place_has_nulls(as_user, world):
    bare = dispatched(world)
    row = as_user(world.koordinator).get(f"/api/v1/staff/complaints/{bare.pk}/").json()
    assert (row["latitude"], row["longitude"], row["kelurahan"], row["kecamatan"]) == (None, None, None, None)


def test_the_staff_list_filters_by_area(as_user, world, placed, areas):
    utara = dispatched(world, kelurahan=areas["Batu Ampar"])
    client = as_user(world.koordinator)

    def ids(**params):
        response = client.get("/api/v1/staff/complaints/", params)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids(kecamatan=areas["Prapatan"].kecamatan_id) == {placed.pk}
    assert ids(kelurahan=areas["Batu Ampar"].pk) == {utara.pk}
    assert ids() == {placed.pk, utara.pk}
    other = PemdaFactory()
    areas_load(other, {"X": ["Y"]})
    assert (
        client.get("/api/v1/staff/complaints/", {"kelurahan": kelurahan_of(other).get().pk}).status_code
        == 400
    )


def test_the_areas_of_a_pemda_are_public(api, world, areas):
    response = api.get(f"/api/v1/pemdas/{world.pemda.code}/areas/")
    assert response.status_code == 200
    assert [(r["kecamatan"], r["name"]) for r in response.json()["results"]] == [
        ("Balikpapan Kota", "Klandasan Ilir"),
        ("Balikpapan Kota", "Prapatan"),
        ("Balikpapan Utara", "Batu Ampar"),
    ]
    assert api.get("/api/v1/pemdas/NOPE/areas/").status_code == 404


def test_filing_with_a_kelurahan_and_refusing_one_of_another_pemda(api, world, areas):
    ok = api.post(
        FILE_URL, payload(world.pemda, is_anonymous=True, kelurahan=areas["Prapatan"].pk), format="json"
    )
    assert ok.status_code == 201
    assert Complaint.objects.get().kelurahan == areas["Prapatan"]

    other = PemdaFactory()
    areas_load(other, {"Samarinda Ulu": ["Air Hitam"]})
    refused = api.post(
        FILE_URL,
        payload(world.pemda, is_anonymous=True, kelurahan=kelurahan_of(other).get().pk),
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["field"] == "kelurahan"
    assert Complaint.objects.count() == 1


def test_open311_gives_address_with_the_area_and_the_pin(world, placed, areas):
    anonim = ComplaintFactory(
        pemda=world.pemda,
        is_anonymous=True,
        location_text="Rumah saya",
        latitude=Decimal("-1.2"),
        longitude=Decimal("116.8"),
        kelurahan=areas["Batu Ampar"],
    )
    rows = {r["service_request_id"]: r for r in Client().get("/open311/v2/requests.json").json()}
    shown = rows[placed.ticket_number]
    assert shown["address"] == "Depan pasar, Kel. Prapatan, Kec. Balikpapan Kota"
    assert (shown["lat"], shown["long"]) == ("-1.255200", "116.869100")
    hidden = rows[anonim.ticket_number]
    assert (hidden["address"], hidden["lat"], hidden["long"]) == ("", "", "")
