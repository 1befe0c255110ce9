"""The filter panel's lists on the queue pages (categories, kecamatan, kelurahan, Pemdas, OPDs) are
read once per role scope and language and kept a short time: the next page costs no query for
them, a saved or deleted row shows at once, and one user's lists never reach another scope."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aduan.agencies.models import Kecamatan, Kelurahan
from aduan.complaints.models import Category
from aduan.workspace.views.staff_queues import queue_caches_clear
from tests.factories import MembershipFactory, OpdFactory, PemdaFactory

pytestmark = pytest.mark.postgres

INBOX = reverse("complaints:staff-inbox")
TRIAGE = reverse("complaints:staff-triage")
LIST = reverse("complaints:staff-list")


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r'<option value="[^"]*"[^>]*>([^<]*)</option>', select.group(1))


def queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.fixture
def area(world):
    roads = Category.objects.create(name="Jalan", name_en="Roads", pemda=world.pemda)
    Category.objects.create(name="Berlubang", name_en="Potholes", pemda=world.pemda, parent=roads)
    kecamatan = Kecamatan.objects.create(pemda=world.pemda, name="Mariso")
    Kelurahan.objects.create(kecamatan=kecamatan, name="Lette")
    return kecamatan


def test_the_lists_are_read_once_then_kept(world, client, area):
    client.force_login(world.petugas[0])
    first, html = queries(client, INBOX)
    second, again = queries(client, INBOX)
    assert first - second == 3  # categories, kecamatan, kelurahan
    for name in ("category", "kecamatan", "kelurahan"):
        assert options(again, name) == options(html, name)
    assert options(again, "category") == ["---------", "Jalan › Berlubang", "Jalan"]  # by name
    assert options(again, "kecamatan") == ["---------", "Mariso"]
    assert options(again, "kelurahan") == ["---------", "Lette, Mariso"]


def test_a_saved_or_deleted_row_shows_at_once(world, client, area):
    client.force_login(world.petugas[0])
    client.get(INBOX)
    lette = Kelurahan.objects.get()
    Kelurahan.objects.create(kecamatan=area, name="Bontorannu")
    assert options(client.get(INBOX).content.decode(), "kelurahan") == [
        "---------",
        "Bontorannu, Mariso",
        "Lette, Mariso",
    ]
    lette.delete()
    assert options(client.get(INBOX).content.decode(), "kelurahan") == ["---------", "Bontorannu, Mariso"]
    Category.objects.create(name="Air", pemda=world.pemda)
    assert "Air" in options(client.get(INBOX).content.decode(), "category")


def test_lists_stay_in_their_scope_and_language(world, client, area):
    elsewhere = PemdaFactory()
    Kecamatan.objects.create(pemda=elsewhere, name="Tamalate")
    Category.objects.create(name="Sampah", pemda=elsewhere)
    stranger = MembershipFactory(role="petugas_opd", opd=OpdFactory(pemda=elsewhere)).user
    client.force_login(stranger)
    html = client.get(INBOX).content.decode()
    assert options(html, "kecamatan") == ["---------", "Tamalate"]
    client.force_login(world.petugas[0])
    html = client.get(INBOX).content.decode()
    assert options(html, "kecamatan") == ["---------", "Mariso"]
    assert "Sampah" not in options(html, "category")
    english = client.get(INBOX, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert options(english, "category") == ["---------", "Roads › Potholes", "Roads"]
    client.force_login(world.koordinator)  # the koordinator's lists: the Pemda's OPDs too
    html = client.get(LIST).content.decode()
    assert options(html, "opd") == ["---------", str(world.opd), str(world.other_opd)]  # by name
    assert options(client.get(TRIAGE).content.decode(), "kecamatan") == ["---------", "Mariso"]


def test_a_submitted_filter_value_is_still_checked_against_the_scope(world, client, area):
    elsewhere = Kecamatan.objects.create(pemda=PemdaFactory(), name="Tamalate")
    client.force_login(world.petugas[0])
    client.get(INBOX)  # the lists are kept now
    html = client.get(INBOX, {"kecamatan": elsewhere.pk}).content.decode()
    assert 'class="error"' in html
    assert 'id="row-' not in html


def panel(html: str) -> str:
    return re.search(r'<details class="filter-panel".*?<p class="export-links.*?</p>', html, re.S).group(0)


def test_the_kept_panel_is_the_one_drawn_for_the_same_address(world, client, area):
    client.force_login(world.petugas[0])
    urls = [INBOX, f"{INBOX}?kecamatan={area.pk}&q=a%26b%22", f"{INBOX}?due=bogus", f"{INBOX}?sort=risk"]
    drawn = {}
    for url in urls:
        queue_caches_clear()
        drawn[url] = panel(client.get(url).content.decode())
        assert panel(client.get(url).content.decode()) == drawn[url]  # kept
    assert "open>" not in drawn[INBOX].split("\n")[0]
    assert f'<option value="{area.pk}" selected>Mariso</option>' in drawn[urls[1]]
    assert 'value="a&amp;b&quot;"' in drawn[urls[1]]
    assert 'class="error"' in drawn[urls[2]]
    assert '<option value="risk" selected>' in drawn[urls[3]]
    assert len(set(drawn.values())) == len(urls)


def test_the_ombudsmans_pemdas_are_read_once_and_a_new_one_shows_at_once(world, client):
    ombudsman = MembershipFactory(role="ombudsman", province=world.pemda.province).user
    client.force_login(ombudsman)
    url = reverse("complaints:staff-ombudsman")

    def province_reads() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url).content.decode()
        reads = [q["sql"] for q in ctx.captured_queries if 'FROM "agencies_pemda" WHERE' in q["sql"]]
        return len(reads), html

    queue_caches_clear()
    assert province_reads()[0] == 1  # the filter form's five lists share it
    reads, html = province_reads()
    assert reads == 0  # the form class is kept
    assert options(html, "pemda") == ["---------", world.pemda.name]
    newer = PemdaFactory(province=world.pemda.province, name="Kabupaten Baru")
    assert options(province_reads()[1], "pemda") == ["---------", newer.name, world.pemda.name]
