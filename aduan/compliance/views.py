"""The compliance dashboard for Ombudsman staff and the koordinator (kepala OPD: their own OPD).

Every view asks ``selectors`` for the Pemda or OPD it shows; exports go through the same tables as
the pages. Figures are aggregates: no reporter identity is ever read here. Drill-down links point at
the staff complaint list (``complaints:staff-list``) with its filter parameters.
"""

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from aduan.core.exceptions import DomainError, PermissionDenied
from aduan.core.spreadsheet import safe_cell

from . import charts, selectors
from .forms import AssessmentForm, EvidenceForm
from .metrics import BACKLOG_BUCKETS, metrics_cached, trend_cached
from .models import ComplianceScore, EvidenceItem
from .periods import Period, PeriodInvalid
from .scoring import METRIC_LABELS, ScoreInputs, dec, decompose, what_if
from .services import (
    assessment_entry_record,
    current_entries,
    evidence_record,
    methodology_for_year,
    score_publish,
)
from .tasks import recompute

LOGIN_URL = "complaints:staff-login"
HEAT_MONTHS = 6  # the heat map shows the last six months (the charts twelve): readable on a phone
OPEN_STATUSES = ("submitted", "on_hold", "dispatched", "followed_up")


def staff_view(view):
    """Signed-in users only; domain PermissionDenied becomes 403; a ``periode`` that is not a period
    answers 400 with the period form and the reason."""

    @login_required(login_url=LOGIN_URL)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            raise DjangoPermissionDenied() from None
        except PeriodInvalid as error:
            context = {"period_error": error.message, "period_text": request.GET.get("periode", "")}
            return render(request, "compliance/period_invalid.html", context, status=400)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# --- Helpers ----------------------------------------------------------------------------------


def _now():
    return timezone.now()


def _period(request, zone) -> Period:
    """The ``periode`` asked for (``PeriodInvalid`` if it is not one), else the current local year."""
    text = request.GET.get("periode", "").strip()
    return Period.read(text) if text else Period.year(timezone.localtime(_now(), zone).year)


def drill(**params) -> str:
    """The staff complaint list filtered by ``params`` (lists repeat the parameter)."""
    query = []
    for key, value in params.items():
        if value in (None, "", []):
            continue
        for v in value if isinstance(value, list | tuple) else [value]:
            query.append((key, str(v)))
    return f"{reverse('complaints:staff-list')}?{urlencode(query)}"


def _span(period: Period) -> dict:
    return {"submitted_from": period.first.isoformat(), "submitted_to": period.last.isoformat()}


COLUMNS = [
    # (key, label, attribute on Figures, number format)
    ("received", "Diterima", "received"),
    ("verified", "Verifikasi ≤ 3 HK (%)", "verified_on_time_pct"),
    ("dispatched", "Didisposisikan", "dispatched"),
    ("followed_up", "Ditindaklanjuti", "followed_up"),
    ("follow_up_pct", "Tindak lanjut ≤ 5 HK (%)", "followed_up_on_time_pct"),
    ("resolved", "Selesai", "resolved"),
    ("resolved_pct", "Selesai tepat target (%)", "resolved_on_time_pct"),
    ("median_fu", "Median HK ke tindak lanjut", "median_follow_up_days"),
    ("p90_fu", "p90 HK ke tindak lanjut", "p90_follow_up_days"),
    ("median_res", "Median HK ke selesai", "median_resolve_days"),
    ("p90_res", "p90 HK ke selesai", "p90_resolve_days"),
    ("backlog", "Tunggakan", "backlog_total"),
    ("reopen", "Dibuka kembali (%)", "reopen_rate_pct"),
    ("breaches", "Tenggat terlampaui", "breaches_total"),
    ("supporters", "Dukungan warga", "supporters"),
    ("rating", "Rata-rata penilaian", "mean_rating"),
    ("skm", "SKM", "skm"),
]
OPD_COLUMNS = [c for c in COLUMNS if c[0] not in ("verified", "dispatched")]


def _columns(columns):
    return [(key, _(label), attr) for key, label, attr in columns]


def _sorted(rows: list[dict], request, columns, default="follow_up_pct"):
    keys = {c[0] for c in columns} | {"name", "score"}
    key = request.GET.get("urut") if request.GET.get("urut") in keys else default
    descending = request.GET.get("arah", "desc") != "asc"

    present = [r for r in rows if r["sort"].get(key) is not None]
    absent = [r for r in rows if r["sort"].get(key) is None]
    present.sort(key=lambda r: r["sort"][key], reverse=descending)
    return present + absent, key, descending


def _sort_links(request, columns, current, descending) -> dict:
    links = {}
    for key in [c[0] for c in columns] + ["name", "score"]:
        params = request.GET.copy()
        params["urut"] = key
        params["arah"] = "asc" if (key == current and descending) else "desc"
        links[key] = "?" + params.urlencode()
    return links


def _row(name, figures, columns, extra=None) -> dict:
    values = {key: getattr(figures, attr) for key, _label, attr in columns}
    return {
        "name": name,
        "figures": figures,
        "values": values,
        "sort": {**values, "name": name, **(extra or {})},
    }


# --- League table of Pemdas ------------------------------------------------------------------


def _league(request, pemdas, period):
    m = metrics_cached(pemdas=pemdas, period=period, now=_now())
    scores = selectors.latest_scores(pemdas=pemdas)
    rows = []
    for p in pemdas:
        latest = max(
            (s for (pid, _y), s in scores.items() if pid == p.pk), key=lambda s: s.year, default=None
        )
        row = _row(p.name, m.by_pemda[p.pk], COLUMNS, {"score": latest.total if latest else None})
        row.update(
            pemda=p, score=latest, url=reverse("compliance:pemda", args=[p.pk]) + f"?periode={period.key}"
        )
        row["drill"] = drill(pemda=p.pk, **_span(period))
        rows.append(row)
    return m, rows


