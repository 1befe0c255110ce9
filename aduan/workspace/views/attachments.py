"""Staff attachments: only attachments of complaints ``selectors.complaints_visible_to`` lets the
signed-in user see, internal ones included (how files are served: aduan/complaints/downloads.py).
The file name is the original one only for staff who may see the reporter's identity."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_safe

from aduan.complaints import selectors
from aduan.complaints.attachment_names import attachment_display_name
from aduan.complaints.downloads import attachment_response
from aduan.complaints.models import Attachment
from aduan.complaints.selectors import Actor


@require_safe
@login_required(login_url="complaints:staff-login")
def staff_download(request, pk: int):
    """An attachment of a complaint the signed-in staff member may see."""
    attachment = (
        Attachment.objects.filter(pk=pk, complaint__in=selectors.complaints_visible_to(request.user))
        .select_related("complaint")
        .first()
    )
    if attachment is None:
        raise Http404
    identity = selectors.reporter_identity_for(
        actor=Actor.staff(request.user), complaint=attachment.complaint
    )
    filename = attachment_display_name(attachment, identity_visible=identity is not None)
    return attachment_response(attachment, filename=filename)
