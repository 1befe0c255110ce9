"""The complaint page for staff and every action taken from it.

The page offers exactly the moves ``workflow.allowed_actions`` allows this user now (staff roles
only: the citizen's and the system's moves are never buttons), plus the recorded steps the
services allow (assign, internal note, evidence, merge, Ombudsman flag). Each action is a plain
POST that redirects back (PRG); a refusal by the domain is a 403 (not this user's move) or the page
again with the error beside what was typed (status 400/409), and changes nothing.

The page reads a fixed number of queries (tests/workspace/test_staff_detail_queries.py): the
complaint's query also tells which of its other lists exist (``PAGE_FACTS``), so a list it does not
have costs none, and its repeated pieces (fields, moves, clocks, hops, timeline, notifications) are
drawn in Python by ``workspace.templatetags.detail_tags``.
"""

from django.contrib import messages
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aduan.agencies.models import Kelurahan
from aduan.complaints import selectors, services
from aduan.complaints.attachment_names import attachment_display_name
from aduan.complaints.attachments import attachment_add, validate_upload
from aduan.complaints.location import LocationStep
from aduan.complaints.models import (
    CLOSED_STATUSES,
    HELD_BY_OPD_STATUSES,
    ActorRole,
    Attachment,
    CannedResponse,
    Category,
    Complaint,
    ComplaintEvent,
    ComplaintFlag,
    ComplaintHop,
    ComplaintNote,
)
from aduan.complaints.public_page import PublicStep
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import (
    TRANSITIONS,
    Action,
    Step,
    TransitionNotAllowed,
    allowed_actions,
    complaint_transition,
)
from aduan.core.exceptions import DomainError, NotFound, PermissionDenied
from aduan.core.maps import map_csp
from aduan.core.query_shapes import QueryShape
from aduan.notifications.models import Audience, Notification
from aduan.ombudsman.models import OmbudsmanReport
from aduan.ombudsman.selectors import report_on_complaint_for
from aduan.sla.models import Deadline
from aduan.sla.services import calendar_for
from aduan.workspace.batch import evaluate_together
from aduan.workspace.forms import (
    ACTION_FIELDS,
    AssignForm,
    AttachmentForm,
    FlagForm,
    MergeForm,
    NoteForm,
    PublicPageForm,
    TransitionForm,
    attach_domain_error,
)
from aduan.workspace.maps import location_context

from .staff_common import Countdown, forbid, staff_render, staff_required

# The roles whose moves are buttons on the staff page (never the citizen's or the system's).
STAFF_ROLES = frozenset(
    {ActorRole.KOORDINATOR, ActorRole.PETUGAS_OPD, ActorRole.KEPALA_OPD, ActorRole.OMBUDSMAN}
)
NOTE_ROLES = frozenset({ActorRole.KOORDINATOR, ActorRole.PETUGAS_OPD})
STEP_LABELS = {**dict(Step.choices), **dict(PublicStep.choices), **dict(LocationStep.choices)}
EVENT_LABELS = {**dict(Action.choices), **STEP_LABELS}  # lazy: translated when drawn


# The order of the buttons: the usual next step first (it is shown open).
BUTTON_ORDER = [a for a in ACTION_FIELDS]


def staff_actions(*, actor: Actor, complaint, roles=None) -> list[str]:
    """The moves this staff member may make on ``complaint`` now, the usual next step first."""
    roles = selectors.actor_roles(actor, complaint) if roles is None else roles
    allowed = [
        a
        for a in allowed_actions(actor=actor, complaint=complaint)
        if TRANSITIONS[a].roles & roles & STAFF_ROLES and a in ACTION_FIELDS
    ]
    return sorted(allowed, key=BUTTON_ORDER.index)


