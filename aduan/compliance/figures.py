"""The figures of one OPD, one Pemda or one province for one period (``Figures``), and the
percentages, medians and percentiles they show. What each figure counts is in ``metrics``; the public
statistics (aduan.portal.public_stats) fill the same class with the few figures they show."""

import math
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from .skm import SkmResult, skm_from_sums

# Scoring metrics offered to a score only when its method uses them (``Figures.scoring_metrics``).
OPTIONAL_METRICS = ("median_handled_days",)

# (key, label, lowest age in days, highest age in days or None)
BACKLOG_BUCKETS = (
    ("0_3", _("0–3 hari"), 0, 3),
    ("4_7", _("4–7 hari"), 4, 7),
    ("8_14", _("8–14 hari"), 8, 14),
    ("15_30", _("15–30 hari"), 15, 30),
    ("31_60", _("31–60 hari"), 31, 60),
    ("60_plus", _("> 60 hari"), 61, None),
)


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def median(values: list[int]) -> Decimal | None:
    return Decimal(str(statistics.median(values))) if values else None


def p90(values: list[int]) -> int | None:
    """90th percentile by nearest rank of a sorted list."""
    if not values:
        return None
    return values[max(0, math.ceil(0.9 * len(values)) - 1)]


def _nth(hist: dict[int, int], rank: int) -> int:
    """The ``rank``-th smallest value (1-based) of a histogram {value: count}."""
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if seen >= rank:
            return value
    raise ValueError("rank beyond the histogram")


