"""The map in real Chromium at 360 px: the OPD's map of open complaints and the complaint page,
without a tile server (Leaflet over a plain grid, the coordinates as text, the OpenStreetMap
link; nothing loaded from elsewhere), with a tile server (a loopback HTTP server in the test
serving one tiny PNG: the tiles are requested and drawn, the CSP lets them in), without
JavaScript (the grid with its pins and the list), and the koordinator dragging the pin.
Screenshots go to var/screenshots/."""

import io
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from PIL import Image

from aduan.agencies.areas import areas_load, kelurahan_of
from aduan.complaints.location import LocationStep
from aduan.complaints.models import Status
from tests.factories import MembershipFactory, OpdFactory, PemdaFactory, complaint_in_status

from .test_field_work import sign_in

pytestmark = pytest.mark.browser

PLACES = [(-1.2552, 116.8691), (-1.2557, 116.8695), (-1.2196, 116.8618), (-1.2739, 116.8352)]


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (170, 211, 223)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def tile_server():
    """A loopback tile server: every GET answers the same PNG; the paths asked are recorded."""
    body, asked = _png(), []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.asked = asked
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def city(default_policies):
    pemda = PemdaFactory(name="Pemerintah Kota Balikpapan", code="BPN")
    areas_load(pemda, {"Balikpapan Selatan": ["Damai Baru"], "Balikpapan Utara": ["Gunung Samarinda"]})
    areas = {k.name: k for k in kelurahan_of(pemda)}
    dpu = OpdFactory(pemda=pemda, name="Dinas Pekerjaan Umum", short_name="DPU")
    koordinator = MembershipFactory(role="koordinator", pemda=pemda).user
    petugas = MembershipFactory(role="petugas_opd", opd=dpu).user
    complaints = [
        complaint_in_status(
            Status.DISPATCHED,
            pemda=pemda,
            opd=dpu,
            koordinator=koordinator,
            title=f"Jalan berlubang nomor {n}",
            latitude=Decimal(str(lat)),
            longitude=Decimal(str(lon)),
            kelurahan=areas["Gunung Samarinda" if lat > -1.23 else "Damai Baru"],
        )
        for n, (lat, lon) in enumerate(PLACES)
    ]
    return pemda, koordinator, petugas, complaints


def _external(page, live_server):
    """Requests the page makes to any host but the live server."""
    own = urlsplit(live_server.url).netloc
    seen = []
    page.on("request", lambda r: seen.append(r.url) if urlsplit(r.url).netloc not in (own, "") else None)
    return seen


def _csp_errors(page):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


def test_without_a_tile_server_the_map_is_a_grid_with_clusters_text_and_a_link(
    phone, live_server, city, shot
):
    _pemda, _koordinator, petugas, complaints = city
    page = phone
    external, csp = _external(page, live_server), _csp_errors(page)
    sign_in(page, petugas)
    page.goto(page.base_url + "/staf/peta/")

    live = page.locator("#open-map.map-live.map-no-tiles")
    live.wait_for()
    assert page.locator("#open-map .leaflet-tile").count() == 0
    markers = page.locator("#open-map .leaflet-marker-icon")
    assert markers.count() >= 2
    assert sum(int(t or "1") for t in markers.all_inner_texts()) == len(PLACES)  # clusters add up
    assert page.locator("#open-map .leaflet-marker-icon.level-on_time").count() == markers.count()
    assert page.get_by_text("-1.255200, 116.869100").is_visible()
    box = live.bounding_box()
    assert box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "map-open-complaints-grid-360")

    page.goto(f"{page.base_url}/staf/aduan/{complaints[0].pk}/")
    page.locator("#complaint-map.map-live.map-no-tiles").wait_for()
    assert page.locator("#location-coords").inner_text() == "-1.255200, 116.869100"
    link = page.get_by_role("link", name="Buka di OpenStreetMap")
    assert link.is_visible()
    assert link.get_attribute("href").startswith("https://www.openstreetmap.org/?mlat=-1.255200")
    assert page.locator("#complaint-map .leaflet-marker-icon").count() == 1
    assert "data-draggable" not in page.locator("#complaint-map").evaluate("e => e.outerHTML")
    page.locator("#location-h").scroll_into_view_if_needed()
    shot(page, "map-complaint-grid-360")
    assert external == []
    assert csp == []


