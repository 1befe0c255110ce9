"""The role start pages: the koordinator's triage queue (with bulk moves), the OPD inbox, the
kepala OPD's read-only view (inbox, overdue list, escalations) and the Ombudsman's view of the
province. Each is a scoped queryset (``QUEUES``) narrowed by the shared StaffComplaintFilter;
the exports reuse the same scopes.
"""

import time

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from aduan.agencies.models import Opd, Pemda
from aduan.agencies.selectors import staff_roles
from aduan.complaints import selectors, services
from aduan.complaints.filters import StaffComplaintFilter, filter_forms_clear
from aduan.complaints.models import HELD_BY_OPD_STATUSES, Category, Complaint, Status
from aduan.complaints.selectors import Actor
from aduan.sla.models import DeadlineEffect, EffectKind, Stage
from aduan.workspace.forms import BulkForm
from aduan.workspace.templatetags.staff_tags import filter_panels_clear

from .staff_common import (
    ShapedScope,
    filtered_page,
    forbid,
    list_queryset,
    rows_of,
    staff_render,
    staff_required,
)
from .staff_risk import forecast_cache_clear, likely_breaches, risk_page

TRIAGE_STATUSES = (Status.SUBMITTED, Status.ON_HOLD)
OVERDUE_SHOWN = 50


def triage_scope(user):
    me = staff_roles(user)
    if not me.is_koordinator:
        return None
    return selectors.complaints_visible_to(user).filter(
        pemda_id__in=me.koordinator_pemda_ids, status__in=TRIAGE_STATUSES
    )


def inbox_scope(user):
    me = staff_roles(user)
    if not me.opd_ids:
        return None
    return selectors.complaints_held_by(user, me.opd_ids)


def kepala_scope(user):
    me = staff_roles(user)
    if not me.is_kepala:
        return None
    return selectors.complaints_held_by(user, me.kepala_opd_ids)


def ombudsman_scope(user):
    me = staff_roles(user)
    if not me.is_ombudsman:
        return None
    return selectors.complaints_visible_to(user).filter(pemda__province_id__in=me.ombudsman_province_ids)


def all_scope(user):
    return selectors.complaints_visible_to(user)


QUEUES = {
    "triage": triage_scope,
    "inbox": inbox_scope,
    "kepala": kepala_scope,
    "ombudsman": ombudsman_scope,
    "all": all_scope,
}


# The filter panel's lists (Pemdas, OPDs, categories, kecamatan, kelurahan) change rarely and every
# queue page shows some of them: each process keeps them per role scope and language for
# FILTER_CHOICES_SECONDS (a saved or deleted row of those models clears this process's copy at
# once: aduan/workspace/apps.py; other processes follow within that time). The fields still check
# a submitted value against their queryset.
FILTER_CHOICES_SECONDS = 60
MODEL_FILTERS = ("pemda", "opd", "category", "kecamatan", "kelurahan")
_filter_choices: dict = {}


def filter_choices_clear(**_signal_kwargs) -> None:
    """Forget the lists, the filter panels drawn from them (staff_tags.filter_panel) and the
    filter form classes holding their querysets (complaints.filters)."""
    _filter_choices.clear()
    filter_panels_clear()
    filter_forms_clear()


def queue_caches_clear() -> None:
    """Empty what this process keeps for the queue pages (the filter lists, the forecast's
    histograms): as in a fresh process."""
    filter_choices_clear()
    forecast_cache_clear()


def _offered(name: str, me):
    """The queryset of Pemdas, OPDs or categories the filter form offers ``me`` (None: the
    filterset's own, for the area lists)."""
    pemdas = Pemda.objects.filter(
        Q(province_id__in=me.ombudsman_province_ids)
        | Q(pk__in=me.koordinator_pemda_ids)
        | Q(opds__in=me.opd_ids)
    ).distinct()
    if name == "pemda":
        return pemdas.order_by("name")
    if name == "opd":
        wide = me.ombudsman_province_ids or me.koordinator_pemda_ids
        return Opd.objects.filter(Q(pemda__in=pemdas) if wide else Q(pk__in=me.opd_ids)).order_by("name")
    if name == "category":
        return (
            Category.objects.filter(Q(pemda__in=pemdas) | Q(pemda__isnull=True), is_active=True)
            .select_related("parent")  # in the label
            .order_by("name")
        )
    return None