@require_safe
@staff_view
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


# --- One Pemda ---------------------------------------------------------------------------------


def _snapshot_for(pemda, year) -> ComplianceScore | None:
    return selectors.latest_scores(pemdas=[pemda], year=year).get((pemda.pk, year))


def _explain(snapshot):
    from .services import score_reproduce  # noqa: PLC0415

    return score_reproduce(snapshot) if snapshot else None


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
        default = "followed_up_on_time_pct" if "followed_up_on_time_pct" in dict(choices) else None
        panel["metric"] = default
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


# --- Exports ----------------------------------------------------------------------------------


def _cell(value):
    """Numbers stay numbers; text is neutralised where a spreadsheet would run it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    return safe_cell(value)


def _table_export(name: str, header: list[str], body: list[list], fmt: str) -> HttpResponse:
    filename = f"{name}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([safe_cell(h) for h in header])
        for row in body:
            writer.writerow([_cell(v) for v in row])
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook  # noqa: PLC0415

        wb = Workbook()
        ws = wb.active
        ws.title = name[:31]
        ws.append([safe_cell(h) for h in header])
        for row in body:
            ws.append([float(v) if isinstance(v, Decimal) else _cell(v) for v in row])
        out = io.BytesIO()
        wb.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@staff_view
def export_league(request, fmt: str):
    pemdas = list(selectors.pemdas_visible_to(request.user).order_by("name"))
    if not pemdas:
        raise PermissionDenied()
    period = _period(request, pemdas[0].zoneinfo)
    _m, rows = _league(request, pemdas, period)
    rows, _k, _d = _sorted(rows, request, COLUMNS, default="score")
    header = [_("Pemda"), _("Nilai kepatuhan terakhir"), _("Tahun nilai")] + [c[1] for c in _columns(COLUMNS)]
    body = [
        [r["name"], r["score"].total if r["score"] else None, r["score"].year if r["score"] else None]
        + [r["values"][c[0]] for c in COLUMNS]
        for r in rows
    ]
    return _table_export(f"kepatuhan-pemda-{period.key}", header, body, fmt)


@require_safe
@staff_view
def export_pemda(request, pk: int, table: str, fmt: str):
    pemda = selectors.pemda_get_for(user=request.user, pk=pk)
    now = _now()
    period = _period(request, pemda.zoneinfo)
    if table == "opd":
        m = metrics_cached(pemdas=[pemda], period=period, now=now)
        header = (
            [_("OPD")] + [c[1] for c in _columns(OPD_COLUMNS)] + [label for _k, label, *_r in BACKLOG_BUCKETS]
        )
        body = [
            [o.name]
            + [getattr(m.by_opd[o.pk], attr) for _k, _l, attr in OPD_COLUMNS]
            + [m.by_opd[o.pk].backlog[k] for k, *_r in BACKLOG_BUCKETS]
            for o in m.opds
        ]
        return _table_export(f"{pemda.code}-opd-{period.key}", header, body, fmt)
    if table == "heatmap":
        last_month = min(period.last, timezone.localtime(now, pemda.zoneinfo).date()).replace(day=1)
        trend = trend_cached(pemda=pemda, last_month=last_month)
        names = {o.pk: o.name for o in pemda.opds.all()}
        header = [_("OPD")] + [mo.strftime("%Y-%m") for mo in trend.months]
        body = [
            [names.get(opd_id, "—")] + [cells[mo].pct for mo in trend.months]
            for opd_id, cells in trend.heat.items()
        ]
        body.insert(0, [_("Seluruh pemda")] + [trend.follow_up[mo].pct for mo in trend.months])
        return _table_export(f"{pemda.code}-tl5hk-per-bulan", header, body, fmt)
    if table == "nilai":
        snapshots = (
            ComplianceScore.objects.filter(pemda=pemda)
            .select_related("methodology")
            .order_by("year", "computed_at")
        )
        header = [
            _("Tahun"),
            _("Nilai"),
            _("Kategori"),
            _("Zona"),
            _("Opini"),
            _("Metodologi"),
            _("Dihitung"),
            _("Resmi"),
        ]
        body = [
            [
                s.year,
                s.total,
                s.category,
                s.zone,
                s.opinion,
                s.methodology.code,
                s.computed_at.isoformat(),
                bool(s.published_at),
            ]
            for s in snapshots
        ]
        return _table_export(f"{pemda.code}-nilai-kepatuhan", header, body, fmt)
    if table == "indikator":
        try:
            year = int(request.GET.get("tahun") or timezone.localtime(now, pemda.zoneinfo).year)
        except ValueError:
            raise Http404() from None
        result = _explain(_snapshot_for(pemda, year))
        if result is None:
            raise Http404()
        header = [
            _("Dimensi"),
            _("Bobot"),
            _("Nilai dimensi"),
            _("Variabel"),
            _("Indikator"),
            _("Sumber"),
            _("Skor 0–3"),
            _("Keterangan"),
        ]
        body = [
            [
                d.name,
                d.weight,
                d.score_display,
                i.variable,
                i.name,
                i.source,
                i.score,
                i.detail or i.metric_value,
            ]
            for d in result.dimensions
            for i in d.indicators
        ]
        return _table_export(f"{pemda.code}-indikator-{year}", header, body, fmt)
    raise Http404()


@require_safe
@staff_view
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
