"""The OPD's field work in real Chromium: the officer posts a progress update and a planned date
from the staff page (tablet), then "selesai ditangani" with a photo the category requires; the
reporter (phone, 360 px) sees the progress, the answer and the photo, and accepts. A planned date
that passes with nothing done is a broken promise: the sweep escalates it to the kepala OPD.
Screenshots go to var/screenshots/."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from PIL import Image

from aduan.complaints.models import Attachment, Status
from aduan.sla.models import Deadline, DeadlineEffect, EffectKind, Stage
from aduan.sla.services import deadlines_sweep
from tests.factories import (
    CategoryFactory,
    MembershipFactory,
    OpdFactory,
    PemdaFactory,
    complaint_in_status,
)

PASSWORD = "rahasia-123"

pytestmark = pytest.mark.browser


def sign_in(page, user) -> None:
    page.goto(page.base_url + "/staf/masuk/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit].button-primary")


def photo(tmp_path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 90, 90)).save(buffer, "JPEG")
    path = tmp_path / "aspal-baru.jpg"
    path.write_bytes(buffer.getvalue())
    return path


def test_progress_then_done_with_a_photo_then_the_reporter_accepts(tablet, phone, tmp_path, shot):
    pemda = PemdaFactory(name="Pemerintah Kota Balikpapan", code="BPN")
    dpu = OpdFactory(pemda=pemda, name="Dinas Pekerjaan Umum", short_name="DPU")
    category = CategoryFactory(pemda=pemda, name="Jalan rusak", default_opd=dpu, done_photo_required=True)
    koordinator = MembershipFactory(role="koordinator", pemda=pemda).user
    petugas = MembershipFactory(role="petugas_opd", opd=dpu, user__full_name="Agus Salim").user
    complaint = complaint_in_status(
        Status.DISPATCHED, pemda=pemda, opd=dpu, koordinator=koordinator, category=category
    )

    page = tablet
    sign_in(page, petugas)
    page.goto(f"{page.base_url}/staf/aduan/{complaint.pk}/")
    page.locator("details[data-action=schedule]").evaluate("d => d.open = true")
    planned = (timezone.localtime(timezone.now(), pemda.zoneinfo) + timedelta(days=3)).date()
    page.fill("#id_schedule-planned_date", planned.isoformat())
    page.fill("#id_schedule-note", "Tim DPU sudah meninjau; pengaspalan dijadwalkan.")
    with page.expect_navigation():
        page.click("details[data-action=schedule] button[type=submit]")
    assert Deadline.objects.open().filter(complaint=complaint, stage=Stage.PROMISE).count() == 1

    page.locator("details[data-action=follow_up]").evaluate("d => d.open = true")
    page.fill("#id_follow_up-note", "Jalan sudah diaspal ulang.")
    page.set_input_files("#id_follow_up-photo", str(photo(tmp_path)))
    shot(page, "staff-done-with-photo-tablet")
    with page.expect_navigation():
        page.click("details[data-action=follow_up] button[type=submit]")
    complaint.refresh_from_db()
    assert complaint.status == Status.FOLLOWED_UP
    assert list(Attachment.objects.filter(complaint=complaint).values_list("is_internal", flat=True)) == [
        False
    ]

    phone.goto(f"{phone.base_url}/lacak/{complaint.tracking_secret}/")
    content = phone.content()
    assert "pengaspalan dijadwalkan" in content
    assert "Jalan sudah diaspal ulang." in content
    assert "aspal-baru" in content  # the photo is listed for the reporter
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "tracking-done-with-photo")
    with phone.expect_navigation():
        phone.click("text=Ya, saya terima jawaban ini")
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    promise = Deadline.objects.get(complaint=complaint, stage=Stage.PROMISE)
    assert promise.met_at is not None
    assert promise.breached_at is None


def test_a_broken_promise_escalates_to_the_kepala_and_the_reporter_sees_the_date(tablet, phone, shot):
    """The OPD posts "dijadwalkan" with a planned date; the reporter's tracking page (360 px) shows
    the date; the date passes with nothing done, the sweep escalates, and the kepala OPD finds the
    broken promise on their page."""
    pemda = PemdaFactory(name="Pemerintah Kota Balikpapan", code="BPN")
    dpu = OpdFactory(pemda=pemda, name="Dinas Pekerjaan Umum", short_name="DPU")
    koordinator = MembershipFactory(role="koordinator", pemda=pemda).user
    petugas = MembershipFactory(role="petugas_opd", opd=dpu).user
    kepala = MembershipFactory(role="kepala_opd", opd=dpu, user__full_name="Kepala DPU").user
    complaint = complaint_in_status(Status.DISPATCHED, pemda=pemda, opd=dpu, koordinator=koordinator)

    page = tablet
    sign_in(page, petugas)
    page.goto(f"{page.base_url}/staf/aduan/{complaint.pk}/")
    page.locator("details[data-action=schedule]").evaluate("d => d.open = true")
    planned = (timezone.localtime(timezone.now(), pemda.zoneinfo) + timedelta(days=1)).date()
    page.fill("#id_schedule-planned_date", planned.isoformat())
    page.fill("#id_schedule-note", "Penambalan dijadwalkan besok.")
    with page.expect_navigation():
        page.click("details[data-action=schedule] button[type=submit]")
    promise = Deadline.objects.get(complaint=complaint, stage=Stage.PROMISE)
    assert promise.met_at is None

    day = date_format(planned, "l, j F Y")
    phone.goto(f"{phone.base_url}/lacak/{complaint.tracking_secret}/")
    timeline = phone.locator("ol.timeline li.event-schedule").inner_text()
    assert f"tanggal rencana {day}" in timeline
    assert "Penambalan dijadwalkan besok." in timeline
    assert "OPD berjanji selesai menangani paling lambat" in phone.locator("ul.deadlines").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "tracking-planned-date")

    # The planned date passes: the sweep (a minute after its end) escalates, exactly once.
    after = promise.due_at + timedelta(minutes=1)
    while deadlines_sweep(now=after):
        pass
    promise.refresh_from_db()
    assert promise.breached_at is not None
    assert promise.opd_id == dpu.pk  # the breach is charged to the OPD that made the promise
    escalations = DeadlineEffect.objects.filter(deadline=promise, kind=EffectKind.ESCALATION)
    assert escalations.count() == 1
    assert deadlines_sweep(now=after) == 0

    page.context.clear_cookies()
    sign_in(page, kepala)
    page.goto(f"{page.base_url}/staf/kepala/")
    section = page.locator("section[aria-labelledby=esc-h]").inner_text()
    assert complaint.ticket_number in section
    assert str(Stage.PROMISE.label) in section
    shot(page, "kepala-broken-promise-tablet")

    phone.reload()
    assert f"tanggal rencana {day}" in phone.locator("ol.timeline").inner_text()
