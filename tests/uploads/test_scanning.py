"""Upload virus scanning and quarantine (issue 9): every stored file waits ``pending`` and is served
by no page or API until the scanner hook calls it clean; the EICAR test file is found by a real
clamd (tests/uploads/conftest.py), blocked and deleted; a scanner that cannot be reached leaves the
file in quarantine (``error``) until a later scan succeeds."""

import io
import logging
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter

from aduan.complaints.attachments import (
    RESCAN_AFTER,
    attachment_add,
    attachment_scan,
    attachments_due_for_scan,
    validate_upload,
)
from aduan.complaints.models import Attachment, Complaint, ScanStatus, Status
from aduan.complaints.tasks import attachments_rescan
from aduan.core.scanning import ClamdScanner, NoScanner, get_scanner

from ..factories import complaint_in_status
from ..portal.test_filing import valid_data
from .conftest import EICAR, SIGNATURE, Clamd, free_port

FILE_URL = reverse("complaints:file")
NOT_SCANNED = "tidak dipindai"


def pdf(attachment: bytes | None = None) -> bytes:
    """A one-page PDF, with ``attachment`` embedded as a file when given (how EICAR gets past the
    type check: a PDF's embedded files are kept)."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if attachment is not None:
        writer.add_attachment("eicar.com", attachment)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (20, 120, 20)).save(out, "PNG")
    return out.getvalue()


def pdf_file(data: bytes, name="surat.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def citizen_url(a: Attachment) -> str:
    return reverse("complaints:citizen-attachment", args=[a.complaint.tracking_secret, a.pk])


def staff_url(a: Attachment) -> str:
    return reverse("complaints:staff-attachment", args=[a.pk])


def assert_not_served(client, a: Attachment, staff=None):
    response = client.get(citizen_url(a))
    assert response.status_code == 404
    assert EICAR not in body(response)
    if staff is not None:
        client.force_login(staff)
        response = client.get(staff_url(a))
        assert response.status_code == 404
        assert EICAR not in body(response)
        client.logout()


# --- the scanners themselves ---------------------------------------------------------------------


@pytest.mark.clamav
def test_clamd_finds_eicar_alone_and_inside_a_pdf(clamd):
    scanner = ClamdScanner(host="127.0.0.1", port=clamd.port, socket_path="", timeout=10)

    assert (scanner.scan(EICAR).status, scanner.scan(EICAR).detail) == ("infected", f"{SIGNATURE}.UNOFFICIAL")
    assert scanner.scan(pdf(EICAR)).status == "infected"
    assert (scanner.scan(pdf()).status, scanner.scan(pdf()).detail) == ("clean", "clamd: OK")
    # More than one INSTREAM chunk, the signature straddling the chunk border.
    border = ClamdScanner.CHUNK - 10
    assert scanner.scan(b"\0" * (3 * ClamdScanner.CHUNK + 5)).status == "clean"
    assert scanner.scan(EICAR[:10] + b"x" * border).status == "clean"


@pytest.mark.clamav
def test_clamd_over_its_unix_socket(clamd):
    scanner = ClamdScanner(socket_path=clamd.socket_path, timeout=10)

    assert scanner.scan(EICAR).status == "infected"
    assert scanner.scan(png()).status == "clean"


def test_an_unreachable_clamd_is_an_error_not_an_exception(tmp_path):
    refused = ClamdScanner(host="127.0.0.1", port=free_port(), socket_path="", timeout=2).scan(EICAR)
    no_socket = ClamdScanner(socket_path=str(tmp_path / "none.sock"), timeout=2).scan(EICAR)

    assert refused.status == no_socket.status == "error"
    assert refused.detail.startswith("clamd tidak dapat dihubungi")


def test_the_default_scanner_passes_files_marked_as_not_scanned(settings):
    settings.ADUAN_UPLOAD_SCANNER = "aduan.core.scanning.NoScanner"
    scanner = get_scanner()

    assert isinstance(scanner, NoScanner)
    result = scanner.scan(EICAR)
    assert result.status == "clean"
    assert NOT_SCANNED in result.detail


# --- quarantine through the citizen filing form -------------------------------------------------


@pytest.mark.clamav
def test_eicar_filed_through_the_form_is_quarantined_then_blocked_and_deleted(
    client, pemda, default_policies, clamd_scanner, django_capture_on_commit_callbacks, caplog, koordinator
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            FILE_URL, {**valid_data(), "attachments": [pdf_file(pdf(EICAR), "Siti Aminah KTP.pdf")]}
        )
    assert response.status_code == 302
    a = Attachment.objects.get()
    stored = a.file.name
    track = reverse("complaints:track", args=[a.complaint.tracking_secret])

    # Stored but in quarantine until the scan task runs (after commit).
    assert (a.scan_status, a.scanned_at, a.purged_at) == (ScanStatus.PENDING, None, None)
    assert default_storage.exists(stored)
    assert_not_served(client, a, staff=koordinator)
    html = client.get(track).content.decode()
    assert "Siti Aminah KTP.pdf" in html
    assert "sedang diperiksa" in html
    assert citizen_url(a) not in html

    with caplog.at_level(logging.INFO):
        for callback in callbacks:
            callback()

    a.refresh_from_db()
    assert a.scan_status == ScanStatus.INFECTED
    assert a.scan_detail == f"{SIGNATURE}.UNOFFICIAL"
    assert a.scanned_at is not None
    assert a.purged_at == a.scanned_at
    assert not default_storage.exists(stored)
    assert_not_served(client, a, staff=koordinator)
    html = client.get(track).content.decode()
    assert "diblokir (virus)" in html
    assert citizen_url(a) not in html
    # Recorded in the log by id and signature, without the file's name or the reporter's.
    infected = [r.getMessage() for r in caplog.records if r.name == "aduan.complaints.attachments"]
    assert infected == [f"attachment {a.pk} infected ({SIGNATURE}.UNOFFICIAL): file deleted"]
    assert not any("Siti" in r.getMessage() for r in caplog.records)
    # The complaint itself is filed as usual.
    assert Complaint.objects.get().status == Status.SUBMITTED


# --- quarantine through the API -----------------------------------------------------------------


@pytest.mark.clamav
def test_eicar_added_through_the_api_is_never_linked_nor_served(
    api, complaint, clamd_scanner, django_capture_on_commit_callbacks, client
):
    track_api = f"/api/v1/track/{complaint.tracking_secret}/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post(track_api + "attachments/", {"file": pdf_file(pdf(EICAR))}, format="multipart")
    assert response.status_code == 201
    assert (response.json()["scan_status"], response.json()["download_url"]) == ("pending", None)
    a = Attachment.objects.get(pk=response.json()["id"])
    stored = a.file.name
    listed = api.get(track_api).json()["attachments"]
    assert [(x["id"], x["scan_status"], x["download_url"]) for x in listed] == [(a.pk, "pending", None)]
    assert_not_served(client, a)

    for callback in callbacks:
        callback()

    listed = api.get(track_api).json()["attachments"]
    assert [(x["id"], x["scan_status"], x["download_url"]) for x in listed] == [(a.pk, "infected", None)]
    assert not default_storage.exists(stored)
    assert_not_served(client, a)


@pytest.mark.clamav
def test_api_filing_with_eicar_scans_it_when_the_filing_commits(
    api, pemda, default_policies, clamd_scanner, django_capture_on_commit_callbacks, client
):
    files = [pdf_file(pdf(EICAR), "a.pdf"), SimpleUploadedFile("b.png", png(), content_type="image/png")]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/complaints/",
            {"pemda": pemda.code, "title": "Lampu jalan mati", "is_anonymous": True,
             "chronology": "Lampu jalan di Jl. Ahmad Yani mati sejak seminggu, gelap dan rawan.",
             "attachments": files},
            format="multipart",
        )  # fmt: skip
    assert response.status_code == 201

    bad, good = Attachment.objects.order_by("pk")
    assert (bad.original_name, bad.scan_status, bad.purged_at is not None) == ("a.pdf", "infected", True)
    assert (good.original_name, good.scan_status, good.purged_at) == ("b.png", "clean", None)
    assert_not_served(client, bad)
    assert client.get(citizen_url(good)).status_code == 200


# --- clean files and staff evidence -------------------------------------------------------------


@pytest.mark.clamav
def test_clean_staff_evidence_is_served_only_after_the_scan(
    client, pemda, opd, koordinator, clamd_scanner, django_capture_on_commit_callbacks
):
    complaint = complaint_in_status(Status.DISPATCHED, pemda=pemda, opd=opd)
    client.force_login(koordinator)
    detail = reverse("complaints:staff-detail", args=[complaint.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("complaints:staff-attachment-add", args=[complaint.pk]),
            {"file": pdf_file(pdf(), "berita acara.pdf"), "is_internal": "on"},
        )
    assert response.status_code in (200, 302)
    a = Attachment.objects.get(complaint=complaint)
    assert a.scan_status == ScanStatus.PENDING
    assert client.get(staff_url(a)).status_code == 404
    html = client.get(detail).content.decode()
    assert "berita acara.pdf" in html
    assert "sedang diperiksa" in html
    assert staff_url(a) not in html

    for callback in callbacks:
        callback()

    a.refresh_from_db()
    assert (a.scan_status, a.scan_detail, a.purged_at) == (ScanStatus.CLEAN, "clamd: OK", None)
    response = client.get(staff_url(a))
    assert response.status_code == 200
    served = body(response)
    assert served.startswith(b"%PDF-")
    assert served == pdf_bytes_of(a)
    html = client.get(detail).content.decode()
    assert f'href="{staff_url(a)}"' in html
    assert "sedang diperiksa" not in html


@pytest.mark.clamav
def test_infected_staff_evidence_through_the_api_is_deleted(
    as_user, pemda, opd, koordinator, clamd_scanner, django_capture_on_commit_callbacks, client
):
    complaint = complaint_in_status(Status.DISPATCHED, pemda=pemda, opd=opd)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(koordinator).post(
            f"/api/v1/staff/complaints/{complaint.pk}/attachments/",
            {"file": pdf_file(pdf(EICAR))},
            format="multipart",
        )
    assert response.status_code == 201
    a = Attachment.objects.get(complaint=complaint)
    assert a.scan_status == ScanStatus.INFECTED
    assert not default_storage.exists(a.file.name)
    assert_not_served(client, a, staff=koordinator)
    listed = as_user(koordinator).get(f"/api/v1/staff/complaints/{complaint.pk}/").json()["attachments"]
    assert [(x["scan_status"], x["download_url"]) for x in listed] == [("infected", None)]


# --- scanner down, retried later ----------------------------------------------------------------


@pytest.mark.clamav
def test_clamd_down_keeps_the_file_in_quarantine_until_a_later_scan(
    settings, client, complaint, tmp_path, django_capture_on_commit_callbacks
):
    later = Clamd(tmp_path / "later")  # not started yet: its port refuses connections
    settings.ADUAN_UPLOAD_SCANNER = "aduan.core.scanning.ClamdScanner"
    settings.ADUAN_CLAMD_HOST, settings.ADUAN_CLAMD_PORT = "127.0.0.1", later.port
    settings.ADUAN_CLAMD_SOCKET, settings.ADUAN_CLAMD_TIMEOUT = "", 5
    with django_capture_on_commit_callbacks(execute=True):
        a = attachment_add(complaint=complaint, upload=validate_upload(pdf_file(pdf(), "rapor.pdf")))

    a.refresh_from_db()
    assert a.scan_status == ScanStatus.ERROR
    assert a.scan_detail.startswith("clamd tidak dapat dihubungi")
    assert default_storage.exists(a.file.name)  # kept, not served
    assert client.get(citizen_url(a)).status_code == 404
    assert attachments_due_for_scan() == []  # retried by the task's backoff first, the sweep later
    assert attachments_rescan() == {}

    later.start()
    try:
        Attachment.objects.filter(pk=a.pk).update(scanned_at=timezone.now() - RESCAN_AFTER)
        assert attachments_due_for_scan() == [a.pk]
        assert attachments_rescan() == {"clean": 1}
    finally:
        later.stop()

    a.refresh_from_db()
    assert (a.scan_status, a.scan_detail) == (ScanStatus.CLEAN, "clamd: OK")
    response = client.get(citizen_url(a))
    assert response.status_code == 200
    assert body(response) == pdf_bytes_of(a)


def pdf_bytes_of(a: Attachment) -> bytes:
    with a.file.open("rb") as handle:
        return handle.read()


# --- the sweep and repeat safety (no clamd needed) ----------------------------------------------


def test_a_file_missing_from_storage_does_not_block_the_queue(complaint):
    now = timezone.now()
    upload = validate_upload(SimpleUploadedFile("x.png", png()))
    missing = attachment_add(complaint=complaint, upload=upload, now=now - timedelta(hours=2))
    default_storage.delete(missing.file.name)  # e.g. a media restore behind the database
    waiting = attachment_add(complaint=complaint, upload=upload, now=now - timedelta(hours=1))

    assert attachments_rescan() == {"missing": 1, "clean": 1}

    states = dict(Attachment.objects.values_list("pk", "scan_status"))
    assert states == {missing.pk: "error", waiting.pk: "clean"}
    assert attachments_rescan() == {}  # the failed one waits RESCAN_AFTER, at the back of the queue
    later = now + RESCAN_AFTER + timedelta(minutes=1)
    assert attachments_due_for_scan(now=later) == [missing.pk]


def test_the_sweep_scans_only_what_is_left_in_quarantine_long_enough(complaint):
    now = timezone.now()
    clean_upload = validate_upload(SimpleUploadedFile("x.png", png()))
    lost = attachment_add(complaint=complaint, upload=clean_upload, now=now - RESCAN_AFTER - timedelta(1))
    fresh = attachment_add(complaint=complaint, upload=clean_upload, now=now)
    failed_long_ago = attachment_add(complaint=complaint, upload=clean_upload, now=now - timedelta(hours=1))
    Attachment.objects.filter(pk=failed_long_ago.pk).update(
        scan_status=ScanStatus.ERROR, scanned_at=now - RESCAN_AFTER - timedelta(seconds=1)
    )
    failed_just_now = attachment_add(complaint=complaint, upload=clean_upload, now=now - timedelta(hours=1))
    Attachment.objects.filter(pk=failed_just_now.pk).update(scan_status=ScanStatus.ERROR, scanned_at=now)

    assert attachments_due_for_scan(now=now) == [lost.pk, failed_long_ago.pk]  # never scanned first
    assert attachments_rescan() == {"clean": 2}

    states = dict(Attachment.objects.values_list("pk", "scan_status"))
    assert states == {
        lost.pk: "clean",
        failed_long_ago.pk: "clean",
        fresh.pk: "pending",
        failed_just_now.pk: "error",
    }
    assert NOT_SCANNED in Attachment.objects.get(pk=lost.pk).scan_detail
    assert attachments_rescan() == {}


def test_a_decided_or_purged_attachment_is_never_scanned_again(complaint):
    a = attachment_add(complaint=complaint, upload=validate_upload(SimpleUploadedFile("x.png", png())))
    assert attachment_scan(a.pk) == "clean"
    first = Attachment.objects.get(pk=a.pk)

    assert attachment_scan(a.pk) is None
    Attachment.objects.filter(pk=a.pk).update(scan_status=ScanStatus.PENDING, purged_at=timezone.now())
    assert attachment_scan(a.pk) is None
    assert attachment_scan(a.pk + 1000) is None
    assert Attachment.objects.get(pk=a.pk).scanned_at == first.scanned_at


def test_a_file_missing_from_storage_is_an_error_and_stays_unserved(client, complaint):
    a = attachment_add(complaint=complaint, upload=validate_upload(SimpleUploadedFile("x.png", png())))
    default_storage.delete(a.file.name)

    assert attachment_scan(a.pk) == "missing"  # stored as an error; the queue goes on
    a.refresh_from_db()
    assert (a.scan_status, a.scan_detail) == (ScanStatus.ERROR, "berkas tidak ditemukan di penyimpanan")
    assert client.get(citizen_url(a)).status_code == 404


# --- the task: backoff on a failed scan, and the beat entry ----------------------------------------


def test_a_failed_scan_waits_for_the_beat_job_instead_of_a_broker_eta(settings, complaint):
    """No retry with a countdown in the broker: the row keeps ``error`` and its time, and the beat
    job scans it again once RESCAN_AFTER has passed (then with clamd back: clean)."""
    from aduan.complaints.tasks import attachment_scan as scan_task

    settings.ADUAN_UPLOAD_SCANNER = "aduan.core.scanning.ClamdScanner"
    settings.ADUAN_CLAMD_HOST, settings.ADUAN_CLAMD_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.ADUAN_CLAMD_SOCKET, settings.ADUAN_CLAMD_TIMEOUT = "", 2
    a = attachment_add(complaint=complaint, upload=validate_upload(SimpleUploadedFile("x.png", png())))

    assert scan_task.run(a.pk) == "error"
    failed = Attachment.objects.get(pk=a.pk)
    assert failed.scan_status == ScanStatus.ERROR
    assert attachments_due_for_scan() == []  # not before RESCAN_AFTER
    later = failed.scanned_at + RESCAN_AFTER + timedelta(seconds=1)
    assert attachments_due_for_scan(now=later) == [a.pk]


def test_the_rescan_job_is_on_the_beat_schedule():
    from config import celery_app

    entry = celery_app.conf.beat_schedule["attachments-rescan"]
    assert entry["task"] == attachments_rescan.name
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] <= RESCAN_AFTER.total_seconds()
