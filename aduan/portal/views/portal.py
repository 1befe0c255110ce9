"""Public pages: the home page, the public list of complaints and the statistics.

Nothing here shows personal data: the public list reads ``selectors.complaints_public()`` (no
rahasia complaints), loads only the columns it shows (never the chronology, never the reporter) and
the figures are aggregates (``public_stats``). Every page runs a fixed number of queries.
"""

import functools
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from aduan.agencies.models import Opd, Pemda
from aduan.complaints import selectors
from aduan.complaints.models import Category, Status
from aduan.complaints.public_page import with_public_page
from aduan.compliance.periods import Period
from aduan.core.db_router import replica_view
from aduan.portal import public_stats

PUBLIC_PAGE_SIZE = 25
PUBLIC_MAX_AGE = 60  # seconds a shared cache may keep a public page
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def public_cache(view):
    """Let shared caches keep the page for a minute (``Cache-Control: public, max-age=60``), keyed
    by language (``Vary: Accept-Language, Cookie``) — unless the page carries a one-off message for
    this visitor (django.contrib.messages, shown by base.html): then it is private and not stored."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if len(messages.get_messages(request)):
            patch_cache_control(response, private=True, no_store=True)
        else:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    return wrapped


def _now():
    """The current time (a seam for tests)."""
    return timezone.now()


def _only_pemda() -> Pemda | None:
    """The Pemda this installation serves when it serves exactly one, else None (one query)."""
    pemdas = list(Pemda.objects.order_by("name")[:2])
    return pemdas[0] if len(pemdas) == 1 else None


def _zone(pemda: Pemda | None) -> ZoneInfo:
    return pemda.zoneinfo if pemda is not None else ZoneInfo(settings.TIME_ZONE)


@require_safe
@public_cache
@replica_view
def home(request):
    """What Aduan is for this Pemda, the way in (file, track) and this month's public figures."""
    pemda = _only_pemda()
    zone = _zone(pemda)
    period = Period.this_month(_now(), zone)
    figures = public_stats.pemda_figures(pemdas=[pemda] if pemda else None, period=period)
    context = {"pemda": pemda, "period": period, "period_start": period.first, "figures": figures}
    with timezone.override(zone):
        return render(request, "complaints/home.html", context)


# --- Public list ----------------------------------------------------------------------------------


def _category_labels(categories) -> dict[int, str]:
    """ "Parent › Child" labels for every category, from one list (no query per category)."""
    by_id = {c.pk: c for c in categories}

    def label(c, depth=0):
        parent = by_id.get(c.parent_id)
        if parent is None or depth > 10:
            return c.name
        return f"{label(parent, depth + 1)} › {c.name}"

    return {pk: label(c) for pk, c in by_id.items()}


def _descendants(categories, root_id: int) -> set[int]:
    children: dict = {}
    for c in categories:
        children.setdefault(c.parent_id, []).append(c.pk)
    found, todo = set(), [root_id]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return found


def _int_choice(value: str, allowed) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number in allowed else None


def _month(value: str) -> Period | None:
    match = _MONTH_RE.match((value or "").strip())
    return Period.parse(value) if match else None


