"""Shared pieces of the staff pages: who the signed-in user is (their roles and start page), the
navigation, list rows with their countdowns, and how a refused action is answered.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth.decorators import login_required
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import DateTimeField, Exists, JSONField, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.agencies.selectors import staff_roles
from aduan.complaints.filters import StaffComplaintFilter, sorted_by
from aduan.complaints.models import Category, ComplaintFlag
from aduan.core.query_shapes import ShapesBySize
from aduan.sla.calendar import working_days_left
from aduan.sla.display import due_text
from aduan.sla.models import Deadline
from aduan.sla.services import calendar_for

staff_required = login_required(login_url="complaints:staff-login")
PAGE_SIZE = 50


def start_page(user) -> str:
    """Where a user lands after signing in: their role's own page (the first role wins)."""
    me = staff_roles(user)
    if me.is_koordinator:
        return reverse("complaints:staff-triage")
    if me.is_petugas:
        return reverse("complaints:staff-inbox")
    if me.is_kepala:
        return reverse("complaints:staff-kepala")
    if me.is_ombudsman:
        return reverse("complaints:staff-ombudsman")
    if me.is_loket:
        return reverse("complaints:staff-intake")
    if user.is_superuser or user.is_staff:
        return reverse("admin:index")
    return reverse("complaints:staff-list")


def staff_nav(user) -> list[tuple[str, str, str]]:
    """(url name, url, label) of the staff pages this user has."""
    me = staff_roles(user)
    items = []
    if me.is_koordinator:
        items.append(("staff-triage", _("Antrean triase")))
    if me.is_petugas:
        items.append(("staff-inbox", _("Kotak masuk OPD")))
    if me.is_kepala:
        items.append(("staff-kepala", _("Ringkasan kepala OPD")))
    if me.is_ombudsman:
        items.append(("staff-ombudsman", _("Pemantauan Ombudsman")))
        items.append(("staff-ombudsman-reports", _("Laporan ke Ombudsman")))
    if me.is_koordinator:
        items.append(("staff-ombudsman-pemda", _("Klarifikasi Ombudsman")))
    if me.intake_pemda_ids:
        items.append(("staff-intake", _("Catat aduan")))
    if me.is_loket and not (me.is_koordinator or me.opd_ids or me.is_ombudsman):
        return [(name, reverse(f"complaints:{name}"), label) for name, label in items]  # intake only
    items.append(("staff-list", _("Semua aduan")))
    if me.is_koordinator or me.opd_ids:
        items.append(("staff-map", _("Peta aduan")))
    if me.opd_ids:
        items.append(("staff-canned", _("Jawaban siap pakai")))
    nav = [(name, reverse(f"complaints:{name}"), label) for name, label in items]
    if me.is_koordinator or me.is_ombudsman or me.opd_ids:
        nav.append(("compliance", reverse("compliance:index"), _("Kepatuhan")))
    if me.is_koordinator:
        nav.append(("erasure", reverse("privacy:staff-erasure-list"), _("Penghapusan data")))
        nav.append(("staff-inbound-mail", reverse("complaints:staff-inbound-mail"), _("Surel tak terbaca")))
    return nav


def staff_render(request, template: str, context: dict, *, status: int = 200, zone=None):
    context = {**context, "staff_nav": staff_nav(request.user), "staff_me": staff_roles(request.user)}
    with timezone.override(zone or _first_zone(context)):
        return render(request, template, context, status=status)


def _first_zone(context):
    pemda = context.get("pemda_for_zone")
    return pemda.zoneinfo if pemda is not None else timezone.get_current_timezone()


def forbid():
    raise DjangoPermissionDenied


class Countdown:
    """A deadline as staff see it: working days left (negative when late) and a colour class."""

    def __init__(self, deadline: Deadline, now, cal):
        self.deadline = deadline
        self.due_label = due_text(deadline.due_at, cal)
        self.is_open = deadline.is_open
        self.paused = deadline.paused_at is not None
        self.breached = deadline.breached_at is not None or (self.is_open and deadline.due_at <= now)
        self.days_left = (
            working_days_left(now, deadline.due_at, cal) if self.is_open and not self.paused else None
        )
        self.days_late = -self.days_left if self.days_left is not None and self.days_left < 0 else 0
        if not self.is_open:
            self.css = "late" if self.breached else "ok"
        elif self.paused:
            self.css = "paused"
        elif self.days_late or self.breached:
            self.css = "late"
        elif self.days_left is not None and self.days_left <= 1:
            self.css = "soon"
        else:
            self.css = "ok"


