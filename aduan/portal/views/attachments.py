"""The citizen's attachments, by the tracking secret: only the complaint's own attachments that
are not internal (how files are served: aduan/complaints/downloads.py). The citizen always sees their
own file names."""

from django.http import Http404
from django.views.decorators.http import require_safe

from aduan.complaints import selectors
from aduan.complaints.attachment_names import attachment_display_name
from aduan.complaints.downloads import attachment_response
from aduan.complaints.models import Attachment
from aduan.core.exceptions import NotFound


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
    return attachment_response(
        attachment, filename=attachment_display_name(attachment, identity_visible=True)
    )
