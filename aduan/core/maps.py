"""Maps without a domain: the tile server's settings and the Content-Security-Policy of a page
that shows one (Leaflet is vendored under static/aduan/vendor/leaflet/, the page script is
static/aduan/map.js).

- ``map_settings(pemda)``: what a map template needs (tile URL, attribution, where the map opens:
  the Pemda's centre, else the default).
- ``map_csp(response)``: allow the tile server's origin in ``img-src`` for this response only.
  With no tile server nothing is added: the page loads nothing from elsewhere.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


@dataclass(frozen=True)
class MapSettings:
    tile_url: str
    attribution: str
    center: tuple[float, float, int]


def _center() -> tuple[float, float, int]:
    try:
        lat, lon, zoom = (getattr(settings, "ADUAN_MAP_CENTER", "") or "-2.5,118.0,5").split(",")
        return float(lat), float(lon), int(zoom)
    except ValueError:
        return -2.5, 118.0, 5


def map_settings(pemda=None) -> MapSettings:
    """The tile server and where a map opens: the Pemda's map centre when it has one, else
    ADUAN_MAP_CENTER."""
    if pemda is not None and pemda.map_latitude is not None and pemda.map_longitude is not None:
        center = (float(pemda.map_latitude), float(pemda.map_longitude), int(pemda.map_zoom))
    else:
        center = _center()
    return MapSettings(
        tile_url=getattr(settings, "ADUAN_MAP_TILE_URL", "") or "",
        attribution=getattr(settings, "ADUAN_MAP_TILE_ATTRIBUTION", "") or "",
        center=center,
    )


def tile_origins(tile_url: str) -> list[str]:
    """The origins tiles come from: one, or three for a ``{s}`` (a, b, c) subdomain template."""
    if not tile_url:
        return []
    hosts = [tile_url.replace("{s}", s) for s in "abc"] if "{s}" in tile_url else [tile_url]
    origins = []
    for url in hosts:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in origins:
                origins.append(origin)
    return origins


def map_csp(response):
    """Let ``response`` load the configured tiles (img-src); nothing when no tile server is set."""
    origins = tile_origins(map_settings().tile_url)
    if origins:
        update = dict(getattr(response, "_csp_update", None) or {})
        update["img-src"] = [*update.get("img-src", []), *origins]
        response._csp_update = update
    return response


@dataclass(frozen=True)
class Pin:
    """A pin (or a cluster of ``count`` pins) drawn on the plain grid without JavaScript: ``x`` and
    ``y`` are percentages of the grid's width and height; ``level`` names the worst of its pins."""

    x: float
    y: float
    count: int = 1
    level: str = ""


CENTRE_PIN = Pin(x=50.0, y=50.0)


def grid_pins(points: list[tuple[float, float, str]], *, cells: int = 6, ranks: dict[str, int] | None = None):
    """Cluster ``points`` (latitude, longitude, level) on a ``cells`` × ``cells`` grid over their
    bounding box: one Pin per occupied cell, at the mean of its points, with the worst level by
    ``ranks`` (higher is worse). Pure; the same idea as map.js, which re-clusters at each zoom."""
    if not points:
        return []
    ranks = ranks or {}
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    height, width = (north - south) or 1e-9, (east - west) or 1e-9
    cells_of: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
    for lat, lon, level in points:
        col = min(int((lon - west) / width * cells), cells - 1)
        row = min(int((north - lat) / height * cells), cells - 1)
        cells_of.setdefault((row, col), []).append((lat, lon, level))
    pins = []
    for members in cells_of.values():
        lat = sum(m[0] for m in members) / len(members)
        lon = sum(m[1] for m in members) / len(members)
        worst = max((m[2] for m in members), key=lambda level: ranks.get(level, 0))
        # 8 %–92 %: a pin on the edge stays inside the grid.
        pins.append(
            Pin(
                x=round(8 + (lon - west) / width * 84, 2) if east > west else 50.0,
                y=round(8 + (north - lat) / height * 84, 2) if north > south else 50.0,
                count=len(members),
                level=worst,
            )
        )
    return sorted(pins, key=lambda pin: (pin.y, pin.x))
