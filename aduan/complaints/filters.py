"""Filters and sorting of staff complaint lists, shared by the staff pages and the API.

``StaffComplaintFilter(data, queryset=selectors.complaints_visible_to(user), request=request)``:
the queryset must already be scoped by the selectors; the filters only narrow it. GET names:
status (repeatable), category, pemda, opd (the OPD holding it), kecamatan and kelurahan (the
area, ids of the Pemda's list), due=soon|overdue,
assigned=me|none, breached=1, flagged=1, submitted_from / submitted_to (dates in the Pemda's
zone), q (search: ticket number, words, reporter contact for the koordinator) and sort.
"""

import time as clocks
from datetime import date, datetime, time, timedelta

import django_filters
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.agencies.models import Kecamatan, Kelurahan, Opd, Pemda
from aduan.agencies.selectors import staff_roles
from aduan.core.form_render import PythonRenderedForm
from aduan.sla.models import Deadline

from . import selectors
from .models import Category, Channel, Complaint, ComplaintFlag, Status

DUE_SOON_WORKING_DAYS = 2

SORTS = {
    "oldest": ("submitted_at", "pk"),
    "newest": ("-submitted_at", "-pk"),
    "due": ("next_due_at", "submitted_at", "pk"),
    "status": ("status", "submitted_at", "pk"),
    "supporters": ("-supporters_count", "submitted_at", "pk"),
}
SORT_CHOICES = [
    ("oldest", _("Terlama dulu")),
    ("newest", _("Terbaru dulu")),
    ("due", _("Tenggat terdekat")),
    ("status", _("Status")),
    ("supporters", _("Dukungan terbanyak")),
]


def with_next_due(queryset):
    """Annotate ``next_due_at``: the earliest due time of the complaint's running clocks (paused
    clocks excluded; empty when none run). A subquery per row, not a join with GROUP BY: planning
    a GROUP BY over the list's joins cost PostgreSQL more than running the whole list, and the
    paginator's count leaves an unused subquery out."""
    return queryset.annotate(next_due_at=Subquery(_running().order_by("due_at").values("due_at")[:1]))


def _running(**extra):
    return Deadline.objects.filter(
        complaint=OuterRef("pk"),
        met_at__isnull=True,
        cancelled_at__isnull=True,
        paused_at__isnull=True,
        **extra,
    )


def _scope_key(request):
    """What the filter lists depend on: the user's roles (None: no staff user)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    roles = staff_roles(user)
    return (roles.koordinator_pemda_ids, roles.opd_pemda_ids, roles.ombudsman_province_ids)


def _scope_pemda_ids(request) -> set[int] | None:
    """Pemdas whose OPDs and categories the user's filter lists offer (read once per request)."""
    cached = getattr(request, "_filter_pemda_ids", None)
    if cached is not None:
        return cached
    key = _scope_key(request)
    if key is None:
        return set()
    koordinator_pemda_ids, opd_pemda_ids, ombudsman_province_ids = key
    ids: set[int] = set(koordinator_pemda_ids) | set(opd_pemda_ids)
    if ombudsman_province_ids:
        ids.update(Pemda.objects.filter(province_id__in=ombudsman_province_ids).values_list("pk", flat=True))
    request._filter_pemda_ids = ids
    return ids


def _pemda_choices(request):
    return Pemda.objects.filter(pk__in=_scope_pemda_ids(request)).order_by("name")


def _opd_choices(request):
    return Opd.objects.filter(pemda_id__in=_scope_pemda_ids(request)).order_by("name")


def _kecamatan_choices(request):
    return Kecamatan.objects.filter(pemda_id__in=_scope_pemda_ids(request)).order_by("name", "pk")


def _kelurahan_choices(request):
    return (
        Kelurahan.objects.filter(kecamatan__pemda_id__in=_scope_pemda_ids(request))
        .select_related("kecamatan")
        .order_by("kecamatan__name", "name", "pk")
    )


def _category_choices(request):
    ids = _scope_pemda_ids(request)
    return Category.objects.filter(Q(pemda__isnull=True) | Q(pemda_id__in=ids)).order_by("name")


def _zone_of(request):
    user = getattr(request, "user", None)
    pemda_id = next(iter(selectors.koordinator_pemda_ids(user)), None) if user else None
    pemda = Pemda.objects.filter(pk=pemda_id).first() if pemda_id else None
    return pemda.zoneinfo if pemda else timezone.get_current_timezone()


# The filter form's class holds the querysets of the user's lists (Pemdas, OPDs, areas, categories),
# unevaluated but with the Pemdas of an Ombudsman's provinces read: each process keeps one class per
# role scope for FORM_CLASS_SECONDS (a saved or deleted Pemda, OPD, area or category clears them:
# aduan/workspace/apps.py, with the staff pages' lists).
FORM_CLASS_SECONDS = 60
_form_classes: dict = {}


def filter_forms_clear(**_signal_kwargs) -> None:
    _form_classes.clear()


