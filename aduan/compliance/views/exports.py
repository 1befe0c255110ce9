"""CSV and XLSX exports of the dashboard's tables (the same rows as the pages)."""

import csv
import io
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from aduan.core.db_router import replica_view
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


def _table_export(name: str, header: list[str], body: list[list], fmt: str, *, summary=()) -> HttpResponse:
    """The table as CSV or XLSX. The XLSX also carries ``summary`` (label, value) rows above the
    table, readable column widths and number formats (two decimals for scores and percentages)."""
    filename = f"{name}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([safe_cell(h) for h in header])
        for row in body:
            writer.writerow([_cell(v) for v in row])
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            _xlsx(name, header, body, summary),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx(name: str, header: list[str], body: list[list], summary) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = name[:31]
    bold = Font(bold=True)
    for label, value in summary:
        ws.append([safe_cell(label), float(value) if isinstance(value, Decimal) else _cell(value)])
        ws.cell(ws.max_row, 1).font = bold
        if isinstance(value, Decimal):
            ws.cell(ws.max_row, 2).number_format = "0.00"
    if summary:
        ws.append([])
    ws.append([safe_cell(h) for h in header])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = bold
    widths = [len(str(h)) for h in header]
    for row in body:
        ws.append([float(v) if isinstance(v, Decimal) else _cell(v) for v in row])
        for col, value in enumerate(row, start=1):
            if isinstance(value, Decimal | float):
                ws.cell(ws.max_row, col).number_format = "0.00"
            widths[col - 1] = max(widths[col - 1], len(str(_cell(value))))
    ws.freeze_panes = f"A{header_row + 1}"
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@require_safe
@staff_view
@replica_view
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
@replica_view
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
                s.methodology.name,
                f"{timezone.localtime(s.computed_at, pemda.zoneinfo):%Y-%m-%d %H:%M %Z}",
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
                i.source_label,
                i.score,
                i.detail or i.metric_value,
            ]
            for d in result.dimensions
            for i in d.indicators
        ]
        summary = [
            (_("Pemda"), pemda.name),
            (_("Tahun"), year),
            (_("Nilai kepatuhan"), result.total),
            (_("Kategori"), result.category),
            (_("Zona"), result.zone_name),
            (_("Opini"), result.opinion),
        ]
        return _table_export(f"{pemda.code}-indikator-{year}", header, body, fmt, summary=summary)
    raise Http404()
