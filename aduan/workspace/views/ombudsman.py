"""The Ombudsman's reports (issue 17 point 4) in the staff workspace.

- ``staff_ombudsman_reports``: the Ombudsman's queue, the reports of their province's Pemdas;
- ``staff_ombudsman_pemda``: the koordinator's list of their Pemda's clarification requests and
  corrective actions;
- ``staff_ombudsman_report``: one report with the complaint's whole timeline, its clarification
  requests and corrective actions, and the forms the viewer's role allows;
- the actions (POST): ask for clarification, answer it (koordinator) or record the answer
  (Ombudsman), close with a finding and corrective actions, mark a corrective action done.

Reads go through ``aduan.ombudsman.selectors`` (scoped by role: OPD staff see nothing), writes
through its services. The reporter's identity is shown to the Ombudsman only with the reporter's
consent (``identity_for_ombudsman``), never to anyone else here.
"""

import math

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aduan.agencies.selectors import staff_roles
from aduan.complaints.workflow import Action
from aduan.core.exceptions import DomainError, InvalidInput, NotFound
from aduan.ombudsman import selectors, services
from aduan.ombudsman.models import REASON_MAX_LENGTH, CorrectiveAction, Finding, ReportStatus
from aduan.sla.display import due_text
from aduan.sla.services import calendar_for

from .staff_common import PAGE_SIZE, forbid, staff_render, staff_required
from .staff_detail import STEP_LABELS

ACTION_ROWS = 3  # empty corrective-action rows on the closing form


class ClarifyForm(forms.Form):
    question = forms.CharField(
        label=_("Hal yang perlu diklarifikasi Pemda"), widget=forms.Textarea(attrs={"rows": 4}),
        max_length=REASON_MAX_LENGTH,
    )  # fmt: skip


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Jawaban klarifikasi Pemda"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=REASON_MAX_LENGTH,
    )


