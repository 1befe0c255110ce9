"""The OPD's canned responses (jawaban siap pakai): a list with a form to add one, and an edit
page. Their petugas and kepala keep them (``services.canned_response_save`` checks); the complaint
page offers the active ones to fill the follow-up text."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from aduan.agencies.models import Opd
from aduan.agencies.selectors import staff_roles
from aduan.complaints import services
from aduan.complaints.models import CannedResponse
from aduan.complaints.selectors import Actor
from aduan.core.exceptions import DomainError, NotFound, PermissionDenied
from aduan.workspace.forms import CannedResponseForm, attach_domain_error

from .staff_common import forbid, staff_render, staff_required


def _opd_of(request):
    """The OPD being managed: ?opd=<id> among the user's OPDs, else their first."""
    opd_ids = staff_roles(request.user).opd_ids
    if not opd_ids:
        forbid()
    opds = list(Opd.objects.filter(pk__in=opd_ids).order_by("name"))
    wanted = request.POST.get("opd") or request.GET.get("opd")
    chosen = next((o for o in opds if str(o.pk) == wanted), None if wanted else opds[0])
    if chosen is None:
        raise Http404  # not one of the user's OPDs
    return chosen, opds


def _save(request, opd, form, pk=None):
    data = form.cleaned_data
    try:
        services.canned_response_save(
            actor=Actor.staff(request.user),
            opd=opd,
            title=data["title"],
            body=data["body"],
            is_active=data["is_active"],
            pk=pk,
        )
    except PermissionDenied:
        forbid()
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        attach_domain_error(form, error)
        return False
    return True


@staff_required
def staff_canned(request):
    opd, opds = _opd_of(request)
    form = CannedResponseForm(request.POST or None, initial={"is_active": True})
    status = 200
    if request.method == "POST":
        if form.is_valid() and _save(request, opd, form):
            messages.success(request, _("Jawaban siap pakai disimpan."))
            return redirect(f"{request.path}?opd={opd.pk}")
        status = 400
    context = {
        "opd": opd,
        "opds": opds,
        "responses": CannedResponse.objects.filter(opd=opd).order_by("title"),
        "form": form,
        "title": _("Jawaban siap pakai"),
    }
    return staff_render(request, "complaints/staff/canned.html", context, status=status)


@staff_required
def staff_canned_edit(request, pk: int):
    opd_ids = staff_roles(request.user).opd_ids
    canned = CannedResponse.objects.filter(pk=pk, opd_id__in=opd_ids).select_related("opd").first()
    if canned is None:
        raise Http404
    form = CannedResponseForm(request.POST or None, instance=canned)
    status = 200
    if request.method == "POST":
        if form.is_valid() and _save(request, canned.opd, form, pk=canned.pk):
            messages.success(request, _("Jawaban siap pakai disimpan."))
            return redirect(f"/staf/jawaban/?opd={canned.opd_id}")
        status = 400
    context = {"canned": canned, "opd": canned.opd, "form": form, "title": canned.title}
    return staff_render(request, "complaints/staff/canned_edit.html", context, status=status)
