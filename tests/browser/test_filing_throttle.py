"""The filing throttle in real Chromium: a citizen over the hour's allowance of filed complaints
gets the form back with everything typed, and nothing is filed."""

import re

from aduan.complaints.models import Complaint
from aduan.core.throttle import LIMITS, Limit
from tests.factories import CategoryFactory, OpdFactory, PemdaFactory


def test_a_throttled_citizen_keeps_the_typed_form(phone, monkeypatch):
    pemda = PemdaFactory(name="Pemerintah Kota Balikpapan", code="BPN")
    opd = OpdFactory(pemda=pemda, name="Dinas Pekerjaan Umum", short_name="DPU")
    CategoryFactory(pemda=pemda, name="Jalan rusak", default_opd=opd)
    monkeypatch.setitem(LIMITS, "filed", Limit(0, 3600))  # this address has filed its hour's share

    phone.goto(phone.base_url + "/aduan/")
    phone.fill("#id_title", "Jalan berlubang di Jl. MT Haryono")
    chronology = "Lubang besar di depan ruko nomor 12 sejak dua minggu, sudah dua motor jatuh."
    phone.fill("#id_chronology", chronology)
    phone.select_option("#id_category", label="Jalan rusak")
    phone.check("#id_is_anonymous")
    with phone.expect_response(lambda r: r.request.method == "POST") as answer:
        phone.click("button.primary")

    assert answer.value.status == 429
    phone.wait_for_selector(".errorbox.throttled")
    assert re.search(r"Coba lagi dalam \d+ menit\.", phone.inner_text(".errorbox.throttled"))
    assert phone.input_value("#id_title") == "Jalan berlubang di Jl. MT Haryono"
    assert phone.input_value("#id_chronology") == chronology
    assert phone.is_checked("#id_is_anonymous")
    assert Complaint.objects.count() == 0
