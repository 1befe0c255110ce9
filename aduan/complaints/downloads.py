"""Serving attachments, only after an access check made by the caller: the citizen's download
(aduan/portal/views/attachments.py) by the tracking secret, the staff download
(aduan/workspace/views/attachments.py) through ``selectors.complaints_visible_to``.

Anything else is a 404 (existence is never revealed), and so is every file still in quarantine
(scan pending or failed) or blocked as infected: only files the scanner called clean are served.
Images that passed ``attachments.validate_upload`` are shown inline with their own content type;
everything else (PDFs, or a row whose content type is not one we produce) is sent as a download.
Every response forbids sniffing, scripts and caching.
"""

from django.http import FileResponse, Http404

from .attachments import IMAGE_CONTENT_TYPES, PDF_CONTENT_TYPE, attachment_is_servable
from .models import Attachment

CONTENT_SECURITY_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def attachment_response(attachment: Attachment, *, filename: str) -> FileResponse:
    """The file of an attachment the caller has already found visible, or 404 while it is not
    servable (quarantined, infected, missing from storage). ``filename`` is the name this viewer
    may see (``attachment_names.attachment_display_name``)."""
    if not attachment_is_servable(attachment):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    if attachment.content_type in IMAGE_CONTENT_TYPES:
        content_type, as_attachment = attachment.content_type, False
    elif attachment.content_type == PDF_CONTENT_TYPE:
        content_type, as_attachment = PDF_CONTENT_TYPE, True
    else:
        content_type, as_attachment = "application/octet-stream", True
    response = FileResponse(
        handle,
        as_attachment=as_attachment,
        filename=filename or "lampiran",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
