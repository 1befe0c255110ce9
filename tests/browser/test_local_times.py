"""Times in the Pemda's zone, labelled, in real Chromium: the reporter's "Data saya" page shows
readable local times instead of UTC ISO strings; the compliance score card says when it was
computed in the Pemda's zone (WITA for Balikpapan)."""

import re

from django.urls import reverse
from django.utils import timezone

from aduan.compliance.models import ComplianceScore
from aduan.devdata.compliance_demo import compliance_demo_load
from aduan.devdata.demo import demo_load
from tests.factories import ComplaintFactory, PemdaFactory, wita


def test_my_data_page_shows_local_readable_times(phone):
    pemda = PemdaFactory(name="Pemerintah Kota Balikpapan", code="BPN")
    complaint = ComplaintFactory(pemda=pemda, now=wita(2026, 12, 7, 9, 15))

    phone.goto(phone.base_url + reverse("privacy:my-data", args=[complaint.tracking_secret]))

    timeline = phone.inner_text("ol.timeline")
    assert "7 Desember 2026, 09:15 WITA" in timeline
    assert "+00:00" not in phone.inner_text("main")
    assert phone.get_attribute("ol.timeline time", "datetime").endswith("+00:00")  # machine-readable


def test_compliance_card_says_when_it_was_computed_in_the_pemdas_zone(phone, default_policies):
    demo_load()
    compliance_demo_load()
    snapshot = ComplianceScore.objects.filter(pemda__code="BPN", year=2022).latest("computed_at")
    local = timezone.localtime(snapshot.computed_at, snapshot.pemda.zoneinfo)
    phone.goto(phone.base_url + "/kepatuhan/")
    phone.fill("#id_username", "ombudsman.kaltim@aduan.test")
    phone.fill("#id_password", "aduan-demo")
    with phone.expect_navigation():
        phone.click("button[type=submit]")

    phone.goto(phone.base_url + reverse("compliance:pemda", args=[snapshot.pemda.pk]) + "?tahun=2022")

    card = phone.inner_text("section.card")
    shown = re.search(r"dihitung (.+ \d\d:\d\d \w+)", card).group(1)
    assert shown.endswith(f"{local:%H:%M} WITA")