def _complaint_or_404(request, pk):
    try:
        return selectors.complaint_get_for(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def _of_complaint(model, *, key: str = "complaint_id", outer: str = "id", where: str = "", select: str = ""):
    """EXISTS (or the first ``select``) over ``model``'s rows whose ``key`` is the complaint's
    ``outer`` column, in plain SQL: the ORM's Exists costs more Python to build and compile than the
    query it saves. Built once, at import, from the models' own names (no input reaches it)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    condition = f"{table}.{quote(key)} = {quote(Complaint._meta.db_table)}.{quote(outer)}"
    if where:
        condition += f" AND {table}.{where}"
    if select:
        return RawSQL(f"SELECT {table}.{quote(select)} FROM {table} WHERE {condition} LIMIT 1", ())  # noqa: S608,S611
    return RawSQL(f"EXISTS (SELECT 1 FROM {table} WHERE {condition})", (), output_field=BooleanField())  # noqa: S608,S611


# What the page asks of the complaint's other rows, answered in the complaint's own query: whether
# there is an open Ombudsman flag, a report to the Ombudsman (its id), internal notes, attachments,
# notifications and canned responses of its OPD. A list the complaint does not have costs no query.
PAGE_FACTS = {
    "page_open_flag": _of_complaint(ComplaintFlag, where="cleared_at IS NULL"),
    "page_report_pk": _of_complaint(OmbudsmanReport, select="id"),
    "page_has_notes": _of_complaint(ComplaintNote),
    "page_has_attachments": _of_complaint(Attachment),
    "page_has_notifications": _of_complaint(Notification),
    "page_has_canned": _of_complaint(CannedResponse, key="opd_id", outer="current_opd_id", where="is_active"),
}


_PAGE = selectors.ComplaintPage(related=("pemda", "current_opd"), **PAGE_FACTS)


def _page_complaint(request, pk):
    """The complaint with its page's facts about its other rows. Its category and area come with
    those rows (``_detail``): each further join costs PostgreSQL more planning than a lookup."""
    try:
        return _PAGE.get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


# The page's lists of the complaint's other rows: each built and compiled once per process
# (aduan.core.query_shapes), then run with this complaint's id.
PAGE_ROWS = {
    "category": QueryShape(lambda pk: Category.objects.filter(pk=pk), int),
    "kelurahan": QueryShape(lambda pk: Kelurahan.objects.select_related("kecamatan").filter(pk=pk), int),
    "deadlines": QueryShape(
        lambda pk: (
            Deadline.objects.filter(complaint_id=pk).select_related("opd").order_by("started_at", "pk")
        ),
        int,
    ),
    "events": QueryShape(
        lambda pk: ComplaintEvent.objects.filter(complaint_id=pk).select_related("actor", "opd"), int
    ),
    "hops": QueryShape(lambda pk: ComplaintHop.objects.filter(complaint_id=pk).select_related("opd"), int),
    "notifications": QueryShape(
        lambda pk: Notification.objects.filter(complaint_id=pk).order_by("created_at", "pk"), int
    ),
    "attachments": QueryShape(lambda pk: Attachment.objects.filter(complaint_id=pk), int),
    "notes": QueryShape(
        lambda pk: ComplaintNote.objects.filter(complaint_id=pk).select_related("author"), int
    ),
    "flag": QueryShape(
        lambda pk: ComplaintFlag.objects.filter(complaint_id=pk, cleared_at__isnull=True).select_related(
            "flagged_by"
        )[:1],
        int,
    ),
    "canned": QueryShape(
        lambda opd: CannedResponse.objects.filter(opd_id=opd, is_active=True).order_by("title"), int
    ),
    "officers": QueryShape(services.officers_of, int),
}


def _canned_for(complaint):
    if not complaint.current_opd_id or not complaint.page_has_canned:
        return None
    return PAGE_ROWS["canned"](complaint.current_opd_id)


def _detail(request, complaint, *, bound=None, status=200):
    """Render the complaint page; ``bound`` maps a form key to a bound form with errors."""
    if not hasattr(complaint, "page_open_flag"):  # a refused POST: read it as the page does
        complaint = _page_complaint(request, complaint.pk)
    bound = bound or {}
    now = timezone.now()
    cal = calendar_for(complaint.pemda, around=now)
    actor = Actor.staff(request.user)
    roles = selectors.actor_roles(actor, complaint)
    actions = staff_actions(actor=actor, complaint=complaint, roles=roles)
    can_assign = ActorRole.PETUGAS_OPD in roles and complaint.status in HELD_BY_OPD_STATUSES
    # The page's rows, read in one round trip (a list the complaint does not have: no query; the
    # reporter: only for who may see them).
    pk = complaint.pk
    mine = {"complaint": complaint}  # set on every row, as complaint.<rows> would
    lists = {
        "category": PAGE_ROWS["category"](complaint.category_id) if complaint.category_id else None,
        "kelurahan": PAGE_ROWS["kelurahan"](complaint.kelurahan_id) if complaint.kelurahan_id else None,
        "identity": selectors.reporter_identity_query_for(actor=actor, complaint=complaint),
        "deadlines": PAGE_ROWS["deadlines"](pk, known=mine),
        "events": PAGE_ROWS["events"](pk, known=mine),
        "hops": PAGE_ROWS["hops"](pk, known=mine),
        "notifications": PAGE_ROWS["notifications"](pk, known=mine)
        if complaint.page_has_notifications
        else None,
        "attachments": PAGE_ROWS["attachments"](pk, known=mine) if complaint.page_has_attachments else None,
        "notes": PAGE_ROWS["notes"](pk, known=mine) if complaint.page_has_notes else None,
        "flag": PAGE_ROWS["flag"](pk, known=mine) if complaint.page_open_flag else None,
        "canned": _canned_for(complaint) if Action.FOLLOW_UP in actions else None,
        "officers": PAGE_ROWS["officers"](complaint.current_opd_id)
        if can_assign and "assign" not in bound
        else None,
    }
    evaluate_together(*(qs for qs in lists.values() if qs is not None))
    lists = {name: list(qs) if qs is not None else [] for name, qs in lists.items()}
    identity = lists["identity"][0] if lists["identity"] else None
    for name in ("category", "kelurahan"):
        if lists[name]:
            setattr(complaint, name, lists[name][0])
    deadlines = [Countdown(d, now, cal) for d in lists["deadlines"]]
    events = lists["events"]
    for event in events:
        event.action_label = EVENT_LABELS.get(event.action, event.action)
    notifications = lists["notifications"]
    for n in notifications:
        # The reporter's address is part of their identity: shown only to who may see it.
        may_see = n.audience == Audience.STAFF or identity is not None
        n.shown_address = n.address if may_see else "—"
        # A delivery error can quote the address (e.g. a refused recipient): same rule.
        n.shown_error = (
            (n.last_error if may_see else n.last_error.split(":", 1)[0]) if n.state != "sent" else ""
        )
    attachments = lists["attachments"]
    for position, attachment in enumerate(attachments, start=1):  # ordered oldest first
        attachment.shown_name = attachment_display_name(
            attachment, identity_visible=identity is not None, position=position
        )

    canned = lists["canned"]
    forms = {}
    for action in actions:
        if action in bound:
            forms[action] = bound[action]
            continue
        initial = {}
        if action == Action.DISPATCH:
            suggested = complaint.category.default_opd_id if complaint.category_id else None
            initial["opd"] = suggested or complaint.target_opd_id
        if action == Action.FOLLOW_UP:
            chosen = next((c for c in canned if str(c.pk) == request.GET.get("canned", "")), None)
            if chosen is not None:
                initial["note"] = chosen.body
        forms[action] = TransitionForm(action=action, complaint=complaint, initial=initial)

    can_note = bool(roles & NOTE_ROLES)
    can_merge = ActorRole.KOORDINATOR in roles and Action.ARCHIVE in actions
    open_flag = lists["flag"][0] if lists["flag"] else None
    is_ombudsman = ActorRole.OMBUDSMAN in roles
    is_koordinator = ActorRole.KOORDINATOR in roles
    context = {
        "complaint": complaint,
        "identity": identity,
        "deadlines": deadlines,
        "hops": lists["hops"],
        "events": events,
        "ombudsman_report": report_on_complaint_for(
            user=request.user, complaint=complaint, pk=complaint.page_report_pk
        ),
        "notes": lists["notes"],
        "attachments": attachments,
        "notifications": notifications,
        "is_closed": complaint.status in CLOSED_STATUSES,
        "actions": actions,
        "action_forms": forms,
        "canned": canned,
        "canned_selected": request.GET.get("canned", ""),
        # the category's OPD, shown beside the dispatch form only (the koordinator's move)
        "suggested_opd": (
            complaint.category.default_opd if Action.DISPATCH in actions and complaint.category_id else None
        ),
        "assign_form": bound.get("assign")
        or (
            AssignForm(
                officers=lists["officers"],
                initial={"assignee": complaint.assigned_to_id},
            )
            if can_assign
            else None
        ),
        "note_form": bound.get("note") or (NoteForm() if can_note else None),
        "attachment_form": bound.get("attachment") or (AttachmentForm() if can_note else None),
        "merge_form": bound.get("merge") or (MergeForm() if can_merge else None),
        "open_flag": open_flag,
        "flag_form": bound.get("flag") or (FlagForm() if is_ombudsman and open_flag is None else None),
        "can_unflag": is_ombudsman and open_flag is not None,
        # The public page's moderation: the koordinator only (aduan/complaints/public_page.py).
        "public_form": bound.get("public")
        or (
            PublicPageForm(
                initial={"public_title": complaint.public_title, "public_text": complaint.public_text}
            )
            if is_koordinator and not complaint.is_confidential
            else None
        ),
        # Where: the pin, its coordinates and area; the koordinator may correct them.
        "location": location_context(complaint, can_move=is_koordinator, form=bound.get("relocate")),
        "read_only": not (actions or can_assign or can_note or is_ombudsman or is_koordinator),
        "bound_any": bool(bound),
        "pemda_for_zone": complaint.pemda,
    }
    return map_csp(staff_render(request, "complaints/staff/detail.html", context, status=status))


@staff_required
def staff_complaint_detail(request, pk: int):
    """One complaint: facts, reporter (if this viewer may see them), attachments, clocks per
    stage and hop, OPD hops, the timeline, notifications, internal notes and the allowed actions."""
    return _detail(request, _page_complaint(request, pk))


def _back(request, complaint):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("complaints:staff-detail", pk=complaint.pk)


def _refused(request, complaint, key, form, error: DomainError):
    """A refusal: not this user's move → 403; anything else → the page with the error."""
    if isinstance(error, PermissionDenied):
        forbid()
    if isinstance(error, NotFound):
        raise Http404
    attach_domain_error(form, error)
    status = 409 if isinstance(error, TransitionNotAllowed) else 400
    return _detail(request, complaint, bound={key: form}, status=status)


@require_POST
@staff_required
def staff_transition(request, pk: int, action: str):
    """One move of the state machine (dispatch, hold, archive, forward_out, redispatch, ...)."""
    complaint = _complaint_or_404(request, pk)
    if action not in ACTION_FIELDS:
        raise Http404
    actor = Actor.staff(request.user)
    if not TRANSITIONS[action].roles & selectors.actor_roles(actor, complaint) & STAFF_ROLES:
        forbid()
    form = TransitionForm(request.POST, request.FILES, action=action, complaint=complaint)
    if not form.is_valid():
        return _detail(request, complaint, bound={action: form}, status=400)
    data = form.cleaned_data
    try:
        uploads = (validate_upload(data["photo"]),) if data.get("photo") else ()
    except DomainError as error:
        error.params["field"] = "photo"
        return _refused(request, complaint, action, form, error)
    try:
        complaint_transition(
            complaint_id=complaint.pk,
            action=action,
            actor=actor,
            note=data.get("note", ""),
            opd=data.get("opd"),
            reason=data.get("reason", ""),
            duplicate_of=data.get("duplicate_of"),
            institution=data.get("institution", ""),
            planned_date=data.get("planned_date"),
            uploads=uploads,
        )
    except DomainError as error:
        return _refused(request, complaint, action, form, error)
    messages.success(
        request,
        _("%(ticket)s: %(action)s berhasil.")
        % {"ticket": complaint.ticket_number, "action": Action(action).label},
    )
    return _back(request, complaint)


@require_POST
@staff_required
def staff_assign(request, pk: int):
    complaint = _complaint_or_404(request, pk)
    officers = services.officers_of(complaint.current_opd_id)
    form = AssignForm(request.POST, officers=officers)
    if not form.is_valid():
        if ActorRole.PETUGAS_OPD not in selectors.actor_roles(Actor.staff(request.user), complaint):
            forbid()
        return _detail(request, complaint, bound={"assign": form}, status=400)
    try:
        services.complaint_assign(
            complaint_id=complaint.pk,
            actor=Actor.staff(request.user),
            assignee_id=form.cleaned_data["assignee"],
        )
    except DomainError as error:
        return _refused(request, complaint, "assign", form, error)
    messages.success(request, _("%(ticket)s: petugas diperbarui.") % {"ticket": complaint.ticket_number})
    return _back(request, complaint)


@require_POST
@staff_required
def staff_note_add(request, pk: int):
    complaint = _complaint_or_404(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        if not selectors.actor_roles(Actor.staff(request.user), complaint) & NOTE_ROLES:
            forbid()
        return _detail(request, complaint, bound={"note": form}, status=400)
    try:
        services.complaint_note_add(
            complaint_id=complaint.pk, actor=Actor.staff(request.user), body=form.cleaned_data["body"]
        )
    except DomainError as error:
        return _refused(request, complaint, "note", form, error)
    messages.success(request, _("Catatan internal disimpan."))
    return _back(request, complaint)


@require_POST
@staff_required
def staff_attachment_add(request, pk: int):
    """Evidence from staff: internal, or for the reporter too."""
    complaint = _complaint_or_404(request, pk)
    if not selectors.actor_roles(Actor.staff(request.user), complaint) & NOTE_ROLES:
        forbid()
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, complaint, bound={"attachment": form}, status=400)
    try:
        upload = validate_upload(form.cleaned_data["file"])
        attachment_add(
            complaint=complaint,
            upload=upload,
            uploaded_by=request.user,
            is_internal=form.cleaned_data["is_internal"],
        )
    except DomainError as error:
        error.params["field"] = "file"  # every upload error (type, size, pixels) concerns the file
        return _refused(request, complaint, "attachment", form, error)
    messages.success(request, _("Lampiran ditambahkan."))
    return _back(request, complaint)


@require_POST
@staff_required
def staff_merge(request, pk: int):
    """Merge this complaint (the duplicate) into the original named by its ticket number."""
    complaint = _complaint_or_404(request, pk)
    actor = Actor.staff(request.user)
    if ActorRole.KOORDINATOR not in selectors.actor_roles(actor, complaint):
        forbid()
    form = MergeForm(request.POST)
    original = None
    if form.is_valid():
        original = (
            selectors.complaints_visible_to(request.user)
            .filter(ticket_number=form.cleaned_data["original"], pemda_id=complaint.pemda_id)
            .first()
        )
        if original is None:
            form.add_error("original", _("Nomor tiket tidak ditemukan pada pemda ini."))
    if original is None:
        return _detail(request, complaint, bound={"merge": form}, status=400)
    try:
        services.complaint_merge(
            duplicate_id=complaint.pk, original_id=original.pk, actor=actor, note=form.cleaned_data["note"]
        )
    except DomainError as error:
        return _refused(request, complaint, "merge", form, error)
    messages.success(
        request,
        _("%(dup)s digabungkan ke %(orig)s; dukungannya dipindahkan.")
        % {"dup": complaint.ticket_number, "orig": original.ticket_number},
    )
    return redirect("complaints:staff-detail", pk=original.pk)


@require_POST
@staff_required
def staff_flag(request, pk: int):
    complaint = _complaint_or_404(request, pk)
    actor = Actor.staff(request.user)
    if ActorRole.OMBUDSMAN not in selectors.actor_roles(actor, complaint):
        forbid()
    form = FlagForm(request.POST)
    if not form.is_valid():
        return _detail(request, complaint, bound={"flag": form}, status=400)
    try:
        services.complaint_flag(complaint_id=complaint.pk, actor=actor, note=form.cleaned_data["note"])
    except DomainError as error:
        return _refused(request, complaint, "flag", form, error)
    messages.success(request, _("Aduan ditandai dipantau Ombudsman."))
    return _back(request, complaint)


@require_POST
@staff_required
def staff_unflag(request, pk: int):
    complaint = _complaint_or_404(request, pk)
    actor = Actor.staff(request.user)
    if ActorRole.OMBUDSMAN not in selectors.actor_roles(actor, complaint):
        forbid()
    try:
        services.complaint_unflag(complaint_id=complaint.pk, actor=actor)
    except DomainError as error:
        if isinstance(error, PermissionDenied):
            forbid()
        messages.error(request, str(error))
        return _back(request, complaint)
    messages.success(request, _("Tanda pemantauan dicabut."))
    return _back(request, complaint)
