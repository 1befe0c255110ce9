"""The name an attachment is shown under. The original file name is part of the reporter's
identity ("KTP_Siti_Anonim_Pelapor.pdf"): a viewer who may not see the reporter's identity
(``selectors.reporter_identity_for`` returns None for them) gets a generic name numbered by the
attachment's place among the complaint's attachments (oldest first), e.g. ``lampiran-2.jpg``.
Pages, the API and downloads all name files through ``attachment_display_name``."""

import os

from django.db.models import Q

from .models import Attachment

EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}


def attachment_position(attachment: Attachment) -> int:
    """1 for the complaint's oldest attachment, 2 for the next (created_at, then id)."""
    earlier = Q(created_at__lt=attachment.created_at) | Q(
        created_at=attachment.created_at, pk__lt=attachment.pk
    )
    return Attachment.objects.filter(earlier, complaint_id=attachment.complaint_id).count() + 1


def attachment_display_name(
    attachment: Attachment, *, identity_visible: bool, position: int | None = None
) -> str:
    """The original name when the viewer may see the reporter's identity, else ``lampiran-<n><ext>``
    (``position`` when the caller already knows it, else counted)."""
    if identity_visible:
        return attachment.original_name or "lampiran"
    extension = EXTENSIONS.get(attachment.content_type) or os.path.splitext(attachment.original_name or "")[1]
    number = position if position is not None else attachment_position(attachment)
    return f"lampiran-{number}{extension[:10]}"
