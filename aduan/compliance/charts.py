# ruff: noqa: E501 (SVG markup reads better on one line)
"""Server-side SVG charts (no JavaScript, no CDN): bars, a percentage line and the SLA heat map.
Each returns safe markup with a viewBox, so it scales to the width of a phone."""

from datetime import date
from decimal import Decimal
from html import escape

from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def _month(d: date) -> str:
    return date_format(d, "M y")


def bar_chart(*, months: list[date], values: dict[date, int], title: str) -> SafeString:
    w, h, left, bottom, top = 420, 200, 30, 30, 18
    top_value = max([*values.values(), 1])
    step = (w - left - 24) / max(len(months), 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{h - bottom}" x2="{w}" y2="{h - bottom}" stroke="#8a96a3"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" class="axis">{top_value}</text>',
        f'<text x="{left - 4}" y="{h - bottom}" text-anchor="end" class="axis">0</text>',
    ]
    for i, m in enumerate(months):
        v = values.get(m, 0)
        bh = (h - bottom - top) * v / top_value
        x = left + i * step + step * 0.15
        parts.append(
            f'<rect x="{x:.1f}" y="{h - bottom - bh:.1f}" width="{step * 0.7:.1f}" height="{bh:.1f}" fill="#0b4f8a">'
            f"<title>{escape(_month(m))}: {v}</title></rect>"
        )
        if v:
            parts.append(
                f'<text x="{x + step * 0.35:.1f}" y="{h - bottom - bh - 3:.1f}" text-anchor="middle" class="val">{v}</text>'
            )
        if (len(months) - 1 - i) % 2 == 0:  # every other month, ending with the last
            parts.append(
                f'<text x="{x + step * 0.35:.1f}" y="{h - 8}" text-anchor="middle" class="axis">{escape(_month(m))}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text is escaped above)


def percent_line(
    *, months: list[date], values: dict[date, Decimal | None], title: str, target: int = 90
) -> SafeString:
    w, h, left, bottom, top = 420, 200, 50, 30, 12
    step = (w - left - 24) / max(len(months), 1)

    def y(p) -> float:
        return h - bottom - (h - bottom - top) * float(p) / 100

    parts = [
        f'<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
    ]
    for p in (0, 50, 100):
        parts.append(f'<line x1="{left}" y1="{y(p):.1f}" x2="{w}" y2="{y(p):.1f}" stroke="#d5dbe1"/>')
        parts.append(f'<text x="{left - 4}" y="{y(p) + 4:.1f}" text-anchor="end" class="axis">{p}%</text>')
    parts.append(
        f'<line x1="{left}" y1="{y(target):.1f}" x2="{w}" y2="{y(target):.1f}" stroke="#1d7a36" stroke-dasharray="6 4"/>'
        f'<text x="{w - 4}" y="{y(target) - 4:.1f}" text-anchor="end" class="axis">{escape(_("target"))} {target}%</text>'
    )
    points = []
    for i, m in enumerate(months):
        x = left + i * step + step / 2
        if (len(months) - 1 - i) % 2 == 0:  # every other month, ending with the last
            parts.append(
                f'<text x="{x:.1f}" y="{h - 8}" text-anchor="middle" class="axis">{escape(_month(m))}</text>'
            )
        v = values.get(m)
        if v is None:
            continue
        points.append(f"{x:.1f},{y(v):.1f}")
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y(v):.1f}" r="4" fill="#0b4f8a"><title>{escape(_month(m))}: {number_format(v, 1)}%</title></circle>'
        )
    if len(points) > 1:
        parts.insert(
            1, f'<polyline points="{" ".join(points)}" fill="none" stroke="#0b4f8a" stroke-width="2.5"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308


def heat_colour(pct: Decimal | None) -> tuple[str, str]:
    """Background and text colour of a heat-map cell (AA contrast)."""
    if pct is None:
        return "#eef1f4", "#4a5560"
    if pct >= 90:
        return "#1d7a36", "#ffffff"
    if pct >= 75:
        return "#7fbf7f", "#10301a"
    if pct >= 50:
        return "#ffd966", "#3d2c00"
    return "#b3261e", "#ffffff"
