"""The assessor's pages in real Chromium: "Rincian per indikator" is open on the printable report
and opens for printing on the dashboard; chart text reads at a sane size on a phone and on a wide
screen; numbers use decimal commas in Indonesian."""

import re

import pytest
from django.urls import reverse

from aduan.agencies.models import Pemda
from aduan.devdata.compliance_demo import compliance_demo_load
from aduan.devdata.demo import demo_load


@pytest.fixture
def bpn(default_policies):
    demo_load()
    compliance_demo_load()
    return Pemda.objects.get(code="BPN")


def _sign_in(page):
    page.goto(page.base_url + "/kepatuhan/")
    page.fill("#id_username", "ombudsman.kaltim@aduan.test")
    page.fill("#id_password", "aduan-demo")
    with page.expect_navigation():
        page.click("button[type=submit]")


def _chart_font_px(page) -> list[float]:
    """The rendered size of the charts' axis text: 15 viewBox units scaled to the chart's width."""
    return page.eval_on_selector_all(
        "svg.chart",
        "charts => charts.map(c => 15 * c.getBoundingClientRect().width / c.viewBox.baseVal.width)",
    )


def test_details_print_open_and_charts_read_at_a_sane_size(phone, chromium, bpn):
    _sign_in(phone)
    dashboard = phone.base_url + reverse("compliance:pemda", args=[bpn.pk]) + "?tahun=2022"
    phone.goto(dashboard)
    folded = phone.locator("details.children").first
    assert folded.get_attribute("open") is None
    phone.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert folded.get_attribute("open") == ""
    phone.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert folded.get_attribute("open") is None
    sizes = _chart_font_px(phone)
    assert sizes
    assert all(10 <= s <= 19 for s in sizes), sizes
    assert not re.search(r"\d\.\d", phone.inner_text("main"))  # decimal commas only

    phone.goto(phone.base_url + reverse("compliance:report", args=[bpn.pk, 2022]))
    assert phone.locator("details.children[open]").count() == phone.locator("details.children").count() > 0
    assert phone.locator("details.children li").first.is_visible()

    wide = phone.context.browser.new_context(viewport={"width": 1440, "height": 900}, locale="id-ID")
    try:
        page = wide.new_page()
        page.base_url = phone.base_url
        _sign_in(page)
        page.goto(dashboard)
        sizes = _chart_font_px(page)
        assert sizes
        assert all(10 <= s <= 19 for s in sizes), sizes
    finally:
        wide.close()
