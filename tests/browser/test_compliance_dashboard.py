"""The Ombudsman officer on a phone: opens the compliance dashboard of the Balikpapan demo, sees
the 2022 score (87.12, B, Zona Hijau, 0.88 below A), sorts the OPD league table, drills into an
OPD and downloads the XLSX."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from aduan.agencies.models import Pemda
from aduan.devdata.compliance_demo import compliance_demo_load
from aduan.devdata.demo import demo_load

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def demo(default_policies):
    demo_load()
    compliance_demo_load()
    return Pemda.objects.get(code="BPN")


def _sign_in(page, email):
    page.goto(page.base_url + "/kepatuhan/")
    assert "/staf/masuk/" in page.url  # signed-out users are sent to the staff sign-in
    page.fill("#id_username", email)
    page.fill("#id_password", "aduan-demo")
    with page.expect_navigation():
        page.click("button[type=submit]")


def _column(page, table_id, index):
    return page.eval_on_selector_all(
        f"#{table_id} tbody tr", f"rows => rows.map(r => r.children[{index}].textContent.trim())"
    )


def test_ombudsman_reads_the_score_sorts_drills_and_exports(phone, demo):
    _sign_in(phone, "ombudsman.kaltim@aduan.test")
    assert phone.url.endswith("/kepatuhan/")
    phone.click(f"#league tr[data-pemda='{demo.pk}'] th a")
    phone.wait_for_selector("#opd-table")

    # The 2022 score card tells the Balikpapan story.
    phone.click("nav.yearnav >> text=2022")
    phone.wait_for_selector("[data-total]")
    assert phone.inner_text("[data-total]") == "87,12"
    card = phone.inner_text("section.card")
    assert "Kategori B" in card
    assert "Zona Hijau" in card
    assert "0,88 poin di bawah A" in card
    assert "Mengapa nilai berubah dari 2021 ke 2022" in phone.content()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "compliance-dashboard-360.png"), full_page=True)

    # Sort the OPD table by "received", most first, then fewest first.
    with phone.expect_navigation():
        phone.click("#opd-table th a[data-sort='received']")
    desc = [int(v) for v in _column(phone, "opd-table", 2)]
    assert desc == sorted(desc, reverse=True)
    assert phone.get_attribute("#opd-table th a[data-sort='received']", "aria-sort") == "descending"
    with phone.expect_navigation():
        phone.click("#opd-table th a[data-sort='received']")
    asc = [int(v) for v in _column(phone, "opd-table", 2)]
    assert asc == sorted(asc)
    assert max(desc) > 0

    # Download the XLSX of the OPD table: the same OPDs as on the page.
    with phone.expect_download() as download:
        phone.click("a[data-export='xlsx']")
    rows = list(load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active.values)
    assert rows[0][0] == "OPD"
    assert len(rows) - 1 == len(asc)

    # Drill into the OPD with the most complaints, then to the complaints behind a figure.
    href = phone.get_attribute("#opd-table tbody tr:last-child th a", "href")
    with phone.expect_navigation():
        phone.click("#opd-table tbody tr:last-child th a")
    assert phone.url.endswith(href)
    assert int(phone.inner_text("#opd-figures tr:first-child a")) == max(desc)
    drill = phone.get_attribute("#opd-figures tr:first-child a", "href")
    assert drill.startswith("/staf/?pemda=")
    assert "&opd=" in drill
    phone.screenshot(path=str(SCREENSHOTS / "compliance-opd-360.png"), full_page=True)