def _limit_filter_choices(filterset, user, queue, shown=MODEL_FILTERS):
    """Offer only the Pemdas, OPDs, categories and areas this user can see in the filter form,
    from this process's copy of the lists (read when it has none or it ran out). The form was
    validated already (filtered_page): what is set here is only what the panel shows."""
    form = filterset.form
    me = staff_roles(user)
    scope = (me.ombudsman_province_ids, me.koordinator_pemda_ids, me.opd_ids, get_language())
    clock = time.monotonic()
    for name in MODEL_FILTERS:
        if name not in shown:
            continue
        field = form.fields[name]
        hit = _filter_choices.get((name, *scope))
        if hit is None or clock >= hit[1]:
            if len(_filter_choices) >= 1024:
                _filter_choices.clear()
            queryset = _offered(name, me)
            if queryset is not None:
                field.queryset = queryset
            choices = [(str(value), str(label)) for value, label in field.choices]
            hit = _filter_choices[(name, *scope)] = (choices, clock + FILTER_CHOICES_SECONDS)
        field.widget.choices = hit[0]
    choices = form.fields["status"].choices
    if queue == "triage":
        choices = [c for c in choices if c[0] in TRIAGE_STATUSES]
    form.fields["status"].widget = forms.CheckboxSelectMultiple(choices=choices)


def queue_base(request, queue: str):
    """The scoped queryset of a queue for this user (403 when the user has no such queue); the
    inbox shows what the OPD holds now unless a status is asked for."""
    scope = QUEUES.get(queue)
    base = scope(request.user) if scope else None
    if base is None:
        forbid()
    if queue in ("inbox", "kepala") and not request.GET.getlist("status"):
        base = base.filter(status__in=HELD_BY_OPD_STATUSES)
    return base


def _held_now(opd_ids):
    """The inbox's and kepala's default rows for OPD ids of the user (``queue_base``'s query)."""
    return selectors.held_by_opds(opd_ids).filter(status__in=HELD_BY_OPD_STATUSES)


def shaped_scope(request, queue: str) -> ShapedScope | None:
    """The inbox's or kepala's scope as the user's OPD ids, for the compiled-once page query
    (staff_common.filtered_page uses it only when nothing is filtered)."""
    me = staff_roles(request.user)
    ids = {"inbox": me.opd_ids, "kepala": me.kepala_opd_ids}.get(queue)
    if not ids or request.GET.getlist("status"):
        return None
    return ShapedScope(queue, tuple(sorted(ids)), _held_now)


def queue_page(
    request, queue: str, *, template, title, filter_fields, default_sort, stage=None, extra=None, risk=False
):
    base = queue_base(request, queue)
    shaped = shaped_scope(request, queue)
    if risk:  # the breach forecast per row and the risk sort (staff_risk)
        filterset, page, rows, query = risk_page(
            request, base, default_sort=default_sort, now=timezone.now(), shaped=shaped
        )
    else:
        filterset, page, rows, query = filtered_page(
            request, base, default_sort=default_sort, stage=stage, shaped=shaped
        )
    _limit_filter_choices(filterset, request.user, queue, shown=filter_fields)
    context = {
        "title": title,
        "queue": queue,
        "filter": filterset,
        "filter_fields": filter_fields,
        "page": page,
        "rows": rows,
        "query": query,
        "pemda_for_zone": rows[0].complaint.pemda if rows else None,
        **(extra or {}),
    }
    return staff_render(request, template, context, status=(extra or {}).get("status", 200))


@staff_required
def staff_triage(request, bulk_form=None):
    """The koordinator's queue: new and on-hold complaints, oldest first, with the working days
    left to the verification deadline, the suggested OPD and the reporter's choice."""
    me = staff_roles(request.user)
    if not me.is_koordinator:
        forbid()
    extra = {"bulk_form": bulk_form or BulkForm(pemda_ids=me.koordinator_pemda_ids)}
    if bulk_form is not None:
        extra["status"] = 400
    return queue_page(
        request,
        "triage",
        template="complaints/staff/triage.html",
        title=gettext_lazy("Antrean triase"),
        filter_fields=(
            "status",
            "category",
            "kecamatan",
            "kelurahan",
            "channel",
            "due",
            "q",
            "submitted_from",
            "submitted_to",
            "sort",
        ),
        default_sort="oldest",
        stage=Stage.VERIFICATION,
        extra=extra,
    )


