from tests.factories import PemdaFactory


def test_home_page_renders_in_chromium_at_phone_width(phone):
    PemdaFactory(name="Pemerintah Kota Balikpapan")

    phone.goto(phone.base_url + "/")

    assert phone.locator("html").get_attribute("lang") == "id"
    assert phone.locator("h1").first.is_visible()
    # Nothing wider than the phone: no horizontal scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
