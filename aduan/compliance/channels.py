"""Figures per intake channel (web, API, loket, telephone, letter, WhatsApp, SP4N-LAPOR!, ...) of
one Pemda and period, for the dashboard: how many complaints each channel brought and how many of
their clocks ran on time. One query on the rollups whatever the size; the same definitions as
``metrics``:

- received: complaints submitted in the period (``submitted_at`` is the moment a complaint was
  really received, also for those recorded later at staff intake);
- verified ≤ 3 HK: verification clocks met or breached in the period; on time = met, never breached;
- followed up ≤ 5 HK: follow-up clocks met or breached in the period; on time = met, never breached.
"""

from dataclasses import dataclass
from decimal import Decimal

from aduan.complaints.models import Channel
from aduan.sla.rollups import GAP_METRIC

from .figures import percent
from .metrics import rollup_rows
from .periods import Period

_METRICS = ["sub", *(f"{p}_{k}" for p in ("verification", "ch_fu") for k in ("met", "ok", "br", "both"))]


@dataclass
class ChannelFigures:
    channel: str
    received: int = 0
    verified_total: int = 0
    verified_on_time: int = 0
    follow_up_total: int = 0
    followed_up_on_time: int = 0

    @property
    def label(self) -> str:
        return Channel(self.channel).label

    @property
    def verified_on_time_pct(self) -> Decimal | None:
        return percent(self.verified_on_time, self.verified_total)

    @property
    def followed_up_on_time_pct(self) -> Decimal | None:
        return percent(self.followed_up_on_time, self.follow_up_total)


def channel_figures(*, pemda, period: Period) -> list[ChannelFigures]:
    """One row per channel that brought a complaint or stopped a clock in ``period``, busiest
    first, from the rollups (aduan.sla.rollups)."""
    rows: dict[str, ChannelFigures] = {}

    def row(channel: str) -> ChannelFigures:
        return rows.setdefault(channel, ChannelFigures(channel))

    for _pemda_id, _opd_id, metric, channel, _value, n in rollup_rows(
        pemda_ids=[pemda.pk], first=period.first, last=period.last, metrics=_METRICS
    ):
        if not n:
            continue
        figures = row(channel)
        if metric == "sub":
            figures.received += n
            continue
        total, good = (
            ("verified_total", "verified_on_time")
            if metric.startswith("verification")
            else ("follow_up_total", "followed_up_on_time")
        )
        kind = GAP_METRIC.get(metric, metric).rpartition("_")[2]
        if kind == "ok":
            setattr(figures, good, getattr(figures, good) + n)
        else:
            setattr(figures, total, getattr(figures, total) + (-n if kind == "both" else n))
    return sorted(rows.values(), key=lambda r: (-r.received, r.channel))
