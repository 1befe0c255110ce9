"""Where a complaint is: checks of its coordinates and area, shared by every way in (the filing
form, the API, Open311, the koordinator's correction). Pure: no writes here.

- ``coordinate_parse(raw, axis)``: text typed by a person → a Decimal of 6 places, or InvalidInput.
- ``coordinates_check(latitude, longitude)``: both or neither, each within range.
- ``kelurahan_check(kelurahan, pemda)``: the kelurahan is one of the Pemda's own.
- ``CoordinateField``: the form field of one coordinate (citizen and staff forms).
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from aduan.core.exceptions import InvalidInput
from aduan.core.models import COORDINATE_LIMITS

COORDINATE_STEP = Decimal("0.000001")
LIMITS = COORDINATE_LIMITS  # degrees either side of 0, as the models store them
EXAMPLES = {"latitude": "-1.2552", "longitude": "116.8691"}
OUT_OF_RANGE = {
    "latitude": _("Lintang harus berupa angka antara -90 dan 90, mis. -1.2552."),
    "longitude": _("Bujur harus berupa angka antara -180 dan 180, mis. 116.8691."),
}


def coordinate_parse(raw: str | None, axis: str) -> Decimal | None:
    """``raw`` (``"-1.2552"``; a decimal comma is accepted) as a coordinate of ``axis``
    ("latitude" or "longitude"), None when empty; InvalidInput naming the field otherwise."""
    raw = (raw or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = Decimal(raw).quantize(COORDINATE_STEP)
    except (InvalidOperation, ValueError):
        raise InvalidInput(OUT_OF_RANGE[axis], code="coordinate_invalid", field=axis) from None
    return _in_range(value, axis)


def _in_range(value: Decimal, axis: str) -> Decimal:
    limit = LIMITS[axis]
    if not value.is_finite() or not -limit <= value <= limit:  # NaN cannot be compared (a 500)
        raise InvalidInput(OUT_OF_RANGE[axis], code="coordinate_invalid", field=axis)
    return value


def coordinates_check(latitude: Decimal | None, longitude: Decimal | None) -> None:
    """Both or neither, each within range; InvalidInput naming the field otherwise."""
    if (latitude is None) != (longitude is None):
        # The table's complaint_latlong_together constraint would otherwise fail on save.
        raise InvalidInput(
            _("Isi lintang dan bujur bersama-sama."),
            code="coordinates_incomplete",
            field="longitude" if longitude is None else "latitude",
        )
    if latitude is not None:
        _in_range(Decimal(latitude), "latitude")
        _in_range(Decimal(longitude), "longitude")


def kelurahan_check(kelurahan, pemda) -> None:
    """The kelurahan (or None) belongs to ``pemda``'s list; InvalidInput otherwise."""
    if kelurahan is not None and kelurahan.kecamatan.pemda_id != pemda.pk:
        raise InvalidInput(
            _("Kelurahan tidak ada dalam daftar pemda ini."), code="kelurahan_invalid", field="kelurahan"
        )


def osm_url(latitude, longitude, zoom: int = 17) -> str:
    """A link to the place on openstreetmap.org (a page the reader opens; nothing is loaded here)."""
    return (
        f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}#map={zoom}/{latitude}/{longitude}"
    )


class CoordinateField(forms.CharField):
    """A form field for one coordinate typed as text (the map fills it in): a Decimal or None,
    with ``coordinate_parse``'s message. Shared by the citizen's and the staff's forms."""

    def __init__(self, *, axis: str, **kwargs):
        self.axis = axis
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("label", _("Lintang") if axis == "latitude" else _("Bujur"))
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": EXAMPLES[axis]}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return coordinate_parse(value, self.axis)
        except InvalidInput as error:
            raise forms.ValidationError(str(error), code="invalid") from None
