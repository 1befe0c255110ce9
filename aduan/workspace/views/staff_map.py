"""The map pages of the staff workspace.

- ``staff_relocate``: the koordinator corrects a complaint's pin (dragged on the map, or typed)
  and kelurahan from the complaint page; recorded on the timeline (complaints/location.py).
  Anyone else is refused (403) and nothing changes.
- ``staff_map``: the open complaints of the user's OPD (the koordinator: of the Pemda) on a map,
  clustered and coloured by lateness, with the same list as text (complaints/mapping.py).
"""

from django.contrib import messages
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aduan.complaints import selectors
from aduan.complaints.location import complaint_relocate
from aduan.complaints.mapping import map_points
from aduan.complaints.models import ActorRole
from aduan.complaints.selectors import Actor
from aduan.core.exceptions import DomainError
from aduan.core.maps import map_csp
from aduan.workspace.forms import RelocateForm
from aduan.workspace.maps import map_page_context

from .staff_common import forbid, staff_render, staff_required
from .staff_detail import _back, _complaint_or_404, _detail, _refused


@require_POST
@staff_required
def staff_relocate(request, pk: int):
    """Save the corrected pin and kelurahan."""
    complaint = _complaint_or_404(request, pk)
    actor = Actor.staff(request.user)
    if ActorRole.KOORDINATOR not in selectors.actor_roles(actor, complaint):
        forbid()
    form = RelocateForm(request.POST, complaint=complaint)
    if not form.is_valid():
        return _detail(request, complaint, bound={"relocate": form}, status=400)
    data = form.cleaned_data
    try:
        complaint_relocate(
            complaint_id=complaint.pk,
            actor=actor,
            latitude=data["latitude"],
            longitude=data["longitude"],
            kelurahan=data["kelurahan"],
        )
    except DomainError as error:
        return _refused(request, complaint, "relocate", form, error)
    messages.success(request, _("Lokasi aduan diperbarui."))
    return _back(request, complaint)


@require_GET
@staff_required
def staff_map(request):
    """Open complaints on a map (OPD staff: held by their OPD now; koordinator: the Pemda's)."""
    queryset = selectors.complaints_on_map(request.user)
    if queryset is None:
        forbid()
    now = timezone.now()
    points = map_points(queryset, now)
    context = {
        **map_page_context(points),
        "unlocated": queryset.filter(latitude__isnull=True).count(),
    }
    return map_csp(staff_render(request, "complaints/staff/map.html", context))