@require_POST
@staff_required
def staff_triage_bulk(request):
    """The same move on the ticked complaints: one complaint_transition() each."""
    me = staff_roles(request.user)
    if not me.is_koordinator:
        forbid()
    posted = [int(v) for v in request.POST.getlist("complaints") if v.isdecimal()]
    visible = list(
        selectors.complaints_visible_to(request.user).filter(pk__in=posted).values_list("pk", flat=True)
    )
    if len(set(visible)) != len(set(posted)):
        raise Http404  # a complaint this user may not see: reveal nothing, do nothing
    form = BulkForm(request.POST, complaint_ids=visible, pemda_ids=me.koordinator_pemda_ids)
    if not form.is_valid():
        return staff_triage(request, bulk_form=form)
    result = services.complaints_bulk_transition(
        complaint_ids=form.cleaned_data["complaints"],
        action=form.cleaned_data["action"],
        actor=Actor.staff(request.user),
        **form.inputs(),
    )
    tickets = dict(Complaint.objects.filter(pk__in=posted).values_list("pk", "ticket_number"))
    if result.done:
        n = len(result.done)
        messages.success(request, ngettext("%(n)d aduan diproses.", "%(n)d aduan diproses.", n) % {"n": n})
    for pk, error in result.refused:
        messages.error(request, f"{tickets.get(pk, pk)}: {error}")
    return redirect("complaints:staff-triage")


@staff_required
def staff_inbox(request):
    """The OPD inbox: complaints the user's OPD holds, due soonest first (or by the estimated risk
    of a breach, ``?sort=risk``), filterable."""
    return queue_page(
        request,
        "inbox",
        template="complaints/staff/inbox.html",
        title=gettext_lazy("Kotak masuk OPD"),
        filter_fields=(
            "status",
            "category",
            "kecamatan",
            "kelurahan",
            "channel",
            "due",
            "assigned",
            "flagged",
            "q",
            "sort",
        ),
        default_sort="due",
        risk=True,
    )


@staff_required
def staff_kepala(request):
    """The kepala OPD: the inbox read-only, the overdue list and the escalations received."""
    me = staff_roles(request.user)
    if not me.is_kepala:
        forbid()
    base = kepala_scope(request.user)
    overdue_qs = StaffComplaintFilter({"due": "overdue", "sort": "due"}, queryset=base, request=request).qs
    now = timezone.now()
    overdue = rows_of(list(list_queryset(overdue_qs)[:OVERDUE_SHOWN]), now)
    escalations = list(
        DeadlineEffect.objects.filter(kind=EffectKind.ESCALATION, deadline__opd_id__in=me.kepala_opd_ids)
        .select_related("deadline__complaint", "deadline__opd")
        .order_by("-created_at")[:20]
    )
    return queue_page(
        request,
        "kepala",
        template="complaints/staff/kepala.html",
        title=gettext_lazy("Ringkasan kepala OPD"),
        filter_fields=("status", "category", "kecamatan", "kelurahan", "channel", "due", "q", "sort"),
        default_sort="due",
        extra={"overdue": overdue, "escalations": escalations, "likely": likely_breaches(base, now)},
        risk=True,
    )


@staff_required
def staff_ombudsman(request):
    """The Ombudsman: every complaint of the province's Pemdas, read-only, filterable."""
    return queue_page(
        request,
        "ombudsman",
        template="complaints/staff/ombudsman.html",
        title=gettext_lazy("Pemantauan Ombudsman"),
        filter_fields=(
            "pemda",
            "opd",
            "kecamatan",
            "kelurahan",
            "status",
            "channel",
            "due",
            "breached",
            "flagged",
            "q",
            "sort",
        ),
        default_sort="newest",
    )
