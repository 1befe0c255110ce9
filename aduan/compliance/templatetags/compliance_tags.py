from django import template
from django.utils.safestring import mark_safe

from aduan.core.form_render import _var

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def pct_width(value):
    """A 0–100 value as a CSS width."""
    try:
        return f"{max(0.0, min(100.0, float(value))):.1f}%"
    except (TypeError, ValueError):
        return "0%"


# --- The dashboard's tables drawn without a template per cell --------------------------------------
# A Pemda's dashboard shows 17 columns per OPD and six months of heat cells per OPD; drawn by the
# template engine, those cells cost about as much as the page's queries. The functions below write
# the same bytes as the reference templates compliance/_opd_rows.html and _heat_rows.html
# (tests/compliance/test_dashboard_rows.py compares them).

_LINKED = {"received": "drill", "backlog": "drill_backlog", "breaches": "drill_breached"}


def _or_dash(value) -> str:
    """``{{ value|default_if_none:"—" }}``."""
    return "—" if value is None else _var(value)


def render_opd_rows(rows, columns) -> str:
    """compliance/_opd_rows.html for ``rows`` (views.pages.pemda_dashboard's) and ``columns``."""
    out = []
    for row in rows:
        values = row["values"] or {}
        cells = []
        for key, _label, _attr in columns:
            v = values.get(key)
            link = _LINKED.get(key)
            if link:
                cells.append(f'<td class="num"><a href="{_var(row[link])}">{_var(v)}</a></td>')
            else:
                cells.append(f'<td class="num">{_or_dash(v)}</td>')
        name = f'<a href="{_var(row["url"])}">{_var(row["opd"])}</a>'
        out.append(
            f'\n    <tr data-opd="{_var(row["opd"].pk)}">\n      <th scope="row">{name}</th>'
            f'\n      <td class="num">{_or_dash(row["performance"])}</td>\n      '
            + "".join(cells)
            + "\n    </tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped where it is put in


@register.simple_tag
def opd_rows(rows, columns):
    return render_opd_rows(rows, columns)


def render_heat_rows(heat) -> str:
    """compliance/_heat_rows.html for ``heat`` (lines of month cells per OPD)."""
    out = []
    for line in heat:
        cells = []
        for _month, cell, bg, fg, href in line["cells"]:
            if cell.total:
                title = f"{_var(cell.on_time)}/{_var(cell.total)}"
                inner = f'<a href="{_var(href)}" title="{title}">{_var(cell.pct)}%</a>'
            else:
                inner = "·"
            cells.append(f'<td class="cell" style="background:{_var(bg)};color:{_var(fg)}">{inner}</td>')
        out.append(f'<tr><th scope="row">{_var(line["opd"])}</th>\n    ' + "".join(cells) + "\n  </tr>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped where it is put in


@register.simple_tag
def heat_rows(heat):
    return render_heat_rows(heat)
