"""The map in the staff workspace: the location card of the complaint page (coordinates, area,
a link to OpenStreetMap; the koordinator's correction by form, without JavaScript), the OPD's
map of open complaints (a list with coordinates and area, coloured by lateness) and the export's
place columns."""

import csv
import io
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from aduan.agencies.areas import areas_load, kelurahan_of
from aduan.complaints.location import LocationStep
from aduan.complaints.models import Status
from tests.factories import complaint_in_status
from tests.security.test_headers import csp_directives


@pytest.fixture
def areas(pemda):
    areas_load(pemda, {"Balikpapan Kota": ["Klandasan Ilir", "Prapatan"], "Balikpapan Utara": ["Batu Ampar"]})
    return {k.name: k for k in kelurahan_of(pemda)}


@pytest.fixture
def held(default_policies, pemda, opd, koordinator, areas):
    return complaint_in_status(
        Status.DISPATCHED,
        pemda=pemda,
        opd=opd,
        koordinator=koordinator,
        title="Lubang besar di Jalan Sudirman",
        location_text="Depan toko emas",
        latitude=Decimal("-1.255200"),
        longitude=Decimal("116.869100"),
        kelurahan=areas["Prapatan"],
        is_anonymous=True,
    )


def detail(client, complaint):
    return client.get(reverse("complaints:staff-detail", args=[complaint.pk]))


def relocate(client, complaint, **data):
    return client.post(reverse("complaints:staff-relocate", args=[complaint.pk]), data)


def state(complaint):
    complaint.refresh_from_db()
    return (complaint.latitude, complaint.longitude, complaint.kelurahan_id, complaint.events.count())


def test_the_complaint_page_shows_the_place_as_text_with_the_grid_and_a_link(client, held, petugas):
    client.force_login(petugas)
    response = detail(client, held)
    html = response.content.decode()

    assert response.status_code == 200
    assert '<span class="coords" id="location-coords">-1.255200, 116.869100</span>' in html
    assert "https://www.openstreetmap.org/?mlat=-1.255200&amp;mlon=116.869100" in html
    assert "<dt>Alamat dari pelapor</dt><dd>Depan toko emas</dd>" in html
    assert "<dt>Kelurahan</dt><dd>Prapatan</dd>" in html
    assert "<dt>Kecamatan</dt><dd>Balikpapan Kota</dd>" in html
    assert 'class="map map-grid"' in html
    assert 'style="left: 50.0%; top: 50.0%"' in html  # the pin, drawn without JavaScript
    assert "data-tile-url" not in html
    assert "vendor/leaflet/leaflet.js" in html
    # OPD staff may not move it: no form, no draggable pin.
    assert reverse("complaints:staff-relocate", args=[held.pk]) not in html
    assert "data-draggable" not in html
    assert csp_directives(response)["img-src"] == ["'self'", "data:"]


def test_with_a_tile_server_the_map_names_it_and_the_csp_allows_only_that_host(client, held, koordinator):
    client.force_login(koordinator)
    with override_settings(ADUAN_MAP_TILE_URL="https://tiles.example.id/{z}/{x}/{y}.png"):
        response = detail(client, held)
    html = response.content.decode()
    assert 'data-tile-url="https://tiles.example.id/{z}/{x}/{y}.png"' in html
    assert "data-draggable" in html
    assert csp_directives(response)["img-src"] == ["'self'", "data:", "https://tiles.example.id"]


