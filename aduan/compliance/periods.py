"""Periods: spans of local calendar days (a year, month, quarter or custom range) that the compliance
metrics and the public statistics are computed for, each in the Pemda's own time zone.

``Period.read`` turns the text of a ``periode`` / ``period`` parameter into a Period or raises
``PeriodInvalid`` with a translated message; ``Period.parse`` is the same, answering None instead.
Every date must lie in the years ``MIN_YEAR``–``MAX_YEAR``: beyond them the instants of a span do not
fit a ``datetime`` in every zone (0001-01-01 at +07:00 is before year 1 in UTC, 9999-12-31 ends in
year 10000), and no complaint was ever filed there.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_SPAN_DAYS = 3660  # a custom range of at most ten years

_PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{2})|-[Qq]([1-4]))?$")
_MONTH_KEY_RE = re.compile(r"^\d{4}-\d{2}$")
_CUSTOM_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")

UNKNOWN = _("Periode tidak dikenal. Gunakan 2026, 2026-11, 2026-Q2 atau 2026-01-01..2026-03-15.")
OUT_OF_RANGE = _("Periode harus berada di antara tahun %(min)s dan %(max)s.")
REVERSED = _("Tanggal awal periode harus sebelum atau sama dengan tanggal akhirnya.")
TOO_LONG = _("Rentang periode paling panjang %(days)s hari.")


class PeriodInvalid(ValueError):
    """The text is not a period we can compute; ``message`` says why, in the active language."""

    def __init__(self, template, **params):
        super().__init__(template)
        self.template, self.params = template, params

    @property
    def message(self) -> str:
        return str(self.template) % self.params if self.params else str(self.template)


def _in_range(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodInvalid(OUT_OF_RANGE, min=MIN_YEAR, max=MAX_YEAR)


@dataclass(frozen=True)
class Period:
    """A span of local calendar days ``[first, last]`` (a month, quarter, year or custom range);
    its instants are computed in each Pemda's zone by ``bounds``."""

    first: date
    last: date
    key: str

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31), f"{year}")

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        return cls(date(year, month, 1), nxt - timedelta(days=1), f"{year}-{month:02d}")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        first = date(year, 3 * quarter - 2, 1)
        last = Period.month(year, 3 * quarter).last
        return cls(first, last, f"{year}-Q{quarter}")

    @classmethod
    def this_year(cls, now: datetime, zone: ZoneInfo) -> "Period":
        """The local calendar year of ``now`` in ``zone``."""
        return cls.year(now.astimezone(zone).year)

    @classmethod
    def this_month(cls, now: datetime, zone: ZoneInfo) -> "Period":
        """The local calendar month of ``now`` in ``zone``."""
        local = now.astimezone(zone)
        return cls.month(local.year, local.month)

    @classmethod
    def read(cls, text: str | None) -> "Period":
        """``2026``, ``2026-11``, ``2026-Q2`` or ``2026-01-01..2026-03-15``, in the years
        ``MIN_YEAR``–``MAX_YEAR``; anything else raises ``PeriodInvalid``."""
        text = (text or "").strip()
        if m := _CUSTOM_RE.match(text):
            for part in m.groups():
                _in_range(int(part[:4]))
            try:
                first, last = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
            except ValueError:
                raise PeriodInvalid(UNKNOWN) from None
            if first > last:
                raise PeriodInvalid(REVERSED)
            if (last - first).days > MAX_SPAN_DAYS:
                raise PeriodInvalid(TOO_LONG, days=MAX_SPAN_DAYS)
            return cls(first, last, text)
        if m := _PERIOD_RE.match(text):
            year = int(m.group(1))
            _in_range(year)
            if m.group(2):
                month = int(m.group(2))
                if not 1 <= month <= 12:
                    raise PeriodInvalid(UNKNOWN)
                return cls.month(year, month)
            if m.group(3):
                return cls.quarter(year, int(m.group(3)))
            return cls.year(year)
        raise PeriodInvalid(UNKNOWN)

    @classmethod
    def parse(cls, text: str | None) -> "Period | None":
        """``read``, answering None for text that is not a period."""
        try:
            return cls.read(text)
        except PeriodInvalid:
            return None

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The half-open instants ``[start, end)`` of the period in ``zone``."""
        start = datetime(self.first.year, self.first.month, self.first.day, tzinfo=zone)
        nxt = self.last + timedelta(days=1)
        return start, datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone)

    @property
    def label(self) -> str:
        return self.key.replace("..", " s.d. ")

    @property
    def is_year(self) -> bool:
        return self.key.isdigit()

    @property
    def month_number(self) -> int | None:
        """The month (1–12) when the period is one calendar month, else None."""
        return self.first.month if _MONTH_KEY_RE.match(self.key) else None