def calendars_for(complaints, now) -> dict:
    cache = {}
    for c in complaints:
        if c.pemda_id not in cache:
            cache[c.pemda_id] = calendar_for(c.pemda, around=now)
    return cache


# The columns a list row reads (the table, its countdown and forecast, the kepala's lists): not the
# chronology, the tracking secret or the assignee's password hash of 50 rows. A field read that is
# not here costs a query per row, which the query-count tests of the queue pages would show.
ROW_FIELDS = (
    *("ticket_number", "title", "status", "channel", "submitted_at", "supporters_count"),
    *("is_anonymous", "is_confidential", "category", "pemda__name", "pemda__timezone"),
    *("current_opd__name", "target_opd__name", "assigned_to__full_name", "assigned_to__email"),
)

# The open clocks come with their row, as JSON (not a second query for the page's clocks); rows_of
# makes them ListClocks holding these fields.
CLOCK_FIELDS = tuple(
    f.attname
    for f in Deadline._meta.concrete_fields
    if f.name in {"id", "complaint", "stage", "opd", "started_at", "due_at", "met_at", "cancelled_at"}
    or f.name in {"breached_at", "paused_at", "paused_working_days"}
)
_CLOCK_TIMES = frozenset(
    f.attname for f in Deadline._meta.concrete_fields if isinstance(f, DateTimeField)
) & frozenset(CLOCK_FIELDS)


def list_queryset(queryset, *, stage: str | None = None):
    """What every list row needs in one query: Pemda, OPDs, assignee, the open clocks (optionally
    only one stage's, read by ``rows_of``) and the open Ombudsman flag; ``rows_of`` adds the
    categories."""
    clocks = Deadline.objects.open().filter(complaint=OuterRef("pk"))
    if stage:
        clocks = clocks.filter(stage=stage)
    clocks = clocks.order_by("due_at", "pk").values(json=JSONObject(**{name: name for name in CLOCK_FIELDS}))
    flag = ComplaintFlag.objects.filter(complaint=OuterRef("pk"), cleared_at__isnull=True)
    postgres = connections[queryset.db].vendor == "postgresql"
    return (
        queryset.select_related("pemda", "current_opd", "assigned_to", "target_opd")
        .only(*ROW_FIELDS)
        .annotate(
            is_flagged=Exists(flag),
            open_clocks=ArraySubquery(clocks) if postgres else JSONListSubquery(clocks),
        )
    )


class JSONListSubquery(Subquery):
    """The rows of a one-column subquery of JSON objects as one JSON list: what ``ArraySubquery``
    gives on PostgreSQL, for SQLite (the quick start's database), whose ``json_group_array`` does it."""

    template = "(SELECT json_group_array(json(_rows.json)) FROM (%(subquery)s) _rows)"
    output_field = JSONField()


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite's text is UTC, naive


class ListClock:
    """An open clock as the list rows read it (countdown, forecast, stage label): the columns of
    ``CLOCK_FIELDS`` and its complaint, not a Deadline instance. A page of 50 complaints holds about
    150 open clocks; a model instance each (``Model.from_db``, its init signals) cost the inbox
    about 1 ms. A column not read with the row is an AttributeError, never a query per row."""

    __slots__ = (*CLOCK_FIELDS, "complaint")
    _meta = Deadline._meta  # the stage's choices (staff_tags.choice_label)
    is_open = Deadline.is_open

    def __init__(self, data: dict, complaint):
        for name in CLOCK_FIELDS:
            value = data[name]
            setattr(self, name, _moment(value) if value and name in _CLOCK_TIMES else value)
        self.complaint = complaint

    @property
    def pk(self):
        return self.id


def with_clocks(objects) -> None:
    """``open_deadlines``: the open clocks of each complaint of ``list_queryset``, soonest due first."""
    for c in objects:
        clocks = [ListClock(data, c) for data in c.open_clocks]
        # PostgreSQL's ARRAY() keeps the subquery's order; SQLite's json_group_array promises none
        c.open_deadlines = clocks if len(clocks) < 2 else sorted(clocks, key=lambda d: (d.due_at, d.pk))


