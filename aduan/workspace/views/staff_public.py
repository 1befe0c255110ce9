"""The koordinator's moderation of a complaint's public page, from the staff complaint page:
the public title and text, and hiding the complaint from the public. Anyone else is refused (403)
and nothing changes; each change is a recorded step on the timeline (aduan/complaints/public_page.py).
"""

from django.contrib import messages
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aduan.complaints import selectors
from aduan.complaints.models import ActorRole
from aduan.complaints.public_page import public_page_edit, public_page_hide
from aduan.complaints.selectors import Actor
from aduan.core.exceptions import DomainError, PermissionDenied
from aduan.workspace.forms import PublicPageForm

from .staff_common import forbid, staff_required
from .staff_detail import _back, _complaint_or_404, _detail, _refused


def _koordinator_or_403(request, complaint) -> Actor:
    actor = Actor.staff(request.user)
    if ActorRole.KOORDINATOR not in selectors.actor_roles(actor, complaint) or complaint.is_confidential:
        forbid()
    return actor


@require_POST
@staff_required
def staff_public_edit(request, pk: int):
    """Save the public title and text."""
    complaint = _complaint_or_404(request, pk)
    actor = _koordinator_or_403(request, complaint)
    form = PublicPageForm(request.POST)
    if not form.is_valid():
        return _detail(request, complaint, bound={"public": form}, status=400)
    try:
        public_page_edit(
            complaint_id=complaint.pk,
            actor=actor,
            title=form.cleaned_data["public_title"],
            text=form.cleaned_data["public_text"],
        )
    except DomainError as error:
        return _refused(request, complaint, "public", form, error)
    messages.success(request, _("Teks publik disimpan."))
    return _back(request, complaint)


@require_POST
@staff_required
def staff_public_hide(request, pk: int):
    """Hide the complaint from the public (``hidden=1``) or show it again (``hidden=0``)."""
    complaint = _complaint_or_404(request, pk)
    actor = _koordinator_or_403(request, complaint)
    hidden = request.POST.get("hidden") == "1"
    try:
        public_page_hide(complaint_id=complaint.pk, actor=actor, hidden=hidden)
    except PermissionDenied:
        forbid()
    if hidden:
        messages.success(request, _("Aduan disembunyikan dari publik."))
    else:
        messages.success(request, _("Aduan ditampilkan kembali ke publik."))
    return _back(request, complaint)
