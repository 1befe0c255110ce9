"""The OPD's progress on the staff complaint page: schedule with a planned date, "selesai
ditangani" with a photo (required by the category), and what the reporter's tracking page shows."""

import io
import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from aduan.complaints.models import Attachment, Complaint, ComplaintEvent, Status
from aduan.sla.models import Deadline, Stage
from tests.complaints.test_attachments import image_bytes
from tests.factories import CategoryFactory, complaint_in_status


def act(complaint, action) -> str:
    return reverse("complaints:staff-transition", kwargs={"pk": complaint.pk, "action": action})


def jpeg(name="tambal.jpg"):
    f = io.BytesIO(image_bytes())
    f.name = name
    return f


def dispatched(world):
    return complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )


def test_the_petugas_schedules_and_the_reporter_sees_the_promise(world, client):
    complaint = dispatched(world)
    client.force_login(world.petugas[0])
    page = client.get(reverse("complaints:staff-detail", kwargs={"pk": complaint.pk})).content.decode()
    assert re.findall(r'data-action="(acknowledge|schedule|start_work|cannot_handle)"', page) == [
        "acknowledge", "schedule", "start_work", "cannot_handle",
    ]  # fmt: skip
    assert 'name="schedule-planned_date"' in page
    assert 'type="date"' in page

    planned = (timezone.localtime(timezone.now(), world.pemda.zoneinfo) + timedelta(days=5)).date()
    response = client.post(
        act(complaint, "schedule"),
        {"schedule-note": "Penambalan dijadwalkan.", "schedule-planned_date": planned.isoformat()},
    )
    assert response.status_code == 302
    promise = Deadline.objects.get(complaint=complaint, stage=Stage.PROMISE)
    assert promise.due_at.astimezone(world.pemda.zoneinfo).date() == planned + timedelta(days=1)
    tracking = client.get(f"/lacak/{complaint.tracking_secret}/").content.decode()
    assert "Penambalan dijadwalkan." in tracking
    assert "OPD menjadwalkan penanganan" in tracking


def test_a_past_planned_date_is_refused_beside_the_field_and_changes_nothing(world, client):
    complaint = dispatched(world)
    client.force_login(world.petugas[0])
    events = ComplaintEvent.objects.filter(complaint=complaint).count()
    response = client.post(
        act(complaint, "schedule"), {"schedule-note": "Dijadwalkan.", "schedule-planned_date": "2020-01-01"}
    )
    assert response.status_code == 400
    assert "Tanggal rencana harus antara hari ini dan satu tahun ke depan." in response.content.decode()
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events
    assert not Deadline.objects.filter(complaint=complaint, stage=Stage.PROMISE).exists()


def test_done_needs_the_photo_the_category_requires_and_the_photo_reaches_the_reporter(world, client):
    complaint = dispatched(world)
    Complaint.objects.filter(pk=complaint.pk).update(
        category=CategoryFactory(pemda=world.pemda, done_photo_required=True)
    )
    client.force_login(world.petugas[0])
    refused = client.post(act(complaint, "follow_up"), {"follow_up-note": "Sudah ditambal."})
    assert refused.status_code == 400
    assert "mewajibkan foto bukti" in refused.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == Status.DISPATCHED
    assert not Attachment.objects.filter(complaint=complaint).exists()

    done = client.post(
        act(complaint, "follow_up"), {"follow_up-note": "Sudah ditambal.", "follow_up-photo": jpeg()}
    )
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.FOLLOWED_UP
    photo = Attachment.objects.get(complaint=complaint)
    assert (photo.is_internal, photo.uploaded_by_id) == (False, world.petugas[0].pk)


def test_cannot_handle_is_not_shown_to_the_reporter(world, client):
    complaint = dispatched(world)
    client.force_login(world.petugas[0])
    response = client.post(
        act(complaint, "cannot_handle"), {"cannot_handle-note": "Jalan nasional, bukan aset kota."}
    )
    assert response.status_code == 302
    tracking = client.get(f"/lacak/{complaint.tracking_secret}/").content.decode()
    assert "Jalan nasional" not in tracking
    staff_page = client.get(reverse("complaints:staff-detail", kwargs={"pk": complaint.pk})).content.decode()
    assert "Jalan nasional, bukan aset kota." in staff_page
