"""Figures per intake channel (web, API, loket, telephone, letter, WhatsApp, SP4N-LAPOR!, ...) of
one Pemda and period, for the dashboard: how many complaints each channel brought and how many of
their clocks ran on time. Two queries whatever the size; the same definitions as ``metrics``:

- received: complaints submitted in the period (``submitted_at`` is the moment a complaint was
  really received, also for those recorded later at staff intake);
- verified ≤ 3 HK: verification clocks met or breached in the period; on time = met, never breached;
- followed up ≤ 5 HK: follow-up clocks met or breached in the period; on time = met, never breached.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from aduan.complaints.models import Channel, Complaint
from aduan.sla.models import Deadline, Stage

from .figures import percent
from .periods import Period


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
    """One row per channel that brought a complaint or stopped a clock in ``period``, busiest first."""
    start, end = period.bounds(pemda.zoneinfo)
    rows: dict[str, ChannelFigures] = {}

    def row(channel: str) -> ChannelFigures:
        return rows.setdefault(channel, ChannelFigures(channel))

    for channel, n in (
        Complaint.objects.filter(pemda=pemda, submitted_at__gte=start, submitted_at__lt=end)
        .values("channel")
        .annotate(n=Count("pk"))
        .values_list("channel", "n")
    ):
        row(channel).received += n

    met = Q(met_at__gte=start, met_at__lt=end)
    stopped = met | Q(breached_at__gte=start, breached_at__lt=end)
    on_time = met & Q(breached_at__isnull=True)
    for channel, stage, total, good in (
        Deadline.objects.filter(
            stopped, complaint__pemda=pemda, stage__in=[Stage.VERIFICATION, Stage.FOLLOW_UP]
        )
        .values("complaint__channel", "stage")
        .annotate(total=Count("pk"), good=Count("pk", filter=on_time))
        .values_list("complaint__channel", "stage", "total", "good")
    ):
        figures = row(channel)
        if stage == Stage.VERIFICATION:
            figures.verified_total += total
            figures.verified_on_time += good
        else:
            figures.follow_up_total += total
            figures.followed_up_on_time += good
    return sorted(rows.values(), key=lambda r: (-r.received, r.channel))
