"""Open complaints on a map, coloured by how late they are.

``map_points(queryset, now)`` reads an already scoped queryset (``selectors.complaints_on_map``)
in one query and gives each complaint with a pin its lateness from the SLA clocks:

- ``overdue``: a running clock is past its due time;
- ``due_soon``: the earliest running clock is due within ``filters.DUE_SOON_WORKING_DAYS``
  working days (the same horizon as the lists' "Segera jatuh tempo");
- ``on_time``: otherwise (also when no clock runs).
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from aduan.agencies.models import Pemda
from aduan.sla.calendar import add_working_days
from aduan.sla.services import calendar_for

from .filters import DUE_SOON_WORKING_DAYS, with_next_due

ON_TIME, DUE_SOON, OVERDUE = "on_time", "due_soon", "overdue"
LATENESS_LABELS = {
    ON_TIME: _("Masih dalam tenggat"),
    DUE_SOON: _("Segera jatuh tempo"),
    OVERDUE: _("Lewat tenggat"),
}
LATENESS_RANK = {ON_TIME: 1, DUE_SOON: 2, OVERDUE: 3}


@dataclass(frozen=True)
class MapPoint:
    pk: int
    ticket_number: str
    title: str
    status_label: str
    latitude: float
    longitude: float
    kelurahan: str
    kecamatan: str
    lateness: str
    next_due_at: datetime | None

    @property
    def lateness_label(self) -> str:
        return str(LATENESS_LABELS[self.lateness])

    def as_json(self, url: str) -> dict:
        """What map.js draws (strings are put in the page with json_script and set as text)."""
        return {
            "lat": self.latitude,
            "lon": self.longitude,
            "level": self.lateness,
            "ticket": self.ticket_number,
            "title": self.title,
            "lateness": self.lateness_label,
            "url": url,
        }


def _horizons(pemda_ids, now: datetime) -> dict[int, datetime]:
    return {
        pemda.pk: add_working_days(now, DUE_SOON_WORKING_DAYS, calendar_for(pemda, around=now))
        for pemda in Pemda.objects.filter(pk__in=pemda_ids)
    }


def lateness_of(next_due_at: datetime | None, now: datetime, horizon: datetime) -> str:
    if next_due_at is None or next_due_at > horizon:
        return ON_TIME
    return OVERDUE if next_due_at <= now else DUE_SOON


def map_points(queryset, now: datetime) -> list[MapPoint]:
    """The complaints of ``queryset`` that have a pin, oldest due first (one query, plus one for
    the Pemdas' calendars)."""
    rows = list(
        with_next_due(queryset.filter(latitude__isnull=False))
        .select_related("kelurahan__kecamatan")
        .only(
            "pk",
            "pemda_id",
            "ticket_number",
            "title",
            "status",
            "latitude",
            "longitude",
            "kelurahan__name",
            "kelurahan__kecamatan__name",
        )
        .order_by("submitted_at", "pk")
    )
    horizons = _horizons({row.pemda_id for row in rows}, now)
    points = [
        MapPoint(
            pk=row.pk,
            ticket_number=row.ticket_number,
            title=row.title,
            status_label=row.get_status_display(),
            latitude=float(row.latitude),
            longitude=float(row.longitude),
            kelurahan=row.kelurahan.name if row.kelurahan_id else "",
            kecamatan=row.kelurahan.kecamatan.name if row.kelurahan_id else "",
            lateness=lateness_of(row.next_due_at, now, horizons[row.pemda_id]),
            next_due_at=row.next_due_at,
        )
        for row in rows
    ]
    return sorted(points, key=lambda p: (-LATENESS_RANK[p.lateness], p.next_due_at or now, p.pk))
