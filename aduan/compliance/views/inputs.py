"""Entering the assessment inputs and evidence, recomputing and publishing a score."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from aduan.core.exceptions import DomainError, PermissionDenied

from .. import selectors
from ..forms import AssessmentForm, EvidenceForm
from ..models import ComplianceScore, EvidenceItem
from ..services import (
    assessment_entry_record,
    current_entries,
    evidence_record,
    methodology_for_year,
    score_publish,
)
from ..tasks import recompute
from .common import (
    _now,
    staff_view,
)

# --- Entering inputs --------------------------------------------------------------------------


@staff_view
def assessment(request, pk: int, year: int):
    """Ombudsman staff enter indicator scores, dimension scores or reported metrics for a year."""
    pemda = selectors.pemda_get_for(user=request.user, pk=pk)
    if not selectors.may_enter_assessment(request.user, pemda):
        raise PermissionDenied()
    try:
        methodology = methodology_for_year(year)
    except DomainError:
        raise Http404() from None
    entries = current_entries(pemda=pemda, year=year)
    form = AssessmentForm(
        request.POST or None,
        methodology=methodology,
        initial_entries={k: e.value for k, e in entries.items()},
    )
    if request.method == "POST" and form.is_valid():
        changed = 0
        now = _now()
        for kind, code, value in form.changed_entries():
            try:
                assessment_entry_record(
                    pemda=pemda, year=year, kind=kind, code=code, value=value, user=request.user, now=now,
                    note=form.cleaned_data.get("note", ""),
                )  # fmt: skip
                changed += 1
            except DomainError as exc:
                form.add_error(None, str(exc))
        if not form.errors:
            messages.success(
                request, ngettext("%(n)s isian disimpan.", "%(n)s isian disimpan.", changed) % {"n": changed}
            )
            return redirect(reverse("compliance:pemda", args=[pemda.pk]) + f"?tahun={year}")
    return render(
        request,
        "compliance/assessment.html",
        {"pemda": pemda, "year": year, "methodology": methodology, "form": form, "entries": entries},
    )


@staff_view
def evidence(request, pk: int):
    """The Pemda's Pengaduan evidence items; the koordinator records new ones."""
    pemda = selectors.pemda_get_for(user=request.user, pk=pk)
    may_record = selectors.may_record_evidence(request.user, pemda)
    form = EvidenceForm(request.POST or None, request.FILES or None) if may_record else None
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied()
        if form.is_valid():
            try:
                evidence_record(pemda=pemda, user=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(getattr(exc, "params", {}).get("field"), str(exc))
            else:
                messages.success(request, _("Bukti dicatat."))
                return redirect("compliance:evidence", pemda.pk)
    items = EvidenceItem.objects.filter(pemda=pemda).select_related("recorded_by")
    return render(
        request,
        "compliance/evidence.html",
        {"pemda": pemda, "form": form, "items": items, "may_record": may_record},
    )


@require_safe
@staff_view
def evidence_download(request, pk: int, item_pk: int):
    pemda = selectors.pemda_get_for(user=request.user, pk=pk)
    item = EvidenceItem.objects.filter(pk=item_pk, pemda=pemda).first()
    if item is None:
        raise Http404()
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)


@require_POST
@staff_view
def recompute_now(request, pk: int, year: int):
    """Queue a recomputation (the same Celery task the nightly run uses)."""
    pemda = selectors.pemda_get_for(user=request.user, pk=pk)
    if not selectors.may_recompute(request.user, pemda):
        raise PermissionDenied()
    recompute.delay_on_commit(pemda.pk, year, request.user.pk)
    messages.info(request, _("Perhitungan ulang dijadwalkan; muat ulang halaman sebentar lagi."))
    return redirect(reverse("compliance:pemda", args=[pemda.pk]) + f"?tahun={year}")


@require_POST
@staff_view
def publish(request, pk: int, snapshot_pk: int):
    pemda = selectors.pemda_get_for(user=request.user, pk=pk)
    if not selectors.may_enter_assessment(request.user, pemda):
        raise PermissionDenied()
    snapshot = ComplianceScore.objects.filter(pk=snapshot_pk, pemda=pemda).first()
    if snapshot is None:
        raise Http404()
    score_publish(snapshot_id=snapshot.pk, user=request.user)
    messages.success(request, _("Nilai ditetapkan sebagai hasil resmi."))
    return redirect(reverse("compliance:pemda", args=[pemda.pk]) + f"?tahun={snapshot.year}")
