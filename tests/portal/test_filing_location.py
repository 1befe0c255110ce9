"""The place on the filing form: coordinates typed as text (no JavaScript needed; the map fills the
same inputs), the kelurahan from the Pemda's list, clear translated errors that keep what was
typed and store nothing, and the map's Content-Security-Policy."""

import pytest
from django.test import override_settings

from aduan.agencies.areas import areas_load, kelurahan_of
from aduan.complaints.models import Complaint
from tests.factories import PemdaFactory
from tests.security.test_headers import csp_directives

from .test_filing import FILE_URL, valid_data

pytestmark = pytest.mark.usefixtures("default_policies")


@pytest.fixture
def areas(pemda):
    areas_load(pemda, {"Balikpapan Kota": ["Klandasan Ilir", "Prapatan"], "Balikpapan Utara": ["Batu Ampar"]})
    return {k.name: k for k in kelurahan_of(pemda)}


def test_the_form_offers_text_coordinates_and_the_kelurahan_grouped_by_kecamatan(client, areas):
    html = client.get(FILE_URL).content.decode()
    assert '<label for="id_latitude">Lintang:</label>' in html
    assert 'type="text" name="latitude"' in html
    assert 'inputmode="decimal"' in html
    assert '<optgroup label="Balikpapan Kota">' in html
    assert f'<option value="{areas["Prapatan"].pk}">Prapatan</option>' in html
    assert 'data-lat-input="id_latitude"' in html  # the map writes into the same inputs
    assert 'class="map-js-only" hidden' in html  # without JavaScript: the inputs only


def test_without_areas_there_is_no_kelurahan_list(client, pemda):
    assert 'name="kelurahan"' not in client.get(FILE_URL).content.decode()


def test_typed_coordinates_and_a_kelurahan_are_filed(client, areas):
    response = client.post(
        FILE_URL, valid_data(latitude=" -1,2552 ", longitude="116.8691", kelurahan=str(areas["Prapatan"].pk))
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (str(complaint.latitude), str(complaint.longitude)) == ("-1.255200", "116.869100")
    assert complaint.kelurahan == areas["Prapatan"]
    assert complaint.kelurahan.kecamatan.name == "Balikpapan Kota"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"latitude": "-91", "longitude": "116.8"},
            "latitude",
            "Lintang harus berupa angka antara -90 dan 90",
        ),
        (
            {"latitude": "-1.2", "longitude": "timur"},
            "longitude",
            "Bujur harus berupa angka antara -180 dan 180",
        ),
        ({"latitude": "-1.2", "longitude": ""}, "longitude", "Isi lintang dan bujur bersama-sama."),
        ({"kelurahan": "999999"}, "kelurahan", "Masukkan pilihan yang valid"),
    ],
)
def test_bad_place_is_refused_beside_the_field_keeps_the_input_and_stores_nothing(
    client, areas, data, field, message
):
    response = client.post(FILE_URL, valid_data(**data))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'value="Lampu jalan padam di Jalan Sudirman"' in html
    assert Complaint.objects.count() == 0


def test_the_error_is_translated(client, areas):
    client.cookies["django_language"] = "en"
    html = client.post(FILE_URL, valid_data(latitude="95", longitude="116.8")).content.decode()
    assert "Latitude must be a number between -90 and 90" in html
    assert Complaint.objects.count() == 0


def test_a_kelurahan_of_another_pemda_is_not_a_choice(client, pemda, areas):
    other = PemdaFactory()
    areas_load(other, {"Samarinda Ulu": ["Air Hitam"]})
    client.post(FILE_URL, valid_data(kelurahan=str(kelurahan_of(other).get().pk)))
    assert Complaint.objects.count() == 0


def test_the_filing_page_allows_the_tile_server_only_when_one_is_set(client, pemda):
    assert csp_directives(client.get(FILE_URL))["img-src"] == ["'self'", "data:"]
    with override_settings(ADUAN_MAP_TILE_URL="https://tiles.example.id/{z}/{x}/{y}.png"):
        response = client.get(FILE_URL)
    assert csp_directives(response)["img-src"] == ["'self'", "data:", "https://tiles.example.id"]
    assert 'data-tile-url="https://tiles.example.id/{z}/{x}/{y}.png"' in response.content.decode()
