"""What the staff pages need to draw a map (the template is complaints/_map.html, the script
static/aduan/map.js): the location card of the complaint page and the OPD's map of open complaints.
Without JavaScript both show the pins on a plain grid, the coordinates as text and a link to
openstreetmap.org; with it, Leaflet (vendored) draws the same on the tiles of ADUAN_MAP_TILE_URL,
or on the grid when no tile server is set."""

from django.urls import reverse

from aduan.complaints.geo import osm_url
from aduan.complaints.mapping import LATENESS_LABELS, LATENESS_RANK, MapPoint
from aduan.core.maps import CENTRE_PIN, grid_pins, map_settings
from aduan.workspace.forms import RelocateForm


def location_context(complaint, *, can_move: bool, form: RelocateForm | None = None) -> dict:
    """The location card: pin, coordinates, area, and the koordinator's correction form."""
    located = complaint.latitude is not None
    if can_move and form is None:
        form = RelocateForm(
            complaint=complaint,
            initial={
                "latitude": complaint.latitude,
                "longitude": complaint.longitude,
                "kelurahan": complaint.kelurahan_id or "",
            },
        )
    return {
        "map": map_settings(complaint.pemda),
        "located": located,
        "pins": [CENTRE_PIN] if located else [],
        "osm_url": osm_url(complaint.latitude, complaint.longitude) if located else "",
        "form": form if can_move else None,
    }


def map_page_context(points: list[MapPoint]) -> dict:
    """The map of open complaints: pins clustered on the grid (no JavaScript), the points for
    map.js, the legend with counts per lateness."""
    counts = {level: 0 for level in LATENESS_RANK}
    for point in points:
        counts[point.lateness] += 1
    return {
        "map": map_settings(),
        "points": points,
        "points_json": [p.as_json(reverse("complaints:staff-detail", args=[p.pk])) for p in points],
        "pins": grid_pins([(p.latitude, p.longitude, p.lateness) for p in points], ranks=LATENESS_RANK),
        "legend": [(level, LATENESS_LABELS[level], counts[level]) for level in LATENESS_RANK],
    }