class StaffComplaintFilter(django_filters.FilterSet):
    # a column of the complaint: no row can come twice, so no DISTINCT (which made PostgreSQL
    # compute every row's annotations before counting or paginating)
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("Status"), distinct=False)
    # Choices are what the user's roles reach (a petugas is not offered every OPD of the country).
    category = django_filters.ModelChoiceFilter(queryset=_category_choices, label=_("Kategori"))
    pemda = django_filters.ModelChoiceFilter(queryset=_pemda_choices, label=_("Pemda"))
    opd = django_filters.ModelChoiceFilter(
        field_name="current_opd", queryset=_opd_choices, label=_("OPD penanggung jawab")
    )
    # The area (the Pemda's own list): a kecamatan takes in all its kelurahan.
    kecamatan = django_filters.ModelChoiceFilter(
        field_name="kelurahan__kecamatan", queryset=_kecamatan_choices, label=_("Kecamatan")
    )
    kelurahan = django_filters.ModelChoiceFilter(queryset=_kelurahan_choices, label=_("Kelurahan"))
    due = django_filters.ChoiceFilter(
        choices=[("soon", _("Segera jatuh tempo")), ("overdue", _("Lewat tenggat"))],
        method="filter_due",
        label=_("Tenggat"),
    )
    assigned = django_filters.ChoiceFilter(
        choices=[("me", _("Ditugaskan ke saya")), ("none", _("Belum ditugaskan"))],
        method="filter_assigned",
        label=_("Penugasan"),
    )
    breached = django_filters.BooleanFilter(method="filter_breached", label=_("Pernah lewat tenggat"))
    flagged = django_filters.BooleanFilter(method="filter_flagged", label=_("Dipantau Ombudsman"))
    submitted_from = django_filters.DateFilter(method="filter_from", label=_("Diajukan sejak"))
    submitted_to = django_filters.DateFilter(method="filter_to", label=_("Diajukan sampai"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Kanal"))
    q = django_filters.CharFilter(method="filter_q", label=_("Cari"), max_length=200)
    sort = django_filters.ChoiceFilter(choices=SORT_CHOICES, method="filter_sort", label=_("Urutkan"))

    class Meta:
        model = Complaint
        fields: list[str] = []
        form = PythonRenderedForm  # the staff lists' filter panel, without a template per option

    def get_form_class(self):
        """The form class, built once per role scope and kept FORM_CLASS_SECONDS: building it
        makes every filter's field and list queryset (each form still gets its own copies)."""
        key = _scope_key(self.request)
        clock = clocks.monotonic()
        hit = _form_classes.get(key)
        if hit is None or clock >= hit[1]:
            if len(_form_classes) >= 256:
                _form_classes.clear()
            hit = _form_classes[key] = (super().get_form_class(), clock + FORM_CLASS_SECONDS)
        return hit[0]

    def filter_due(self, queryset, name, value):
        now = timezone.now()
        if value == "overdue":
            return queryset.filter(Exists(_running(due_at__lte=now)))
        from aduan.sla.calendar import add_working_days
        from aduan.sla.services import calendar_for

        pemda = Pemda.objects.filter(pk__in=queryset.values("pemda_id")[:1]).first()
        horizon = (
            add_working_days(now, DUE_SOON_WORKING_DAYS, calendar_for(pemda, around=now))
            if pemda
            else now + timedelta(days=DUE_SOON_WORKING_DAYS)
        )
        return queryset.filter(Exists(_running(due_at__gt=now, due_at__lte=horizon)))

    def filter_assigned(self, queryset, name, value):
        if value == "me":
            user = getattr(self.request, "user", None)
            return queryset.filter(assigned_to_id=getattr(user, "pk", None))
        return queryset.filter(assigned_to__isnull=True)

    def filter_breached(self, queryset, name, value):
        breached = Exists(Deadline.objects.filter(complaint=OuterRef("pk"), breached_at__isnull=False))
        return queryset.filter(breached) if value else queryset.exclude(breached)

    def filter_flagged(self, queryset, name, value):
        flagged = Exists(ComplaintFlag.objects.filter(complaint=OuterRef("pk"), cleared_at__isnull=True))
        return queryset.filter(flagged) if value else queryset.exclude(flagged)

    def filter_from(self, queryset, name, value):
        if value <= date.min + timedelta(days=1):  # no bound; in UTC it would fall before year 1 (a 500)
            return queryset
        zone = _zone_of(self.request)
        return queryset.filter(submitted_at__gte=datetime.combine(value, time.min, tzinfo=zone))

    def filter_to(self, queryset, name, value):
        if value >= date.max - timedelta(days=1):  # no bound; the day after would overflow (a 500)
            return queryset
        zone = _zone_of(self.request)
        end = datetime.combine(value + timedelta(days=1), time.min, tzinfo=zone)
        return queryset.filter(submitted_at__lt=end)

    def filter_q(self, queryset, name, value):
        return selectors.complaint_search(queryset, value, user=getattr(self.request, "user", None))

    def filter_sort(self, queryset, name, value):
        return sorted_by(queryset, value)


def sorted_by(queryset, value: str):
    """The list in the order ``sort=value`` asks for (the queue's default when none is asked)."""
    order = SORTS.get(value)
    if value == "due":
        queryset = with_next_due(queryset)
    return queryset.order_by(*order) if order else queryset