def median_of(hist: dict[int, int]) -> Decimal | None:
    """Median of a histogram, as ``median`` gives for the expanded list."""
    n = sum(hist.values())
    if not n:
        return None
    if n % 2:
        return Decimal(_nth(hist, (n + 1) // 2))
    return (Decimal(_nth(hist, n // 2)) + Decimal(_nth(hist, n // 2 + 1))) / 2


def p90_of(hist: dict[int, int]) -> int | None:
    """90th percentile by nearest rank of a histogram, as ``p90`` gives for the expanded list."""
    n = sum(hist.values())
    return _nth(hist, max(1, math.ceil(0.9 * n))) if n else None


@dataclass
class Figures:
    """The metrics of one OPD, one Pemda or one province for one period."""

    level: str = "pemda"  # opd | pemda | province
    submitted: int = 0
    received_by_opd: int = 0
    verified_total: int = 0
    verified_on_time: int = 0
    dispatched: int = 0
    follow_up_total: int = 0
    followed_up: int = 0
    followed_up_on_time: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    promise_total: int = 0  # the OPDs' planned dates that fell due or were met in the period
    promise_kept: int = 0  # of which "selesai ditangani" by the date
    # Durations in working days as histograms {days: clocks}: a few dozen keys per OPD whatever the
    # number of complaints, so they travel from SQL as grouped counts and merge by addition.
    follow_up_hist: Counter = field(default_factory=Counter)
    resolve_hist: Counter = field(default_factory=Counter)
    handled_hist: Counter = field(default_factory=Counter)  # dispatch → selesai ditangani, per hop
    backlog: dict[str, int] = field(default_factory=lambda: {b[0]: 0 for b in BACKLOG_BUCKETS})
    reopened: int = 0
    breaches: dict[str, int] = field(default_factory=dict)
    supporters: int = 0
    rating_sum: int = 0
    rating_count: int = 0
    skm_sums: list[int] = field(default_factory=lambda: [0] * 9)
    skm_count: int = 0
    channels: set[str] = field(default_factory=set)

    def merge(self, other: "Figures") -> None:
        for name in (
            "submitted received_by_opd verified_total verified_on_time dispatched follow_up_total "
            "followed_up followed_up_on_time resolved resolved_on_time reopened supporters rating_sum "
            "rating_count skm_count promise_total promise_kept"
        ).split():
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.follow_up_hist.update(other.follow_up_hist)
        self.resolve_hist.update(other.resolve_hist)
        self.handled_hist.update(other.handled_hist)
        for k, v in other.backlog.items():
            self.backlog[k] = self.backlog.get(k, 0) + v
        for k, v in other.breaches.items():
            self.breaches[k] = self.breaches.get(k, 0) + v
        self.skm_sums = [a + b for a, b in zip(self.skm_sums, other.skm_sums, strict=True)]
        self.channels |= other.channels

    # What the tables show --------------------------------------------------------------------

    @property
    def received(self) -> int:
        return self.received_by_opd if self.level == "opd" else self.submitted

    @property
    def verified_on_time_pct(self) -> Decimal | None:
        return percent(self.verified_on_time, self.verified_total)

    @property
    def followed_up_on_time_pct(self) -> Decimal | None:
        return percent(self.followed_up_on_time, self.follow_up_total)

    @property
    def first_response_on_time_pct(self) -> Decimal | None:
        """First response ≤ 5 HK (%): the follow_up clock is met by the OPD's first update,
        a progress update or the answer."""
        return self.followed_up_on_time_pct

    @property
    def promises_kept_pct(self) -> Decimal | None:
        return percent(self.promise_kept, self.promise_total)

    @property
    def resolved_on_time_pct(self) -> Decimal | None:
        return percent(self.resolved_on_time, self.resolved)

    @property
    def reopen_rate_pct(self) -> Decimal | None:
        return percent(self.reopened, self.resolved)

    @property
    def follow_up_days(self) -> list[int]:
        """Every first-follow-up duration, sorted (the histogram expanded)."""
        return sorted(self.follow_up_hist.elements())

    @property
    def resolve_days(self) -> list[int]:
        return sorted(self.resolve_hist.elements())

    @property
    def median_follow_up_days(self) -> Decimal | None:
        return median_of(self.follow_up_hist)

    @property
    def p90_follow_up_days(self) -> int | None:
        return p90_of(self.follow_up_hist)

    @property
    def handled_days(self) -> list[int]:
        """Working days from dispatch to "selesai ditangani", per hop handled in the period, sorted."""
        return sorted(self.handled_hist.elements())

    @property
    def median_handled_days(self) -> Decimal | None:
        return median_of(self.handled_hist)

    @property
    def median_resolve_days(self) -> Decimal | None:
        return median_of(self.resolve_hist)

    @property
    def p90_resolve_days(self) -> int | None:
        return p90_of(self.resolve_hist)

    @property
    def backlog_total(self) -> int:
        return sum(self.backlog.values())

    @property
    def breaches_total(self) -> int:
        return sum(self.breaches.values())

    @property
    def mean_rating(self) -> Decimal | None:
        if not self.rating_count:
            return None
        return (Decimal(self.rating_sum) / self.rating_count).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def skm_result(self) -> SkmResult | None:
        return skm_from_sums(sums=self.skm_sums, respondents=self.skm_count)

    @property
    def skm(self) -> Decimal | None:
        result = self.skm_result
        return result.value if result else None

    @property
    def channels_count(self) -> int | None:
        return len(self.channels) if self.submitted else None

    def scoring_metrics(self, optional: Iterable[str] = ()) -> dict[str, Decimal | None]:
        """The values the Pengaduan indicators may be scored from (scoring.METRIC_LABELS); the
        ``OPTIONAL_METRICS`` named in ``optional`` too (a score offers them only when its method
        uses them, so the inputs — and hashes — of scores under older methods stay the same)."""
        values = {
            "verified_on_time_pct": self.verified_on_time_pct,
            "followed_up_on_time_pct": self.followed_up_on_time_pct,
            "resolved_on_time_pct": self.resolved_on_time_pct,
            "first_response_on_time_pct": self.first_response_on_time_pct,
            "promises_kept_pct": self.promises_kept_pct,
            "reopen_rate_pct": self.reopen_rate_pct,
            "mean_rating": self.mean_rating,
            "skm": self.skm,
            "channels_count": None if self.channels_count is None else Decimal(self.channels_count),
        }
        for name in optional:
            if name in OPTIONAL_METRICS:
                values[name] = getattr(self, name)
        if self.level == "opd":  # verification and channels belong to the Pemda, not to an OPD
            values.pop("verified_on_time_pct")
            values.pop("channels_count")
        return values
