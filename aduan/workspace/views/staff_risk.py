"""The breach forecast on the staff pages (aduan.compliance.forecast): the risk column and sort of
the OPD inbox and the kepala's "likely to breach this week" list. Every figure is an estimate
and the pages say so.

The forecast is computed in Python, so the risk sort orders the whole filtered list of the OPD
(its open complaints, at most ``RISK_SORT_LIMIT``) and paginates after; the other sorts forecast
only the page shown. Either way the cost is the histograms on top of the list: 2 queries (the
OPDs', the categories'), then none for FORECAST_HISTORY_SECONDS.
"""

import time
from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from aduan.complaints.filters import StaffComplaintFilter
from aduan.complaints.models import HELD_BY_OPD_STATUSES
from aduan.compliance.forecast import (
    FORECAST_STAGES,
    LIKELY,
    Histograms,
    Risk,
    forecasts_for,
    histograms_for,
)
from aduan.sla.calendar import working_days_left
from aduan.sla.models import Deadline

from .staff_common import PAGE_SIZE, calendars_for, filtered_page, list_queryset, rows_of

RISK_SORT = "risk"
RISK_SORT_LIMIT = 1000
LIKELY_SHOWN = 10
LIKELY_WORKING_DAYS = 5
LIKELY_SCAN_LIMIT = 500


# The histograms are the trailing year up to yesterday: they change with the day, and otherwise
# only when rollups are rebuilt or a late event lands on an earlier day. Each process keeps them
# per Pemdas and day for FORECAST_HISTORY_SECONDS, so the inbox reads them once in that time
# instead of on every page (the forecast's reads were the page's most expensive).
FORECAST_HISTORY_SECONDS = 600
_histograms: dict = {}


def forecast_cache_clear() -> None:
    _histograms.clear()


def histograms_kept(pemda_ids, *, today) -> Histograms:
    key = (frozenset(pemda_ids), today)
    clock = time.monotonic()
    hit = _histograms.get(key)
    if hit is None or clock >= hit[1]:
        if len(_histograms) >= 256:
            _histograms.clear()
        hit = _histograms[key] = (histograms_for(pemda_ids, today=today), clock + FORECAST_HISTORY_SECONDS)
    return hit[0]


def forecasts(complaints, *, now, calendars) -> dict[int, Risk]:
    """``aduan.compliance.forecast.forecasts_for`` with the histograms kept (``histograms_kept``)."""
    return forecasts_for(complaints, now=now, calendars=calendars, histograms=histograms_kept)


def attach_risks(rows, now, calendars) -> None:
    risks = forecasts([r.complaint for r in rows], now=now, calendars=calendars)
    for row in rows:
        row.risk = risks.get(row.complaint.pk)


def _risk_key(row):
    return (-(row.risk.probability if row.risk else -1.0), row.complaint.submitted_at, row.complaint.pk)


def risk_page(request, base, *, default_sort: str, now, shaped=None):
    """``filtered_page`` with the forecast on every row and the extra sort ``?sort=risk``
    (highest estimated risk first). Returns (filterset, page, rows, querystring)."""
    if request.GET.get("sort") != RISK_SORT:
        filterset, page, rows, query = filtered_page(
            request, base, default_sort=default_sort, annotate=attach_risks, shaped=shaped
        )
    else:
        data = request.GET.copy()
        data["sort"] = "due"
        filterset = StaffComplaintFilter(data, queryset=base, request=request)
        queryset = filterset.qs if filterset.is_valid() else base.none()
        objects = list(list_queryset(queryset)[:RISK_SORT_LIMIT])
        calendars = calendars_for(objects, now)
        all_rows = rows_of(objects, now, calendars)
        attach_risks(all_rows, now, calendars)
        all_rows.sort(key=_risk_key)
        page = Paginator(all_rows, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        data["sort"] = RISK_SORT  # the form shows the sort asked for (the filter ran with "due")
        params = request.GET.copy()
        params.pop("page", None)
        query = params.urlencode()
    field = filterset.form.fields["sort"]
    field.choices = [*field.choices, (RISK_SORT, _("Risiko terlambat tertinggi (perkiraan)"))]
    return filterset, page, rows, query


def likely_breaches(base, now) -> list:
    """The kepala's "likely to breach this week": complaints whose forecast clock is due within
    ``LIKELY_WORKING_DAYS`` working days, not yet late, with an estimated risk ≥ ``LIKELY``;
    highest first, ``LIKELY_SHOWN`` at most."""
    soon = Deadline.objects.open().filter(
        complaint=OuterRef("pk"),
        stage__in=FORECAST_STAGES,
        due_at__gt=now,
        due_at__lte=now + timedelta(days=21),  # a bound; working days are checked below
    )
    objects = list(
        list_queryset(base.filter(status__in=HELD_BY_OPD_STATUSES).filter(Exists(soon))).order_by(
            "submitted_at", "pk"
        )[:LIKELY_SCAN_LIMIT]
    )
    calendars = calendars_for(objects, now)
    rows = rows_of(objects, now, calendars)
    attach_risks(rows, now, calendars)
    chosen = [
        r
        for r in rows
        if r.risk is not None
        and LIKELY <= r.risk.probability < 1.0
        and r.risk.due_at > now
        and working_days_left(now, r.risk.due_at, calendars[r.complaint.pemda_id]) <= LIKELY_WORKING_DAYS
    ]
    chosen.sort(key=_risk_key)
    return chosen[:LIKELY_SHOWN]