def test_the_koordinator_corrects_the_place_without_javascript(client, held, koordinator, areas):
    client.force_login(koordinator)
    response = relocate(
        client, held, latitude="-1,274", longitude="116.835", kelurahan=areas["Klandasan Ilir"].pk
    )

    assert response.status_code == 302
    held.refresh_from_db()
    assert (held.latitude, held.longitude, held.kelurahan) == (
        Decimal("-1.274000"),
        Decimal("116.835000"),
        areas["Klandasan Ilir"],
    )
    page = client.get(response["Location"]).content.decode()
    assert "Koreksi lokasi" in page
    assert "-1.255200, 116.869100 (Prapatan, Balikpapan Kota) → -1.274000, 116.835000" in page
    assert held.events.filter(action=LocationStep.RELOCATE, actor=koordinator).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"latitude": "95", "longitude": "116.8"}, "Lintang harus berupa angka antara -90 dan 90"),
        ({"latitude": "-1.2", "longitude": "utara"}, "Bujur harus berupa angka antara -180 dan 180"),
        ({"latitude": "-1.2", "longitude": ""}, "Isi lintang dan bujur bersama-sama."),
        ({"latitude": "-1.2", "longitude": "116.8", "kelurahan": "999999"}, "Masukkan pilihan yang valid"),
    ],
)
def test_bad_input_shows_the_error_beside_the_field_and_changes_nothing(
    client, held, koordinator, data, message
):
    client.force_login(koordinator)
    before = state(held)
    response = relocate(client, held, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert state(held) == before


@pytest.mark.parametrize("who", ["petugas", "kepala", "ombudsman"])
def test_a_refused_move_is_403_and_changes_nothing(client, held, request, who, areas):
    client.force_login(request.getfixturevalue(who))
    before = state(held)
    response = relocate(client, held, latitude="-1.1", longitude="116.1", kelurahan=areas["Batu Ampar"].pk)
    assert response.status_code == 403
    assert state(held) == before


def test_the_opd_map_lists_its_open_complaints_with_coordinates_area_and_lateness(
    client, held, petugas, pemda, koordinator, other_opd, django_assert_max_num_queries
):
    other = complaint_in_status(Status.DISPATCHED, pemda=pemda, opd=other_opd, koordinator=koordinator,
                                title="Lampu jalan milik OPD lain", latitude=Decimal("-1.2"),
                                longitude=Decimal("116.8"))  # fmt: skip
    unplaced = complaint_in_status(
        Status.DISPATCHED, pemda=pemda, opd=held.current_opd, koordinator=koordinator
    )
    client.force_login(petugas)
    url = reverse("complaints:staff-map")
    client.get(url)
    with django_assert_max_num_queries(12) as first:
        response = client.get(url)
    html = response.content.decode()

    assert response.status_code == 200
    assert held.ticket_number in html
    assert other.ticket_number not in html
    assert unplaced.ticket_number not in html
    assert "1 aduan terbuka lainnya tidak memiliki titik lokasi." in html
    assert '<td class="coords">-1.255200, 116.869100</td>' in html
    assert "<td>Prapatan</td><td>Balikpapan Kota</td>" in html
    assert "Masih dalam tenggat" in html
    assert 'id="map-points"' in html
    assert 'class="map-pin level-on_time"' in html
    assert "Depan toko emas" not in html  # the list is the place, not the reporter's words
    # More complaints do not mean more queries.
    for n in range(3):
        complaint_in_status(Status.DISPATCHED, pemda=pemda, opd=held.current_opd, koordinator=koordinator,
                            latitude=Decimal("-1.2") - n, longitude=Decimal("116.8"))  # fmt: skip
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_koordinator_sees_every_open_complaint_of_the_pemda_on_the_map(client, held, koordinator, pemda):
    new = complaint_in_status(Status.SUBMITTED, pemda=pemda, koordinator=koordinator,
                              latitude=Decimal("-1.3"), longitude=Decimal("116.9"))  # fmt: skip
    client.force_login(koordinator)
    html = client.get(reverse("complaints:staff-map")).content.decode()
    assert held.ticket_number in html
    assert new.ticket_number in html
    assert reverse("complaints:staff-map") in html  # in the staff menu


def test_the_staff_list_filters_by_area(client, held, koordinator, pemda, areas):
    utara = complaint_in_status(
        Status.SUBMITTED, pemda=pemda, koordinator=koordinator, kelurahan=areas["Batu Ampar"]
    )
    client.force_login(koordinator)
    kecamatan = areas["Batu Ampar"].kecamatan_id
    html = client.get(reverse("complaints:staff-list"), {"kecamatan": kecamatan}).content.decode()
    assert utara.ticket_number in html
    assert held.ticket_number not in html
    html = client.get(reverse("complaints:staff-list"), {"kelurahan": areas["Prapatan"].pk}).content.decode()
    assert held.ticket_number in html
    assert utara.ticket_number not in html


def test_the_export_has_the_place_and_still_hides_the_anonim_reporter_from_the_opd(client, held, petugas):
    client.force_login(petugas)
    response = client.get(reverse("complaints:staff-export-csv"), {"view": "all"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    header, row = rows[0], next(r for r in rows[1:] if r[0] == held.ticket_number)
    cells = dict(zip(header, row, strict=True))
    assert cells["Lokasi"] == "Depan toko emas"
    assert (cells["Kelurahan"], cells["Kecamatan"]) == ("Prapatan", "Balikpapan Kota")
    assert (cells["Lintang"], cells["Bujur"]) == ("-1.255200", "116.869100")  # a number, no apostrophe
    assert cells["Anonim"] == "ya"
    assert cells["Nama pelapor"] == cells["E-mail pelapor"] == cells["Telepon pelapor"] == ""
