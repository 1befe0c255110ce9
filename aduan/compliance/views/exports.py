"""CSV and XLSX exports of the dashboard's tables (the same rows as the pages)."""

import csv
import io
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from aduan.core.exceptions import PermissionDenied
from aduan.core.spreadsheet import safe_cell

from .. import selectors
from ..metrics import BACKLOG_BUCKETS, metrics_cached, trend_cached
from ..models import ComplianceScore
from .common import (
    COLUMNS,
    OPD_COLUMNS,
    _columns,
    _explain,
    _league,
    _now,
    _period,
    _snapshot_for,
    _sorted,
    staff_view,
)

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
        from openpyxl import Workbook

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
