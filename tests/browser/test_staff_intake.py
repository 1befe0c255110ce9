"""Staff intake in real Chromium: a front-desk officer (petugas loket) signs in, lands on the
intake form, records a letter received two weeks ago (refused until the late-entry reason is
given, then stored with its scanned letter), gets the printable receipt, and the tracking link on
it opens the reporter's tracking page. Screenshots go to var/screenshots/."""

import io
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from aduan.complaints.models import Attachment, Channel, Complaint, ComplaintEvent, IntakeRecord
from tests.browser.test_staff_workspace import balikpapan, sign_in
from tests.factories import MembershipFactory


def letter_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), (250, 250, 250)).save(buffer, "PNG")
    return buffer.getvalue()


def test_loket_records_a_late_letter_and_prints_the_receipt(chromium, live_server, default_policies, shot):
    pemda, dpu, category = balikpapan()
    pemda.map_latitude, pemda.map_longitude = Decimal("-1.2654"), Decimal("116.8312")
    pemda.save()
    loket = MembershipFactory(role="petugas_loket", pemda=pemda).user
    context = chromium.new_context(viewport={"width": 1024, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    try:
        sign_in(page, loket, "/staf/aduan/baru/")
        expect(page.get_by_role("heading", name="Catat aduan")).to_be_visible()

        received = timezone.localtime(timezone.now() - timedelta(days=14), pemda.zoneinfo)
        page.select_option("#id_channel", Channel.LETTER)
        page.fill("#id_received_at", received.strftime("%Y-%m-%dT%H:%M"))
        page.fill("#id_title", "Surat keberatan jalan rusak di Jl. Sudirman")
        page.fill("#id_chronology", "Surat warga RT 05 tentang jalan berlubang di depan kantor pos.")
        page.select_option("#id_category", str(category.pk))
        page.fill("#id_name", "Siti Aminah")
        page.fill("#id_email", "siti@example.id")
        page.set_input_files(
            "#id_letter", files=[{"name": "surat.png", "mimeType": "image/png", "buffer": letter_png()}]
        )
        page.click("button[type=submit].button-primary")

        # Two weeks late and no reason: the form comes back with the error beside the field.
        expect(page.locator(".field-late_reason .error")).to_contain_text("isi alasannya")
        assert Complaint.objects.count() == 0
        shot(page, "staff-intake-form-error")
        assert page.input_value("#id_title") == "Surat keberatan jalan rusak di Jl. Sudirman"
        # The place: a tap on the Pemda's map (Balikpapan's centre) fills in the coordinates.
        intake_map = page.locator("#intake-map.map-live")
        intake_map.scroll_into_view_if_needed()
        box = intake_map.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2 + 20, box["y"] + box["height"] / 2)
        latitude, longitude = (
            float(page.input_value("#id_latitude")),
            float(page.input_value("#id_longitude")),
        )
        assert -1.5 < latitude < -1.0  # near the city, not somewhere in Indonesia
        assert 116.6 < longitude < 117.1
        shot(page, "staff-intake-pin")
        page.fill("#id_late_reason", "Surat baru diteruskan dari bagian umum.")
        page.set_input_files(
            "#id_letter", files=[{"name": "surat.png", "mimeType": "image/png", "buffer": letter_png()}]
        )
        page.click("button[type=submit].button-primary")

        expect(page.get_by_role("heading", name="Tanda terima aduan")).to_be_visible()
        complaint = Complaint.objects.get()
        expect(page.locator("#receipt-ticket")).to_have_text(complaint.ticket_number)
        assert complaint.channel == Channel.LETTER
        assert complaint.submitted_at == received.replace(second=0, microsecond=0)
        assert abs(float(complaint.latitude) - latitude) < 1e-5
        assert IntakeRecord.objects.get().recorded_by == loket
        assert Attachment.objects.filter(complaint=complaint).count() == 1
        assert "Dicatat terlambat" in ComplaintEvent.objects.get(complaint=complaint).note
        expect(page.locator("[data-print]")).to_be_visible()
        shot(page, "staff-intake-receipt")

        link = page.locator("#receipt-link").inner_text()
        assert complaint.tracking_secret in link
        page.goto(link)
        expect(page.locator("body")).to_contain_text(complaint.ticket_number)
    finally:
        context.close()
