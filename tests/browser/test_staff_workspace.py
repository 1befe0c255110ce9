"""The staff workspace in real Chromium at tablet width (1024 px): a koordinator verifies and
dispatches a new complaint from the triage queue, an OPD officer takes it, posts a follow-up from a
canned response and the reporter's tracking page shows it; a koordinator merges two duplicates.
Screenshots (tablet and phone) go to var/screenshots/."""

import re

from playwright.sync_api import expect

from aduan.complaints.models import Complaint, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.services import canned_response_save
from tests.factories import CategoryFactory, ComplaintFactory, MembershipFactory, OpdFactory, PemdaFactory

PASSWORD = "rahasia-123"


def sign_in(page, user, landing: str) -> None:
    page.context.clear_cookies()
    page.goto(page.base_url + "/staf/masuk/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit].button-primary")
    assert page.url.endswith(landing)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def balikpapan():
    pemda = PemdaFactory(name="Pemerintah Kota Balikpapan", code="BPN")
    dpu = OpdFactory(pemda=pemda, name="Dinas Pekerjaan Umum", short_name="DPU")
    OpdFactory(pemda=pemda, name="Dinas Perhubungan", short_name="Dishub")
    category = CategoryFactory(pemda=pemda, name="Jalan rusak", default_opd=dpu)
    return pemda, dpu, category


def test_dispatch_take_follow_up_with_canned_response_and_reporter_sees_it(tablet, shot):
    page = tablet
    pemda, dpu, category = balikpapan()
    koordinator = MembershipFactory(role="koordinator", pemda=pemda, user__full_name="Rina Marlina").user
    petugas = MembershipFactory(role="petugas_opd", opd=dpu, user__full_name="Agus Salim").user
    canned_response_save(
        actor=Actor.staff(petugas),
        opd=dpu,
        title="Perbaikan dijadwalkan",
        body="Tim DPU telah meninjau lokasi dan menjadwalkan perbaikan minggu ini.",
    )
    complaint = ComplaintFactory(pemda=pemda, category=category, title="Jalan berlubang di Jl. MT Haryono")
    for n in range(3):
        ComplaintFactory(pemda=pemda, category=category, title=f"Trotoar rusak di Klandasan {n + 1}")

    # The koordinator's triage queue, then the complaint page: verify and dispatch to the suggested OPD.
    sign_in(page, koordinator, "/staf/triase/")
    assert page.locator(f"#row-{complaint.pk}").is_visible()
    assert no_horizontal_scroll(page)
    shot(page, "staff-triage-tablet")
    page.click(f"#row-{complaint.pk} a.ticket")
    page.wait_for_selector("details[data-action=dispatch]")
    assert page.input_value("#id_dispatch-opd") == str(dpu.pk)  # suggested from the category
    shot(page, "staff-detail-koordinator-tablet")
    page.fill("#id_dispatch-note", "Mohon segera ditinjau.")
    with page.expect_navigation():
        page.click("details[data-action=dispatch] button[type=submit]")
    page.wait_for_selector(".messages .success")
    complaint.refresh_from_db()
    assert complaint.status == Status.DISPATCHED
    assert complaint.current_opd == dpu

    # The OPD officer: the inbox, take it, fill the follow-up from the canned response, post it.
    sign_in(page, petugas, "/staf/kotak-masuk/")
    row = page.locator(f"#row-{complaint.pk}")
    assert row.is_visible()
    with page.expect_navigation():
        row.locator("button", has_text="Ambil").click()
    complaint.refresh_from_db()
    assert complaint.assigned_to == petugas
    shot(page, "staff-inbox-tablet")
    page.goto(page.base_url + f"/staf/aduan/{complaint.pk}/")
    page.select_option("#canned-select", label="Perbaikan dijadwalkan")
    # Not wait_for_function: the page's Content-Security-Policy refuses the eval it would need.
    expect(page.locator("#id_follow_up-note")).to_have_value(re.compile("menjadwalkan perbaikan"))
    page.fill("#id_follow_up-note", page.input_value("#id_follow_up-note") + " Terima kasih.")
    shot(page, "staff-detail-petugas-tablet")
    with page.expect_navigation():
        page.click("details[data-action=follow_up] button[type=submit].button-primary")
    page.wait_for_selector(".messages .success")
    complaint.refresh_from_db()
    assert complaint.status == Status.FOLLOWED_UP

    # The reporter's tracking page shows the answer.
    page.goto(page.base_url + f"/lacak/{complaint.tracking_secret}/")
    assert "menjadwalkan perbaikan minggu ini. Terima kasih." in page.content()

    # Phone width: the same pages stay usable without sideways scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, petugas, "/staf/kotak-masuk/")
    assert no_horizontal_scroll(page)
    shot(page, "staff-inbox-phone")
    page.goto(page.base_url + f"/staf/aduan/{complaint.pk}/")
    assert no_horizontal_scroll(page)
    shot(page, "staff-detail-phone")
    sign_in(page, koordinator, "/staf/triase/")
    assert no_horizontal_scroll(page)
    shot(page, "staff-triage-phone")


def test_koordinator_merges_two_duplicates(tablet):
    page = tablet
    pemda, _dpu, category = balikpapan()
    koordinator = MembershipFactory(role="koordinator", pemda=pemda).user
    original = ComplaintFactory(pemda=pemda, category=category, title="Lampu jalan padam di Jl. Sudirman")
    duplicate = ComplaintFactory(pemda=pemda, category=category, title="PJU mati depan Pasar Klandasan")

    sign_in(page, koordinator, "/staf/triase/")
    page.goto(page.base_url + f"/staf/aduan/{duplicate.pk}/")
    page.click("details[data-step=merge] summary")
    page.fill("#id_original", original.ticket_number)
    with page.expect_navigation():
        page.click("details[data-step=merge] button[type=submit]")

    page.wait_for_selector(".messages .success")
    assert page.url.endswith(f"/staf/aduan/{original.pk}/")
    duplicate.refresh_from_db()
    assert duplicate.status == Status.ARCHIVED
    assert duplicate.duplicate_of_id == original.pk
    assert Complaint.objects.get(pk=original.pk).supporters_count == 1
