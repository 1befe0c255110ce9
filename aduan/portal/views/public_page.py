"""The public page of one complaint (/publik/<ticket>/) and its public photos.

Only complaints ``public_page.complaints_on_public_page()`` lists have one; anything else is a 404
(existence is never revealed). Reads only public columns: never the reporter, never the
chronology. A fixed number of queries whatever the length of the timeline.
"""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from aduan.complaints.attachment_names import EXTENSIONS
from aduan.complaints.downloads import attachment_response
from aduan.complaints.public_page import (
    PUBLIC_STATUS_SENTENCES,
    complaints_on_public_page,
    public_photos,
    public_progress,
)

from .portal import public_cache

PUBLIC_COLUMNS = (
    "pk",
    "ticket_number",
    "title",
    "public_title",
    "public_text",
    "location_text",
    "status",
    "submitted_at",
    "supporters_count",
    "reporter_user_id",
    "category__name",
    "category__name_en",
    "current_opd__name",
    "pemda__name",
    "pemda__timezone",
)


def _public_complaint_or_404(ticket: str):
    complaint = (
        complaints_on_public_page()
        .filter(ticket_number=ticket)
        .select_related("category", "current_opd", "pemda")
        .only(*PUBLIC_COLUMNS)
        .first()
    )
    if complaint is None:
        raise Http404
    return complaint


@require_safe
@public_cache
def public_detail(request, ticket: str):
    """Title, category, location, OPD, status, the OPD's public progress and its public photos."""
    complaint = _public_complaint_or_404(ticket)
    category = complaint.category
    category_name = ""
    if category is not None:
        english = (get_language() or "").startswith("en") and category.name_en
        category_name = category.name_en if english else category.name
    zone = complaint.pemda.zoneinfo
    context = {
        "complaint": complaint,
        "title": complaint.public_title or complaint.title,
        "category_name": category_name,
        "status_sentence": PUBLIC_STATUS_SENTENCES.get(complaint.status, ""),
        "progress": public_progress(complaint),
        "photos": list(public_photos(complaint).only("pk")),
        "submitted_on": timezone.localtime(complaint.submitted_at, zone).date(),
    }
    with timezone.override(zone):
        return render(request, "complaints/public_detail.html", context)


@require_safe
def public_photo(request, ticket: str, pk: int):
    """One public photo of a complaint with a public page (clean, not internal, from staff)."""
    complaint = _public_complaint_or_404(ticket)
    attachment = public_photos(complaint).filter(pk=pk).first()
    if attachment is None:
        raise Http404
    extension = EXTENSIONS.get(attachment.content_type, "")
    filename = f"foto-{complaint.ticket_number}-{attachment.pk}{extension}"
    return attachment_response(attachment, filename=filename)
