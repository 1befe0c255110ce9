"""The demo shows the whole field-work cycle (issue 17): every status, every kind of OPD progress —
diterima/ditinjau, dijadwalkan with its planned date, sedang dikerjakan, selesai ditangani with a
photo, tidak dapat ditangani — pinned complaints for the map, and an Ombudsman report under
clarification; the done photo is clean and on the complaint's public page."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from aduan.agencies.models import Pemda
from aduan.complaints.models import Attachment, Complaint, ComplaintEvent, ScanStatus, Status
from aduan.complaints.public_page import complaints_on_public_page, public_photos
from aduan.complaints.workflow import Action
from aduan.ombudsman.models import OmbudsmanReport, ReportStatus
from aduan.sla.models import Deadline, Stage

PROGRESS = (Action.ACKNOWLEDGE, Action.SCHEDULE, Action.START_WORK, Action.FOLLOW_UP, Action.CANNOT_HANDLE)


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)
    return Pemda.objects.get(code="BPN")


def test_every_status_and_every_progress_kind_after_load_demo(demo):
    complaints = Complaint.objects.filter(pemda=demo)
    assert set(complaints.values_list("status", flat=True)) == set(Status.values)
    events = ComplaintEvent.objects.filter(complaint__pemda=demo)
    for action in PROGRESS:
        assert events.filter(action=action).exists(), action
    # Each dijadwalkan has its planned date: the promise clock it started, due at a local midnight.
    schedules = list(events.filter(action=Action.SCHEDULE))
    promises = Deadline.objects.filter(complaint__pemda=demo, stage=Stage.PROMISE)
    assert sorted(d.started_at for d in promises) == sorted(e.created_at for e in schedules)
    for promise in promises:
        assert promise.due_at.astimezone(demo.zoneinfo).time().isoformat() == "00:00:00"
    assert promises.filter(met_at__isnull=True, cancelled_at__isnull=True).exists()  # one still open
    assert promises.filter(met_at__isnull=False).exists()  # one kept
    # The map has complaints to show; an Ombudsman report waits for the Pemda's clarification.
    assert complaints.exclude(latitude=None).filter(status=Status.DISPATCHED).exists()
    assert OmbudsmanReport.objects.filter(complaint__pemda=demo, status=ReportStatus.CLARIFICATION).exists()


def test_selesai_ditangani_with_a_photo_on_the_public_page(demo, client):
    done = ComplaintEvent.objects.filter(complaint__pemda=demo, action=Action.FOLLOW_UP)
    photos = Attachment.objects.filter(complaint__events__in=done, uploaded_by__isnull=False).distinct()
    assert photos.count() >= 1
    photo = photos.first()
    assert photo.scan_status == ScanStatus.CLEAN
    assert photo.content_type == "image/jpeg"
    complaint = photo.complaint
    assert complaints_on_public_page(pemda=demo).filter(pk=complaint.pk).exists()
    assert list(public_photos(complaint)) == [photo]
    page = client.get(reverse("complaints:public-detail", args=[complaint.ticket_number]))
    assert page.status_code == 200
    assert "tanggal rencana" in page.content.decode()
    served = client.get(reverse("complaints:public-photo", args=[complaint.ticket_number, photo.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
