"""Language in real Chromium: configuration names in English for English readers, the sign-in
error reads well in Indonesian, and 403 and 404 pages use the site's layout in both languages with
a way back."""

import pytest
from django.urls import reverse

from tests.factories import CategoryFactory, MembershipFactory, OpdFactory, PemdaFactory


@pytest.fixture
def english(chromium, live_server, default_policies):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


def test_category_names_follow_the_language(phone, english):
    pemda = PemdaFactory(code="BPN")
    top = CategoryFactory(pemda=pemda, name="Infrastruktur", name_en="Infrastructure")
    CategoryFactory(pemda=pemda, parent=top, name="Jalan rusak", name_en="Damaged roads")
    CategoryFactory(pemda=pemda, name="Layanan kecamatan")  # no English name: the Indonesian one

    phone.goto(phone.base_url + "/aduan/?pemda=BPN")
    english.goto(english.base_url + "/aduan/?pemda=BPN")

    options = "#id_category option"
    assert {"Jalan rusak", "Layanan kecamatan"} <= set(phone.locator(options).all_inner_texts())
    assert {"Damaged roads", "Layanan kecamatan"} <= set(english.locator(options).all_inner_texts())
    assert "Infrastructure" in [
        g.get_attribute("label") for g in english.locator("#id_category optgroup").all()
    ]


def test_the_indonesian_sign_in_error_reads_well(phone):
    phone.goto(phone.base_url + reverse("complaints:staff-login"))
    phone.fill("#id_username", "siapa@example.id")
    phone.fill("#id_password", "salah")
    with phone.expect_navigation():
        phone.click("button[type=submit]")
    assert "Masukkan e-mail dan kata sandi yang benar." in phone.inner_text("main")


@pytest.mark.parametrize(
    ("page_fixture", "heading"), [("phone", "Halaman tidak ditemukan"), ("english", "Page not found")]
)
def test_404_uses_the_site_layout_with_a_way_back(request, page_fixture, heading):
    page = request.getfixturevalue(page_fixture)
    response = page.goto(page.base_url + "/tidak-ada-di-sini/")

    assert response.status == 404
    assert page.inner_text("main h1") == heading
    assert page.locator("header.site-header .site-name").is_visible()
    with page.expect_navigation():
        page.click(".ways-back a")
    assert page.url == page.base_url + "/"


@pytest.mark.parametrize(
    ("page_fixture", "heading"), [("phone", "Akses ditolak"), ("english", "Access denied")]
)
def test_403_uses_the_site_layout_with_a_way_back(request, page_fixture, heading):
    page = request.getfixturevalue(page_fixture)
    mine, other = PemdaFactory(), PemdaFactory()
    petugas = MembershipFactory(role="petugas_opd", opd=OpdFactory(pemda=mine)).user
    page.goto(page.base_url + reverse("complaints:staff-login"))
    page.fill("#id_username", petugas.email)
    page.fill("#id_password", "rahasia-123")
    with page.expect_navigation():
        page.click("button[type=submit]")

    response = page.goto(page.base_url + reverse("compliance:pemda", args=[other.pk]))

    assert response.status == 403
    assert page.inner_text("main h1") == heading
    assert page.locator("nav.staff-nav").is_visible()  # the staff menu is still there
    assert page.get_attribute(".ways-back a", "href") == reverse("complaints:staff-home")


def test_agency_names_follow_the_language(phone, english):
    pemda = PemdaFactory(code="BPN")
    OpdFactory(pemda=pemda, name="Dinas Pekerjaan Umum", short_name="DPU", name_en="Public Works Agency")
    OpdFactory(pemda=pemda, name="Dinas Sosial", short_name="Dinsos")  # no English name: the official one

    phone.goto(phone.base_url + "/aduan/?pemda=BPN")
    english.goto(english.base_url + "/aduan/?pemda=BPN")

    options = "#id_target_opd option"
    assert {"Dinas Pekerjaan Umum (DPU)", "Dinas Sosial (Dinsos)"} <= set(
        phone.locator(options).all_inner_texts()
    )
    assert {"Public Works Agency (DPU)", "Dinas Sosial (Dinsos)"} <= set(
        english.locator(options).all_inner_texts()
    )
