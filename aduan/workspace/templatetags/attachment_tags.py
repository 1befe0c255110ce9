"""The name a staff page shows for an attachment (the rule: aduan/complaints/attachment_names.py)."""

from django import template

from aduan.complaints.attachment_names import attachment_display_name

register = template.Library()


@register.simple_tag
def attachment_name(attachment, identity) -> str:
    """``identity`` is what ``selectors.reporter_identity_for`` gave this viewer (None: hidden)."""
    return attachment_display_name(attachment, identity_visible=bool(identity))
