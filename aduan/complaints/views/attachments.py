"""Serving attachments, only after an access check.

- ``citizen_download``: by the tracking secret; only the complaint's own attachments that are not
  internal.
- ``staff_download``: signed-in staff, only attachments of complaints ``selectors.complaints_visible_to``
  lets them see (internal ones included).

Anything else is a 404 (existence is never revealed), and so is every file still in quarantine
(scan pending or failed) or blocked as infected: only files the scanner called clean are served.
Images that passed ``attachments.validate_upload`` are shown inline with their own content type;
everything else (PDFs, or a row whose content type is not one we produce) is sent as a download.
Every response forbids sniffing, scripts and caching.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from aduan.core.exceptions import NotFound

from .. import selectors
from ..attachments import IMAGE_CONTENT_TYPES, PDF_CONTENT_TYPE, attachment_is_servable
from ..models import Attachment

CONTENT_SECURITY_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _serve(attachment: Attachment) -> FileResponse:
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
        filename=attachment.original_name or "lampiran",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@require_safe
def citizen_download(request, secret: str, pk: int):
    """An attachment of the citizen's own complaint, reached through the tracking secret."""
    try:
        complaint = selectors.complaint_by_secret(secret)
    except NotFound:
        raise Http404 from None
    attachment = Attachment.objects.filter(pk=pk, complaint=complaint, is_internal=False).first()
    if attachment is None:
        raise Http404
    return _serve(attachment)


@require_safe
@login_required(login_url="complaints:staff-login")
def staff_download(request, pk: int):
    """An attachment of a complaint the signed-in staff member may see."""
    attachment = Attachment.objects.filter(
        pk=pk, complaint__in=selectors.complaints_visible_to(request.user)
    ).first()
    if attachment is None:
        raise Http404
    return _serve(attachment)
