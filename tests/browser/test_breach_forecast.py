"""The breach forecast in real Chromium at tablet width: the kepala sees "likely to breach this
week" with the estimate badge (its tooltip says it is an estimate), and the OPD inbox sorted by
risk puts the riskier complaint first. Screenshots go to var/screenshots/."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_staff_workspace import PASSWORD, sign_in
from tests.factories import MembershipFactory, OpdFactory, PemdaFactory
from tests.workspace.test_staff_risk import dispatched, history


@pytest.fixture
def setting(default_policies):
    pemda = PemdaFactory()
    opd = OpdFactory(pemda=pemda, name="Dinas Pekerjaan Umum")
    other = OpdFactory(pemda=pemda, name="Dinas Perhubungan")
    world = type("W", (), {})()
    world.pemda, world.opd, world.other_opd = pemda, opd, other
    world.koordinator = MembershipFactory(role="koordinator", pemda=pemda).user
    kepala = MembershipFactory(role="kepala_opd", opd=opd).user
    petugas = MembershipFactory(role="petugas_opd", opd=opd).user
    for user in (kepala, petugas):
        user.set_password(PASSWORD)
        user.save()
    history(pemda, opd, durations={1: 20, 2: 20, 3: 10, 4: 5}, breached=10)
    fresh = dispatched(world, ran=0, title="Lampu jalan padam")
    late = dispatched(world, ran=4, title="Jalan berlubang")
    return kepala, petugas, fresh, late


def test_kepala_and_inbox_show_the_forecast_as_an_estimate(tablet, shot, setting):
    kepala, petugas, fresh, late = setting
    page = tablet
    sign_in(page, kepala, "/staf/kepala/")
    likely = page.locator("#likely")
    expect(likely).to_contain_text(late.ticket_number)
    expect(likely).not_to_contain_text(fresh.ticket_number)
    badge = likely.locator(".risk").first
    assert "Perkiraan" in badge.get_attribute("title")
    shot(page, "kepala-forecast-tablet")

    sign_in(page, petugas, "/staf/kotak-masuk/")
    page.goto(page.base_url + "/staf/kotak-masuk/?sort=risk")
    tickets = page.locator("table.queue tbody a.ticket").all_inner_texts()
    assert tickets == [late.ticket_number, fresh.ticket_number]
    expect(page.locator(".risk-legend")).to_contain_text("Ini perkiraan")
    assert page.locator("select[name=sort]").input_value() == "risk"
    shot(page, "inbox-risk-tablet")
