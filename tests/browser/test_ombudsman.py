"""Taking a complaint to the Ombudsman, end to end in real Chromium: the reporter sends it from the
tracking page (phone, 360 px), the Ombudsman finds it in the queue and asks the Pemda for
clarification (tablet), the koordinator answers, the Ombudsman closes it with a finding and a
corrective action, and the reporter reads the outcome. Screenshots go to var/screenshots/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from aduan.complaints.models import Status
from aduan.ombudsman.models import ClarificationRequest, Finding, OmbudsmanReport, ReportStatus
from aduan.sla.models import Stage
from tests.factories import MembershipFactory, OpdFactory, PemdaFactory, ProvinceFactory, complaint_in_status

from .test_field_work import sign_in

pytestmark = pytest.mark.browser

REASON = "Aduan saya diarsipkan tanpa pernah ditanya; lubang jalan di depan rumah masih ada."


def test_ombudsman_escalation_end_to_end(tablet, phone, shot):
    province = ProvinceFactory(name="Kalimantan Timur", code="KT")
    pemda = PemdaFactory(name="Pemerintah Kota Balikpapan", code="BPN", province=province)
    OpdFactory(pemda=pemda, name="Dinas Pekerjaan Umum", short_name="DPU")
    koordinator = MembershipFactory(role="koordinator", pemda=pemda, user__full_name="Rina Koordinator").user
    ombudsman = MembershipFactory(
        role="ombudsman", province=province, user__full_name="Asisten Ombudsman"
    ).user
    complaint = complaint_in_status(Status.ARCHIVED, pemda=pemda, koordinator=koordinator)

    # 1. The reporter, on their phone, sends it to the Ombudsman without sharing their identity.
    phone.goto(f"{phone.base_url}/lacak/{complaint.tracking_secret}/")
    phone.fill("#ombudsman-reason", REASON)
    shot(phone, "ombudsman-track-form-phone")
    with phone.expect_navigation():
        phone.click("#ombudsman button[type=submit]")
    assert "Diterima Ombudsman" in phone.content()
    report = OmbudsmanReport.objects.get(complaint=complaint)
    assert report.identity_shared is False
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the tracking page scrolls sideways at 360 px ({width})"

    # 2. The Ombudsman's queue holds it; the report page has the reason and the whole timeline,
    #    never the reporter's name.
    page = tablet
    sign_in(page, ombudsman)
    page.click("nav >> text=Laporan ke Ombudsman")
    page.wait_for_selector(f"#report-{report.pk}")
    row = page.locator(f"#report-{report.pk}").inner_text()
    assert complaint.ticket_number in row
    assert "Aduan diarsipkan" in row
    shot(page, "ombudsman-queue-tablet")
    with page.expect_navigation():
        page.click(f"#report-{report.pk} a.ticket")
    content = page.content()
    assert REASON in content
    assert "Riwayat aduan" in content
    assert "Budi Santoso" not in content
    page.fill("#id_question", "Mengapa aduan diarsipkan tanpa meminta kelengkapan dari pelapor?")
    with page.expect_navigation():
        page.click("#form-clarify button[type=submit]")
    request = ClarificationRequest.objects.get(report=report)
    assert request.deadline.stage == Stage.CLARIFICATION
    assert (request.deadline.due_at - request.requested_at) == timedelta(days=14)
    shot(page, "ombudsman-report-clarification-tablet")

    # 3. The koordinator sees the request for their Pemda and answers it.
    page.context.clear_cookies()
    sign_in(page, koordinator)
    page.click("nav >> text=Klarifikasi Ombudsman")
    with page.expect_navigation():
        page.click(f"#report-{report.pk} a.ticket")
    assert REASON not in page.content()  # the reporter's words are for the Ombudsman
    page.fill("#id_answer", "Isi aduan tidak dapat dipahami; kami akan memeriksanya kembali.")
    with page.expect_navigation():
        page.click("#form-answer button[type=submit]")
    request.refresh_from_db()
    assert request.answered_by == koordinator
    assert request.deadline.met_at is not None

    # 4. The Ombudsman closes the report with a finding and a corrective action.
    page.context.clear_cookies()
    sign_in(page, ombudsman)
    page.goto(f"{page.base_url}/staf/ombudsman/laporan/{report.pk}/")
    assert "Isi aduan tidak dapat dipahami" in page.content()
    page.check(f"input[name=finding][value={Finding.MALADMINISTRATION}]")
    page.fill("#id_note", "Aduan diarsipkan tanpa meminta kelengkapan: penyimpangan prosedur.")
    page.fill("#id_action_0", "Buka kembali dan periksa aduan; latih petugas verifikasi.")
    due = (timezone.localtime(timezone.now(), pemda.zoneinfo) + timedelta(days=30)).date()
    page.fill("#id_due_0", due.isoformat())
    with page.expect_navigation():
        page.click("#form-close button[type=submit]")
    report.refresh_from_db()
    assert (report.status, report.finding) == (ReportStatus.CLOSED, Finding.MALADMINISTRATION)
    assert report.actions.get().due_date == due

    # 5. The reporter reads the outcome.
    phone.goto(f"{phone.base_url}/lacak/{complaint.tracking_secret}/")
    content = phone.content()
    assert "Ditemukan maladministrasi" in content
    assert "latih petugas verifikasi" in content
    shot(phone, "ombudsman-outcome-phone")
