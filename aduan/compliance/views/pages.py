"""The dashboard pages: the league table of Pemdas, one Pemda, one OPD and the printable report."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from aduan.core.db_router import replica_view
from aduan.core.exceptions import PermissionDenied

from .. import charts, selectors
from ..channels import channel_figures
from ..metrics import BACKLOG_BUCKETS, metrics_cached, trend_cached
from ..periods import Period
from ..scoring import METRIC_LABELS, ScoreInputs, dec, decompose, what_if
from .common import (
    COLUMNS,
    HEAT_MONTHS,
    OPD_COLUMNS,
    OPEN_STATUSES,
    _columns,
    _explain,
    _league,
    _now,
    _period,
    _row,
    _sort_links,
    _sorted,
    _span,
    drill,
    staff_view,
)


@require_safe
@staff_view
@replica_view
def index(request):
    """The league table of every Pemda the user may see."""
    pemdas = list(selectors.pemdas_visible_to(request.user).order_by("name"))
    if not pemdas:
        opd = selectors.opds_visible_to(request.user).first()
        if opd is not None:
            return redirect("compliance:opd", opd.pemda_id, opd.pk)
        raise PermissionDenied()
    period = _period(request, pemdas[0].zoneinfo)
    _m, rows = _league(request, pemdas, period)
    rows, key, descending = _sorted(rows, request, COLUMNS, default="score")
    return render(
        request,
        "compliance/index.html",
        {
            "period": period,
            "rows": rows,
            "columns": _columns(COLUMNS),
            "sort_key": key,
            "descending": descending,
            "sort_links": _sort_links(request, COLUMNS, key, descending),
        },
    )


def _what_if(request, snapshot, result):
    """The what-if panel: a metric (or any indicator) set to another value, scored again."""
    if snapshot is None:
        return None
    definition = snapshot.definition
    metric_indicators = [
        i
        for d in definition["dimensions"]
        for v in d.get("variables") or []
        for i in v.get("indicators") or []
        if i.get("source") == "metric"
    ]
    choices = [(i["metric"], str(METRIC_LABELS[i["metric"]])) for i in metric_indicators]
    inputs = ScoreInputs.from_json(snapshot.inputs)
    metric = request.GET.get("metrik")
    panel = {"choices": choices, "metric": metric, "value": request.GET.get("nilai", "")}
    if metric not in dict(choices):
        # The first-response figure: "followed up" up to the 2025 method, "first response" from 2027.
        offered = dict(choices)
        panel["metric"] = next(
            (m for m in ("followed_up_on_time_pct", "first_response_on_time_pct") if m in offered), None
        )
        return panel
    try:
        value = dec(request.GET.get("nilai", ""))
    except (InvalidOperation, ValueError):
        panel["error"] = _("Isi nilai berupa angka.")
        return panel
    if not Decimal(0) <= value <= Decimal(100):
        panel["error"] = _("Nilai harus antara 0 dan 100.")
        return panel
    estimate = what_if(definition, inputs, metrics={metric: value})
    panel.update(
        before=inputs.metrics.get(metric),
        label=dict(choices)[metric],
        estimate=estimate,
        result=result,
        dimension_before=next(
            (d for d in result.dimensions if any(i.metric == metric for i in d.indicators)), None
        ),
    )
    panel["dimension_after"] = (
        estimate.dimension(panel["dimension_before"].code) if panel["dimension_before"] else None
    )
    return panel


@require_safe
@staff_view
@replica_view
def pemda_dashboard(request, pk: int):
    """Score card, decomposition, what-if, OPD table, trends and the SLA heat map of one Pemda."""
    pemda = selectors.pemda_get_for(user=request.user, pk=pk)
    now = _now()
    this_year = timezone.localtime(now, pemda.zoneinfo).year
    period = _period(request, pemda.zoneinfo)
    try:
        year = int(request.GET.get("tahun", this_year))
    except ValueError:
        year = this_year
    scores = selectors.latest_scores(pemdas=[pemda])
    years = sorted({y for (_p, y) in scores} | {this_year})
    snapshot = scores.get((pemda.pk, year))
    result = _explain(snapshot)
    previous = scores.get((pemda.pk, max((y for y in years if y < year), default=0)))
    decomposition = None
    if snapshot and previous:
        decomposition = decompose(
            before_definition=previous.definition,
            before=_explain(previous),
            after_definition=snapshot.definition,
            after=result,
        )
    m = metrics_cached(pemdas=[pemda], period=period, now=now)
    rows = []
    opd_scores = (snapshot.result.get("opds", {}) if snapshot else {}) if year == period.first.year else {}
    for opd in m.opds:
        perf = (opd_scores.get(str(opd.pk)) or {}).get("performance")
        row = _row(opd.name, m.by_opd[opd.pk], OPD_COLUMNS, {"score": Decimal(perf) if perf else None})
        row.update(
            opd=opd,
            performance=perf,
            url=reverse("compliance:opd", args=[pemda.pk, opd.pk]) + f"?periode={period.key}",
            drill=drill(pemda=pemda.pk, opd=opd.pk, **_span(period)),
            drill_backlog=drill(pemda=pemda.pk, opd=opd.pk, status=OPEN_STATUSES),
            drill_breached=drill(pemda=pemda.pk, opd=opd.pk, breached=1, **_span(period)),
        )
        rows.append(row)
    rows, key, descending = _sorted(rows, request, OPD_COLUMNS)
    last_month = min(period.last, timezone.localtime(now, pemda.zoneinfo).date()).replace(day=1)
    trend = trend_cached(pemda=pemda, last_month=last_month)
    heat, heat_months = [], trend.months[-HEAT_MONTHS:]
    for opd in m.opds:
        cells = trend.heat.get(opd.pk)
        if not cells:
            continue
        heat.append(
            {
                "opd": opd,
                "cells": [
                    (
                        month,
                        cell,
                        *charts.heat_colour(cell.pct),
                        drill(pemda=pemda.pk, opd=opd.pk, **_month_span(month)),
                    )
                    for month, cell in cells.items()
                    if month in heat_months
                ],
            }
        )
    figures = m.by_pemda[pemda.pk]
    context = {
        "channels": channel_figures(pemda=pemda, period=period),
        "pemda": pemda,
        "period": period,
        "year": year,
        "years": years,
        "snapshot": snapshot,
        "result": result,
        "previous": previous,
        "decomposition": decomposition,
        "what_if": _what_if(request, snapshot, result) if result else None,
        "figures": figures,
        "backlog": [(label, figures.backlog[k]) for k, label, *_r in BACKLOG_BUCKETS],
        "rows": rows,
        "columns": _columns(OPD_COLUMNS),
        "sort_key": key,
        "descending": descending,
        "sort_links": _sort_links(request, OPD_COLUMNS, key, descending),
        "trend": trend,
        "received_chart": charts.bar_chart(
            months=trend.months, values=trend.received, title=_("Aduan diterima per bulan")
        ),
        "follow_up_chart": charts.percent_line(
            months=trend.months,
            values={k: v.pct for k, v in trend.follow_up.items()},
            title=_("Tindak lanjut ≤ 5 hari kerja per bulan (%)"),
        ),
        "heat": heat,
        "heat_months": heat_months,
        "drill": {
            "received": drill(pemda=pemda.pk, **_span(period)),
            "backlog": drill(pemda=pemda.pk, status=OPEN_STATUSES),
            "overdue": drill(pemda=pemda.pk, due="overdue"),
            "breached": drill(pemda=pemda.pk, breached=1, **_span(period)),
        },
        "may_enter": selectors.may_enter_assessment(request.user, pemda),
        "may_record": selectors.may_record_evidence(request.user, pemda),
        "may_recompute": selectors.may_recompute(request.user, pemda),
    }
    return render(request, "compliance/pemda.html", context)


def _month_span(month: date) -> dict:
    p = Period.month(month.year, month.month)
    return {"submitted_from": p.first.isoformat(), "submitted_to": p.last.isoformat()}


@require_safe
@staff_view
@replica_view
def opd_detail(request, pk: int, opd_pk: int):
    """One OPD's figures, each linked to the complaints behind it, and its month-by-month SLA."""
    opd = selectors.opd_get_for(user=request.user, pemda_pk=pk, opd_pk=opd_pk)
    pemda = opd.pemda
    now = _now()
    period = _period(request, pemda.zoneinfo)
    m = metrics_cached(pemdas=[pemda], period=period, now=now)
    f = m.by_opd[opd.pk]
    last_month = min(period.last, timezone.localtime(now, pemda.zoneinfo).date()).replace(day=1)
    trend = trend_cached(pemda=pemda, last_month=last_month)
    cells = trend.heat.get(opd.pk, {})
    base = {"pemda": pemda.pk, "opd": opd.pk}
    figures = [
        (_("Diterima (didisposisikan ke OPD)"), f.received, drill(**base, **_span(period))),
        (
            _("Ditindaklanjuti"),
            f.followed_up,
            drill(**base, status=["followed_up", "resolved"], **_span(period)),
        ),
        (_("Tindak lanjut ≤ 5 hari kerja"), _pct(f.followed_up_on_time_pct), drill(**base, **_span(period))),
        (
            _("Median / p90 hari kerja ke tindak lanjut"),
            _pair(f.median_follow_up_days, f.p90_follow_up_days),
            None,
        ),
        (_("Selesai"), f.resolved, drill(**base, status="resolved", **_span(period))),
        (
            _("Selesai tepat target"),
            _pct(f.resolved_on_time_pct),
            drill(**base, status="resolved", **_span(period)),
        ),
        (_("Median / p90 hari kerja ke selesai"), _pair(f.median_resolve_days, f.p90_resolve_days), None),
        (_("Tunggakan (masih terbuka)"), f.backlog_total, drill(**base, status=OPEN_STATUSES)),
        (_("Lewat tenggat sekarang"), None, drill(**base, due="overdue")),
        (
            _("Tenggat terlampaui (dibebankan ke OPD ini)"),
            f.breaches_total,
            drill(**base, breached=1, **_span(period)),
        ),
        (_("Dibuka kembali"), _pct(f.reopen_rate_pct), None),
        (_("Dukungan warga"), f.supporters, None),
        (_("Rata-rata penilaian (1–5)"), f.mean_rating, None),
        (_("SKM"), f.skm, None),
    ]
    return render(
        request,
        "compliance/opd.html",
        {
            "pemda": pemda,
            "opd": opd,
            "period": period,
            "f": f,
            "figures": figures,
            "breaches": sorted(f.breaches.items()),
            "backlog": [(label, f.backlog[k]) for k, label, *_r in BACKLOG_BUCKETS],
            "may_see_pemda": selectors.pemdas_visible_to(request.user).filter(pk=pemda.pk).exists(),
            "chart": charts.percent_line(
                months=trend.months,
                values={mo: c.pct for mo, c in cells.items()},
                title=_("Tindak lanjut ≤ 5 hari kerja per bulan (%)"),
            ),
        },
    )


def _pct(value):
    return None if value is None else f"{value} %"


def _pair(a, b):
    return "—" if a is None else f"{a} / {b}"


@require_safe
@staff_view
@replica_view
def report(request, pk: int, year: int):
    """A printable report of a Pemda's score for a year."""
    pemda = selectors.pemda_get_for(user=request.user, pk=pk)
    scores = selectors.latest_scores(pemdas=[pemda])
    snapshot = scores.get((pemda.pk, year))
    if snapshot is None:
        raise Http404()
    result = _explain(snapshot)
    previous = scores.get((pemda.pk, max((y for (_p, y) in scores if y < year), default=0)))
    decomposition = (
        decompose(
            before_definition=previous.definition,
            before=_explain(previous),
            after_definition=snapshot.definition,
            after=result,
        )
        if previous
        else None
    )
    return render(
        request,
        "compliance/report.html",
        {
            "pemda": pemda,
            "snapshot": snapshot,
            "result": result,
            "decomposition": decomposition,
            "year": year,
        },
    )
