"""Deadlines in real Chromium at phone width: a complaint filed on a Sunday is due by the end of a
working day on the tracking page, never "00:00"."""

from django.urls import reverse

from tests.factories import ComplaintFactory, PemdaFactory, wita


def test_tracking_page_shows_the_last_working_day_instead_of_midnight(phone):
    pemda = PemdaFactory(name="Pemerintah Kota Balikpapan", code="BPN")
    complaint = ComplaintFactory(pemda=pemda, now=wita(2026, 12, 13, 10, 0))  # a Sunday

    phone.goto(phone.base_url + reverse("complaints:track", args=[complaint.tracking_secret]))

    clock = phone.locator("li.deadline-verification")
    assert clock.inner_text().endswith("akhir hari kerja Rabu, 16 Desember 2026")
    assert "00:00" not in phone.locator("ul.deadlines").inner_text()
