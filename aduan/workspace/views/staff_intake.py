"""Staff intake: a complaint received off-line, recorded by the koordinator or the petugas loket.

- ``staff_intake`` (/staf/aduan/baru/): the form (``?pemda=<id>`` when the user records for more
  than one Pemda); POST files it through ``complaints.intake.complaint_intake`` — the same
  ``complaint_submit`` as the web form — and redirects to the receipt.
- ``staff_intake_receipt`` (/staf/aduan/<pk>/tanda-terima/): the printable receipt with the ticket
  number, the deadlines and the private tracking link, for the staff member who recorded it only.
"""

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aduan.agencies.models import Pemda
from aduan.agencies.selectors import staff_roles
from aduan.complaints import selectors
from aduan.complaints.attachments import validate_upload
from aduan.complaints.intake import IntakeData, complaint_intake
from aduan.complaints.services import ReporterData
from aduan.core.exceptions import DomainError, NotFound, PermissionDenied
from aduan.core.maps import map_csp, map_settings
from aduan.sla.models import Deadline
from aduan.workspace.forms import attach_domain_error
from aduan.workspace.intake_forms import IntakeForm

from .staff_common import forbid, staff_render, staff_required


def _pemda_for(request) -> tuple[Pemda, list[Pemda]]:
    """The Pemda recorded for (``?pemda=<id>`` among the user's, else the first) and all of them."""
    pemdas = list(Pemda.objects.filter(pk__in=staff_roles(request.user).intake_pemda_ids).order_by("name"))
    if not pemdas:
        forbid()
    wanted = request.GET.get("pemda", "")
    for pemda in pemdas:
        if str(pemda.pk) == wanted:
            return pemda, pemdas
    if wanted:
        raise Http404
    return pemdas[0], pemdas


@staff_required
def staff_intake(request):
    pemda, pemdas = _pemda_for(request)
    with timezone.override(pemda.zoneinfo):
        if request.method != "POST":
            form = IntakeForm(pemda=pemda)
            return _render(request, form, pemda, pemdas)
        form = IntakeForm(request.POST, request.FILES, pemda=pemda)
        if not form.is_valid():
            return _render(request, form, pemda, pemdas, status=400)
    data = form.cleaned_data
    try:
        uploads = (validate_upload(data["letter"]),) if data["letter"] else ()
        complaint = complaint_intake(
            pemda=pemda,
            intake=IntakeData(
                channel=data["channel"],
                received_at=data["received_at"],
                late_reason=data["late_reason"],
                lapor_number=data["lapor_number"],
            ),
            recorded_by=request.user,
            uploads=uploads,
            title=data["title"],
            chronology=data["chronology"],
            reporter=ReporterData(
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                nik=data["nik"],
                language=data["language"],
            ),
            classification=data["classification"],
            incident_date=data["incident_date"],
            location_text=data["location_text"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            kelurahan=data["kelurahan"],
            category=data["category"],
            target_opd=data["target_opd"],
            is_anonymous=data["is_anonymous"],
            is_confidential=data["is_confidential"],
        )
    except PermissionDenied:
        forbid()
    except DomainError as error:
        if getattr(error, "params", {}).get("field") == "attachments":
            error.params["field"] = "letter"
        attach_domain_error(form, error)
        return _render(request, form, pemda, pemdas, status=400)
    return redirect("complaints:staff-intake-receipt", pk=complaint.pk)


def _render(request, form, pemda, pemdas, *, status=200):
    context = {
        "form": form,
        "pemda": pemda,
        "pemdas": pemdas,
        "pemda_for_zone": pemda,
        "map": map_settings(pemda),  # the pin of the place, on the Pemda's map
    }
    if status != 200 and request.FILES.get("letter"):  # a file input cannot be filled in again
        form.add_error(None, _("Lampirkan surat pindaian sekali lagi."))
    return map_csp(staff_render(request, "complaints/staff/intake.html", context, status=status))


@staff_required
def staff_intake_receipt(request, pk: int):
    try:
        complaint = selectors.complaint_intake_receipt_for(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    deadlines = Deadline.objects.filter(complaint=complaint).order_by("due_at")
    context = {
        "complaint": complaint,
        "identity": complaint.reporter,
        "deadlines": list(deadlines),
        "tracking_url": request.build_absolute_uri(
            reverse("complaints:track", args=[complaint.tracking_secret])
        ),
        "pemda_for_zone": complaint.pemda,
    }
    return staff_render(request, "complaints/staff/intake_receipt.html", context)
