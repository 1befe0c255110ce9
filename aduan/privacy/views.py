"""Pages of personal-data protection.

Citizen (behind the tracking secret, like the tracking page):
- ``my_data``: "Data saya" — everything held about the reporter and its processing history, with
  the erasure request form and the outcome of earlier requests;
- ``my_data_json``: the same as a JSON download;
- ``erasure_request``: POST of the erasure form (throttled with the tracking page's moves).

Staff (the koordinator of the complaint's Pemda only):
- ``staff_erasure_list``: pending and recent erasure requests of their Pemdas;
- ``staff_erasure_decide``: POST approve / reject (reason required).

Every response behind the secret says ``no-store`` and ``no-referrer``: it carries personal data.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from aduan.complaints import selectors as complaint_selectors
from aduan.complaints.selectors import Actor
from aduan.core.exceptions import DomainError, InvalidInput, NotFound
from aduan.core.throttle import throttled_page

from . import selectors, services
from .models import ErasureStatus

staff_required = login_required(login_url="complaints:staff-login")


def _complaint_or_404(secret: str):
    try:
        return complaint_selectors.complaint_by_secret(secret)
    except NotFound:
        raise Http404 from None


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _my_data_page(request, complaint, secret: str, *, status: int = 200, **state):
    export = selectors.personal_data_export(complaint=complaint, secret=secret)
    latest = selectors.latest_erasure_request(complaint)
    context = {
        "complaint": complaint,
        "secret": secret,
        "data": export,
        "identity": complaint_selectors.reporter_identity_for(
            actor=Actor.citizen(secret), complaint=complaint
        ),
        "erasure_latest": latest,
        "erasure_pending": latest is not None and latest.status == ErasureStatus.PENDING,
        "reason": state.get("reason", ""),
        "reason_error": state.get("reason_error", ""),
        "general_error": state.get("general_error", ""),
        "reason_max": services.REASON_MAX_LENGTH,
    }
    with timezone.override(complaint.pemda.zoneinfo):
        return _private(render(request, "privacy/my_data.html", context, status=status))


@require_safe
def my_data(request, secret: str):
    """The reporter's copy of their data, readable."""
    complaint = _complaint_or_404(secret)
    return _my_data_page(request, complaint, secret)


@require_safe
def my_data_json(request, secret: str):
    """The reporter's copy of their data, as a JSON file."""
    complaint = _complaint_or_404(secret)
    export = selectors.personal_data_export(complaint=complaint, secret=secret)
    body = json.dumps(export, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="data-pribadi-{complaint.ticket_number}.json"'
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)


@require_POST
def erasure_request(request, secret: str):
    """The reporter asks for their personal data on this complaint to be erased."""
    back_url = reverse("privacy:my-data", kwargs={"secret": secret})
    if throttled := throttled_page(request, "track-post", back_url=back_url):
        return throttled
    complaint = _complaint_or_404(secret)
    reason = request.POST.get("reason", "")
    try:
        services.erasure_request_create(complaint_id=complaint.pk, actor=Actor.citizen(secret), reason=reason)
    except DomainError as exc:
        beside_field = isinstance(exc, InvalidInput) and exc.params.get("field") == "reason"
        return _my_data_page(
            request,
            complaint,
            secret,
            status=400,
            reason=reason,
            reason_error=str(exc.message) if beside_field else "",
            general_error="" if beside_field else str(exc.message),
        )
    messages.success(
        request,
        _(
            "Permintaan penghapusan data Anda sudah kami terima. Koordinator pengaduan akan memutuskannya; "
            "hasilnya tampil di halaman pelacakan."
        ),
    )
    return redirect(f"{back_url}#penghapusan")


# --- Staff: the koordinator decides ------------------------------------------------------------


def _koordinator_pemda_ids(request) -> set[int]:
    pemda_ids = complaint_selectors.koordinator_pemda_ids(request.user)
    if not pemda_ids:
        raise DjangoPermissionDenied
    return pemda_ids


def _erasure_list(request, *, status: int = 200, errors: dict | None = None, notes: dict | None = None):
    pemda_ids = _koordinator_pemda_ids(request)
    requests = selectors.erasure_requests_for_koordinator(pemda_ids)
    pending = list(requests.filter(status=ErasureStatus.PENDING).order_by("created_at", "pk"))
    decided = list(requests.exclude(status=ErasureStatus.PENDING).order_by("-decided_at", "-pk")[:50])
    for r in pending:
        r.form_error = (errors or {}).get(r.pk, "")
        r.typed_note = (notes or {}).get(r.pk, "")
    context = {
        "title": _("Permintaan penghapusan data"),
        "pending": pending,
        "decided": decided,
        "pemda_for_zone": pending[0].complaint.pemda if pending else None,
    }
    zone = pending[0].complaint.pemda.zoneinfo if pending else timezone.get_current_timezone()
    with timezone.override(zone):  # the staff menu comes from the workspace's context processor
        return render(request, "privacy/staff_erasure_list.html", context, status=status)


@staff_required
@require_safe
def staff_erasure_list(request):
    """Pending erasure requests of the koordinator's Pemdas, oldest first, and the latest decided."""
    return _erasure_list(request)


@staff_required
@require_POST
def staff_erasure_decide(request, pk: int):
    """Approve (erase now) or reject (with a reason) one pending request."""
    _koordinator_pemda_ids(request)
    decision = request.POST.get("decision", "")
    note = request.POST.get("decision_note", "")
    try:
        if decision not in ("approve", "reject"):
            raise InvalidInput(_("Pilih setujui atau tolak."), code="decision_invalid", field="decision")
        services.erasure_request_decide(
            request_id=pk, actor=Actor.staff(request.user), approve=decision == "approve", note=note
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        return _erasure_list(request, status=400, errors={pk: str(exc.message)}, notes={pk: note})
    if decision == "approve":
        messages.success(request, _("Permintaan disetujui: data pribadi pelapor sudah dihapus."))
    else:
        messages.success(request, _("Permintaan ditolak; pelapor melihat alasannya di halaman pelacakan."))
    return redirect("privacy:staff-erasure-list")
