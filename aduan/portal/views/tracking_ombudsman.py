"""The reporter takes their complaint to the Ombudsman from the tracking page (issue 17 point 4):
a reason and their consent to share their identity (an anonim complaint stays anonim). Written
through ``aduan.ombudsman.services.report_submit`` (row lock, one report per complaint); a refused
post shows the tracking page again with the typed reason and the error beside it."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aduan.core.exceptions import DomainError, InvalidInput
from aduan.ombudsman import services

from .tracking import _complaint_or_404, _throttled, _track_page


@require_POST
def track_ombudsman(request, secret: str):
    back_url = reverse("complaints:track", kwargs={"secret": secret})
    if throttled := _throttled(request, scope="track-post", back_url=back_url):
        return throttled
    complaint = _complaint_or_404(secret)
    reason = request.POST.get("reason", "")
    consent = request.POST.get("consent") == "1"
    try:
        services.report_submit(complaint_id=complaint.pk, secret=secret, reason=reason, consent=consent)
    except DomainError as exc:
        beside_field = isinstance(exc, InvalidInput) and exc.params.get("field") == "reason"
        return _track_page(
            request,
            complaint,
            secret,
            status=400,
            ombudsman_form={
                "reason": reason,
                "consent": consent,
                "error": str(exc.message) if beside_field else "",
            },
            general_error="" if beside_field else str(exc.message),
        )
    messages.success(request, _("Laporan Anda sudah diteruskan ke Ombudsman RI Perwakilan provinsi Anda."))
    return redirect(f"{back_url}#ombudsman")
