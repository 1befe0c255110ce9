"""Exports of a staff list (CSV, XLSX): the same scope (``?view=triage|inbox|kepala|ombudsman``,
default every complaint the user may see) and the same filters as the page the link is on."""

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from aduan.agencies.models import Pemda
from aduan.agencies.selectors import staff_roles
from aduan.complaints.filters import StaffComplaintFilter
from aduan.core.db_router import replica_view
from aduan.workspace import exports

from .staff_common import staff_required
from .staff_queues import queue_base
from .staff_risk import RISK_SORT


def _queryset(request):
    base = queue_base(request, request.GET.get("view", "all"))
    data = request.GET.copy()
    if not data.get("sort"):
        data["sort"] = "oldest"
    elif data["sort"] == RISK_SORT:  # the forecast is an estimate for the page, not exported
        data["sort"] = "due"
    filterset = StaffComplaintFilter(data, queryset=base, request=request)
    return filterset.qs if filterset.is_valid() else base.none()


def _filename(request, ext: str) -> str:
    """``aduan-20261207-0915-WITA.csv``: the moment of the export in the user's Pemda's zone
    (the lowest-numbered Pemda they serve; the site's zone for the Ombudsman), labelled."""
    me = staff_roles(request.user)
    pemda_ids = me.koordinator_pemda_ids | me.opd_pemda_ids
    pemda = Pemda.objects.filter(pk=min(pemda_ids)).first() if pemda_ids else None
    local = timezone.localtime(timezone.now(), pemda.zoneinfo if pemda else None)
    return f"aduan-{local:%Y%m%d-%H%M}-{local.tzname()}.{ext}"


@require_safe
@staff_required
@replica_view
def staff_export_csv(request):
    response = StreamingHttpResponse(
        exports.csv_stream(_queryset(request), user=request.user), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(request, "csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@staff_required
@replica_view
def staff_export_xlsx(request):
    response = HttpResponse(
        exports.xlsx_bytes(_queryset(request), user=request.user),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(request, "xlsx")}"'
    response["Cache-Control"] = "private, no-store"
    return response