@dataclass
class Row:
    complaint: object
    countdown: Countdown | None
    risk: object = None  # aduan.compliance.forecast.Risk where the page shows the forecast


def _categories(ids):
    return Category.objects.select_related("parent", "default_opd").filter(pk__in=ids)


# compiled once per process and number of categories on the page (aduan.core.query_shapes)
_CATEGORIES = ShapesBySize(_categories)


def with_categories(objects) -> None:
    """Put each complaint's category in, with its parent (in its name) and default OPD (the
    triage's suggestion): one query for the page when any complaint has a category, none when
    none has, and one instance per category however many rows share it."""
    ids = sorted({c.category_id for c in objects if c.category_id})
    found = {category.pk: category for category in _CATEGORIES(ids)} if ids else {}
    for c in objects:
        c.category = found.get(c.category_id)


def rows_of(page_objects, now, calendars: dict | None = None) -> list[Row]:
    with_categories(page_objects)
    with_clocks(page_objects)
    calendars = calendars if calendars is not None else calendars_for(page_objects, now)
    rows = []
    for c in page_objects:
        nearest = c.open_deadlines[0] if c.open_deadlines else None
        rows.append(Row(c, Countdown(nearest, now, calendars[c.pemda_id]) if nearest else None))
    return rows


# An unfiltered queue page (the OPD inbox as it opens) has the same SQL for every officer of the same
# number of OPDs, but for their ids: its page query is a QueryShape per (queue, sort, stage, page)
# and number of ids (the first SHAPED_PAGES pages; aduan.core.query_shapes), not compiled each time.
SHAPED_PAGES = 10
_shaped_pages: dict = {}


@dataclass(frozen=True)
class ShapedScope:
    """A queue's rows as a function of the user's ids (already checked against their roles, sorted):
    ``rows(ids)`` must be the queue's base queryset for them."""

    name: str
    ids: tuple
    rows: object


def _shaped_page(scope: ShapedScope, *, sort: str, stage: str | None, number: int) -> ShapesBySize:
    key = (scope.name, sort, stage, number)
    shapes = _shaped_pages.get(key)
    if shapes is None:
        offset = (number - 1) * PAGE_SIZE

        def build(ids):
            ordered = sorted_by(scope.rows(ids), sort)
            chosen = ordered.filter(pk__in=ordered[offset : offset + PAGE_SIZE].values("pk"))
            return list_queryset(chosen, stage=stage)

        shapes = _shaped_pages[key] = ShapesBySize(build)
    return shapes


def filtered_page(
    request,
    base_queryset,
    *,
    default_sort: str = "oldest",
    stage: str | None = None,
    annotate=None,
    shaped: ShapedScope | None = None,
):
    """Apply the shared StaffComplaintFilter to an already scoped queryset and paginate it;
    ``annotate(rows, now, calendars)`` may add to the rows (the breach forecast, staff_risk).
    ``shaped``: the same scope as ids, for the compiled-once page query when nothing is filtered.
    Returns (filterset, page, rows, querystring without the page)."""
    data = request.GET.copy()
    if not data.get("sort"):
        data["sort"] = default_sort
    filterset = StaffComplaintFilter(data, queryset=base_queryset, request=request)
    queryset = filterset.qs if filterset.is_valid() else base_queryset.none()
    if not data.get("sort") or not filterset.is_valid():
        queryset = queryset.order_by("submitted_at", "pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    if shaped is not None and set(request.GET) <= {"page"} and page.number <= SHAPED_PAGES:
        shapes = _shaped_page(shaped, sort=default_sort, stage=stage, number=page.number)
        page.object_list = shapes(list(shaped.ids))
    else:
        # The page's rows are chosen first (ordered and limited on the complaints alone) and only
        # those get their Pemda, OPDs, assignee and clocks: joined before the limit, PostgreSQL
        # hashed every OPD and user of the country to sort an OPD's few hundred complaints (5.6 ms
        # at `national`).
        page.object_list = list_queryset(queryset.filter(pk__in=page.object_list.values("pk")), stage=stage)
    now = timezone.now()
    calendars = calendars_for(page.object_list, now)
    rows = rows_of(page.object_list, now, calendars)
    if annotate is not None:
        annotate(rows, now, calendars)
    params = request.GET.copy()
    params.pop("page", None)
    return filterset, page, rows, params.urlencode()