class CloseForm(forms.Form):
    finding = forms.ChoiceField(label=_("Temuan"), choices=Finding.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Uraian temuan"), widget=forms.Textarea(attrs={"rows": 4}), max_length=REASON_MAX_LENGTH
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(ACTION_ROWS):
            self.fields[f"action_{i}"] = forms.CharField(
                label=_("Tindakan korektif %(n)s") % {"n": i + 1}, required=False, max_length=2000
            )
            self.fields[f"due_{i}"] = forms.DateField(
                label=_("Batas waktu"), required=False, widget=forms.DateInput(attrs={"type": "date"})
            )

    def action_rows(self):
        return [(self[f"action_{i}"], self[f"due_{i}"]) for i in range(ACTION_ROWS)]

    def actions(self):
        return [
            (self.cleaned_data.get(f"action_{i}", ""), self.cleaned_data.get(f"due_{i}"))
            for i in range(ACTION_ROWS)
        ]


class DoneForm(forms.Form):
    note = forms.CharField(
        label=_("Apa yang sudah dilaksanakan"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class CalendarCountdown:
    """The clarification clock as staff see it: calendar days left (it counts calendar days,
    holidays included), negative when late, and the colour class of the other countdowns."""

    def __init__(self, deadline, now, cal):
        self.deadline = deadline
        self.due_label = due_text(deadline.due_at, cal)
        seconds = (deadline.due_at - now).total_seconds()
        self.days_left = math.ceil(seconds / 86400)  # started days left: 14 right after the request
        self.breached = deadline.breached_at is not None or seconds <= 0
        self.css = "late" if self.breached else "soon" if self.days_left <= 3 else "ok"


def _clocks(reports, now):
    """The open clarification clock of each report (calendars per Pemda, cached)."""
    calendars = {}
    for report in reports:
        request = selectors.open_clarification(report)
        report.open_request = request
        report.countdown = None
        if request is not None and request.deadline is not None:
            pemda = report.complaint.pemda
            if pemda.pk not in calendars:
                calendars[pemda.pk] = calendar_for(pemda, around=now)
            report.countdown = CalendarCountdown(request.deadline, now, calendars[pemda.pk])
    return reports


def _list_page(request, queryset, *, template, title):
    status = request.GET.get("status", "")
    if status in ReportStatus.values:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset.order_by("-submitted_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    reports = _clocks(list(page.object_list), timezone.now())
    return staff_render(
        request,
        template,
        {
            "title": title,
            "page": page,
            "reports": reports,
            "statuses": ReportStatus.choices,
            "status": status,
            "query": f"status={status}" if status in ReportStatus.values else "",
        },
    )


@staff_required
def staff_ombudsman_reports(request):
    """The Ombudsman's queue: reports of the province's Pemdas, newest first."""
    if not staff_roles(request.user).is_ombudsman:
        forbid()
    return _list_page(
        request,
        selectors.reports_for_ombudsman(request.user),
        template="ombudsman/staff_reports.html",
        title=_("Laporan ke Ombudsman"),
    )


@staff_required
def staff_ombudsman_pemda(request):
    """The koordinator: the Ombudsman's clarification requests and corrective actions for the Pemda."""
    if not staff_roles(request.user).is_koordinator:
        forbid()
    return _list_page(
        request,
        selectors.reports_for_koordinator(request.user),
        template="ombudsman/staff_reports.html",
        title=_("Klarifikasi Ombudsman"),
    )


def _report_or_404(request, pk: int):
    try:
        return selectors.report_for_staff(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def _page(request, report, role, *, bound=None, status=200):
    bound = bound or {}
    now = timezone.now()
    complaint = report.complaint
    _clocks([report], now)
    events = selectors.timeline_of(complaint)
    labels = {**dict(Action.choices), **STEP_LABELS}
    for event in events:
        event.action_label = labels.get(event.action, event.action)
    is_ombudsman = role == "ombudsman"
    can_answer = report.status == ReportStatus.CLARIFICATION
    context = {
        "report": report,
        "complaint": complaint,
        "role": role,
        "events": events,
        "clarifications": list(report.clarifications.all()),
        "actions": list(report.actions.all()),
        "today": now.astimezone(complaint.pemda.zoneinfo).date(),
        # The reporter: only the Ombudsman, only with consent, never for an anonim complaint.
        "identity": selectors.identity_for_ombudsman(user=request.user, report=report)
        if is_ombudsman
        else None,
        "show_reason": is_ombudsman,
        "clarify_form": bound.get("clarify")
        or (
            ClarifyForm()
            if is_ombudsman and report.status in (ReportStatus.SUBMITTED, ReportStatus.ANSWERED)
            else None
        ),
        "answer_form": bound.get("answer") or (AnswerForm() if can_answer else None),
        "close_form": bound.get("close") or (CloseForm() if is_ombudsman and report.is_open else None),
        "done_form": DoneForm() if role == "koordinator" else None,
        "done_error": bound.get("done_error"),
        "pemda_for_zone": complaint.pemda,
    }
    return staff_render(request, "ombudsman/staff_report.html", context, status=status)


@staff_required
def staff_ombudsman_report(request, pk: int):
    report, role = _report_or_404(request, pk)
    return _page(request, report, role)


def _back(report):
    return redirect(reverse("complaints:staff-ombudsman-report", kwargs={"pk": report.pk}))


def _refused(request, report, role, key, form, error: DomainError):
    if isinstance(error, NotFound):
        raise Http404 from None
    if isinstance(error, InvalidInput):
        form.add_error(None, str(error.message))
    else:
        messages.error(request, str(error.message))
    return _page(request, report, role, bound={key: form}, status=400)


def _report_step(request, pk: int, *, key: str, form_class, only_role: str | None, write, success):
    """One POSTed step on a report: the role check, the form, the service call ``write(report,
    data)``; a refusal shows the page again with the reason and changes nothing."""
    report, role = _report_or_404(request, pk)
    if only_role is not None and role != only_role:
        forbid()
    form = form_class(request.POST)
    if not form.is_valid():
        return _page(request, report, role, bound={key: form}, status=400)
    try:
        write(report, form)
    except DomainError as error:
        return _refused(request, report, role, key, form, error)
    messages.success(request, success)
    return _back(report)


@require_POST
@staff_required
def staff_ombudsman_clarify(request, pk: int):
    return _report_step(
        request, pk, key="clarify", form_class=ClarifyForm, only_role="ombudsman",
        write=lambda report, form: services.clarification_request(
            report_id=report.pk, user=request.user, question=form.cleaned_data["question"]
        ),
        success=_("Permintaan klarifikasi dikirim ke Pemda; tenggat 14 hari kalender."),
    )  # fmt: skip


@require_POST
@staff_required
def staff_ombudsman_answer(request, pk: int):
    return _report_step(
        request, pk, key="answer", form_class=AnswerForm, only_role=None,  # the service checks who
        write=lambda report, form: services.clarification_answer(
            report_id=report.pk, user=request.user, answer=form.cleaned_data["answer"]
        ),
        success=_("Jawaban klarifikasi dicatat."),
    )  # fmt: skip


@require_POST
@staff_required
def staff_ombudsman_close(request, pk: int):
    return _report_step(
        request, pk, key="close", form_class=CloseForm, only_role="ombudsman",
        write=lambda report, form: services.report_close(
            report_id=report.pk,
            user=request.user,
            finding=form.cleaned_data["finding"],
            note=form.cleaned_data["note"],
            actions=form.actions(),
        ),
        success=_("Laporan ditutup dengan temuan."),
    )  # fmt: skip


@require_POST
@staff_required
def staff_ombudsman_action_done(request, pk: int):
    report_id = CorrectiveAction.objects.filter(pk=pk).values_list("report_id", flat=True).first()
    if report_id is None:
        raise Http404
    report, role = _report_or_404(request, report_id)
    if role != "koordinator":
        forbid()
    form = DoneForm(request.POST)
    if not form.is_valid():
        return _page(
            request,
            report,
            role,
            bound={"done_error": (pk, _("Tuliskan apa yang sudah dilaksanakan."))},
            status=400,
        )
    try:
        services.action_done(action_id=pk, user=request.user, note=form.cleaned_data["note"])
    except DomainError as error:
        if isinstance(error, NotFound):
            raise Http404 from None
        return _page(request, report, role, bound={"done_error": (pk, str(error.message))}, status=400)
    messages.success(request, _("Tindakan korektif dilaporkan selesai."))
    return _back(report)