def test_with_a_tile_server_the_tiles_are_requested_and_drawn(
    phone, live_server, city, tile_server, settings, shot
):
    _pemda, _koordinator, petugas, _complaints = city
    settings.ADUAN_MAP_TILE_URL = f"http://127.0.0.1:{tile_server.server_port}/{{z}}/{{x}}/{{y}}.png"
    page = phone
    csp = _csp_errors(page)
    sign_in(page, petugas)
    page.goto(page.base_url + "/staf/peta/")

    page.locator("#open-map.map-live").wait_for()
    page.locator("#open-map img.leaflet-tile-loaded").first.wait_for()
    assert "map-no-tiles" not in (page.locator("#open-map").get_attribute("class") or "")
    assert tile_server.asked
    assert all(p.endswith(".png") and p.count("/") == 3 for p in tile_server.asked), tile_server.asked
    zoom = {p.split("/")[1] for p in tile_server.asked}
    assert all(z.isdigit() and 10 <= int(z) <= 16 for z in zoom), zoom
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "map-open-complaints-tiles-360")
    assert csp == []


def test_without_javascript_the_grid_pins_and_the_list_remain(chromium, live_server, city, shot):
    _pemda, _koordinator, petugas, complaints = city
    context = chromium.new_context(
        viewport={"width": 360, "height": 740}, locale="id-ID", java_script_enabled=False
    )
    page = context.new_page()
    page.base_url = live_server.url
    try:
        sign_in(page, petugas)
        page.goto(page.base_url + "/staf/peta/")
        grid = page.locator("#open-map.map-grid")
        assert grid.is_visible()
        assert "map-live" not in grid.get_attribute("class")
        pins = page.locator("#open-map .map-pin")
        assert pins.count() >= 2
        assert all(pin.is_visible() for pin in pins.all())
        for complaint in complaints:
            assert page.get_by_role("link", name=complaint.ticket_number).is_visible()
        assert page.get_by_text("Gunung Samarinda").first.is_visible()
        shot(page, "map-open-complaints-nojs-360")
    finally:
        context.close()


def test_the_koordinator_drags_the_pin_and_saves(phone, live_server, city, shot):
    _pemda, koordinator, _petugas, complaints = city
    complaint = complaints[0]
    page = phone
    sign_in(page, koordinator)
    page.goto(f"{page.base_url}/staf/aduan/{complaint.pk}/")
    marker = page.locator("#complaint-map .leaflet-marker-draggable")
    marker.wait_for()
    marker.scroll_into_view_if_needed()
    box = marker.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 20, y + 10, steps=5)
    page.mouse.move(x + 40, y + 30, steps=5)
    page.mouse.up()

    latitude = page.input_value("#relocate-latitude")
    longitude = page.input_value("#relocate-longitude")
    assert (latitude, longitude) != ("-1.255200", "116.869100")
    assert page.locator("#location-coords").inner_text() == f"{latitude}, {longitude}"
    assert float(latitude) < -1.2552  # dragged down: south
    assert float(longitude) > 116.8691  # and right: east
    osm = page.get_by_role("link", name="Buka di OpenStreetMap").get_attribute("href")
    assert osm.startswith(f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan lokasi").click()

    complaint.refresh_from_db()
    assert (str(complaint.latitude), str(complaint.longitude)) == (latitude, longitude)
    assert complaint.events.filter(action=LocationStep.RELOCATE, actor=koordinator).count() == 1
    assert page.get_by_text("Lokasi aduan diperbarui.").is_visible()
    shot(page, "map-complaint-relocated-360")


def test_the_citizen_places_the_pin_by_tapping_the_map(phone, city, shot):
    page = phone
    page.goto(page.base_url + "/aduan/")
    filing_map = page.locator("#filing-map.map-live.map-no-tiles")
    filing_map.wait_for()
    assert page.input_value("#id_latitude") == ""
    filing_map.scroll_into_view_if_needed()
    box = filing_map.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 30, box["y"] + box["height"] / 2)

    latitude, longitude = float(page.input_value("#id_latitude")), float(page.input_value("#id_longitude"))
    assert -11 < latitude < 6  # the default centre is Indonesia
    assert 95 < longitude < 141
    assert page.locator("#filing-map .leaflet-marker-draggable").count() == 1
    assert page.locator("#geo-status").inner_text() == "Lokasi terpasang pada aduan."
    # Typing moves the pin the other way round.
    page.fill("#id_latitude", "-1.2552")
    page.fill("#id_longitude", "116.8691")
    page.locator("#id_longitude").dispatch_event("change")
    shot(page, "map-filing-pin-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
