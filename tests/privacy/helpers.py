"""Shared pieces of the privacy tests: a reporter with every kind of personal data, a PNG upload and
a snapshot of everything the privacy code may change."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from aduan.complaints.attachments import attachment_add, validate_upload
from aduan.complaints.models import Attachment, Complaint, ComplaintEvent, ComplaintNote, ReporterIdentity
from aduan.complaints.services import ReporterData
from aduan.notifications.models import Notification
from aduan.privacy.models import ErasureRequest

REPORTER = ReporterData(
    name="Siti Rahmawati", email="siti.rahma@contoh.id", phone="081377712345", nik="6471012345678901"
)


def png_upload(name="foto-jalan.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def add_file(complaint, *, uploaded_by=None, is_internal=False) -> Attachment:
    return attachment_add(
        complaint=complaint,
        upload=validate_upload(png_upload()),
        uploaded_by=uploaded_by,
        is_internal=is_internal,
    )


def snapshot() -> dict:
    """Every row the privacy code could touch, and the append-only ones it must never touch."""
    return {
        "identities": sorted(
            ReporterIdentity.objects.values_list(
                "complaint_id", "name", "email", "phone", "nik", "anonymised_at"
            )
        ),
        "attachments": sorted(Attachment.objects.values_list("pk", "complaint_id", "file", "purged_at")),
        "outbox": sorted(Notification.objects.values_list("pk", "address", "state", "context")),
        "complaints": sorted(Complaint.objects.values_list("pk", "status", "closed_at", "reporter_user_id")),
        "events": ComplaintEvent.objects.count(),
        "notes": ComplaintNote.objects.count(),
        "erasure": sorted(
            ErasureRequest.objects.values_list("pk", "status", "decided_by_id", "decided_at", "decision_note")
        ),
    }


def file_exists(attachment: Attachment) -> bool:
    return attachment.file.storage.exists(attachment.file.name)


def close(complaint) -> None:
    """Test set-up: the complaint reaches the end of its handling (resolved), as erasure needs."""
    from django.utils import timezone

    from aduan.complaints.models import Complaint, Status

    Complaint.objects.filter(pk=complaint.pk).update(status=Status.RESOLVED, closed_at=timezone.now())