@require_safe
@public_cache
def public_list(request):
    """Complaints that are not rahasia nor hidden by the koordinator, newest first, 25 a page;
    filters by OPD, category, status and month (GET; values that do not fit are ignored). Each
    verified complaint links to its public page (``public_detail``). Shows the ticket number, title, category,
    OPD, status, date and supporters — never the reporter nor the chronology (anonim or not)."""
    # One query for the Pemdas: the only one, or several to filter by (then its OPDs and
    # categories once one is chosen).
    pemdas = list(Pemda.objects.order_by("name"))
    chosen = {"pemda": "", "opd": None, "kategori": None, "status": "", "bulan": ""}
    if len(pemdas) == 1:
        pemda, pemdas = pemdas[0], []
    else:
        code = (request.GET.get("pemda") or "").strip().upper()
        pemda = next((p for p in pemdas if p.code == code), None) if code else None
        chosen["pemda"] = pemda.code if pemda else ""
    zone = _zone(pemda)
    opds = (
        list(Opd.objects.filter(pemda=pemda).only("pk", "name", "name_en", "pemda_id").order_by("name"))
        if pemda
        else []
    )
    categories = list(
        Category.objects.filter(is_active=True)
        .filter(Q(pemda__isnull=True) | Q(pemda=pemda) if pemda else Q(pemda__isnull=True))
        .only("pk", "name", "parent_id")
        .order_by("name")
    )
    labels = _category_labels(categories)

    queryset = with_public_page(selectors.complaints_public(pemda=pemda))
    if (opd_id := _int_choice(request.GET.get("opd"), {o.pk for o in opds})) is not None:
        queryset = queryset.filter(current_opd_id=opd_id)
        chosen["opd"] = opd_id
    if (category_id := _int_choice(request.GET.get("kategori"), labels)) is not None:
        queryset = queryset.filter(category_id__in=_descendants(categories, category_id))
        chosen["kategori"] = category_id
    if (status := request.GET.get("status", "")) in Status.values:
        queryset = queryset.filter(status=status)
        chosen["status"] = status
    if month := _month(request.GET.get("bulan", "")):
        start, end = month.bounds(zone)
        queryset = queryset.filter(submitted_at__gte=start, submitted_at__lt=end)
        chosen["bulan"] = month.key

    queryset = (
        queryset.select_related("current_opd", "pemda")
        .only(
            "pk",
            "ticket_number",
            "title",
            "public_title",
            "category_id",
            "status",
            "submitted_at",
            "supporters_count",
            "current_opd__name",
            "current_opd__name_en",
            "current_opd__short_name",
            "pemda__timezone",
        )
        .order_by("-submitted_at", "-pk")
    )
    page = Paginator(queryset, PUBLIC_PAGE_SIZE).get_page(request.GET.get("halaman"))
    rows = [
        {
            "ticket_number": c.ticket_number,
            "title": c.public_title or c.title,
            "has_page": c.has_public_page,
            "category": labels.get(c.category_id, ""),
            "opd": c.current_opd.display_name if c.current_opd else "",
            "status": c.status,
            "status_label": c.get_status_display(),
            "submitted_on": timezone.localtime(c.submitted_at, c.pemda.zoneinfo).date(),
            "supporters": c.supporters_count,
        }
        for c in page.object_list
    ]
    context = {
        "pemda": pemda,
        "pemdas": pemdas,
        "page": page,
        "rows": rows,
        "opds": opds,
        "categories": sorted(labels.items(), key=lambda item: item[1].casefold()),
        "statuses": Status.choices,
        "chosen": chosen,
        "filtered": any(chosen.values()),
    }
    return render(request, "complaints/public_list.html", context)


# --- Statistics -----------------------------------------------------------------------------------


PEMDA_CODE = re.compile(r"^[A-Za-z0-9]{2,10}$")  # the ticket prefix (agencies.Pemda.code)


def _year_or_month(value: str | None) -> Period | None:
    """``2026`` or ``2026-11`` (the statistics page offers no quarters nor ranges); None otherwise."""
    period = Period.parse(value)
    return period if period is not None and (period.is_year or period.month_number) else None


@require_safe
@public_cache
@replica_view
def statistics(request):
    """Per-OPD figures for a year or a month (``?periode=2026`` or ``2026-11``; default this year)
    and the Pemda totals. An installation serving several Pemdas shows one row per Pemda first,
    each leading to its OPDs (``?pemda=<code>``); an unknown code says so and shows every Pemda."""
    pemda = _only_pemda()
    several = pemda is None
    code = (request.GET.get("pemda") or "").strip()
    unknown_code = ""
    if several and code:
        pemda = Pemda.objects.filter(code=code.upper()).first() if PEMDA_CODE.match(code) else None
        unknown_code = "" if pemda else code[:20]
    period = _year_or_month(request.GET.get("periode")) or Period.this_year(_now(), _zone(pemda))
    if pemda is None:
        table = public_stats.pemda_table(period=period)
    else:
        table = public_stats.opd_table(pemdas=[pemda], period=period)
    context = {
        "pemda": pemda,
        "period": period,
        "period_start": period.first,
        "table": table,
        "per_pemda": pemda is None,
        "several": several,
        "unknown_code": unknown_code,
    }
    return render(request, "complaints/statistics.html", context)
