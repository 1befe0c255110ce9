"""The koordinator's correction of where a complaint is: its pin (latitude, longitude) and its
kelurahan from the Pemda's list.

``complaint_relocate`` is the koordinator's of the complaint's Pemda only (OPD staff, the
Ombudsman and everyone else are refused and nothing changes). Each accepted correction is one
recorded step on the staff timeline with the old and the new place; the reporter's own words
(``location_text``) never change. Checks are ``geo``'s, shared with filing.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .geo import coordinates_check, kelurahan_check
from .models import ActorRole, Complaint
from .selectors import Actor
from .services import _event, _locked_for


class LocationStep:
    """The recorded step of a correction (the status stays); staff-only on the timeline."""

    RELOCATE = "relocate"
    choices = [(RELOCATE, _("Koreksi lokasi"))]


def _place(latitude, longitude, kelurahan) -> str:
    point = f"{latitude}, {longitude}" if latitude is not None else "—"
    return f"{point} ({kelurahan})" if kelurahan is not None else point


def complaint_relocate(
    *,
    complaint_id: int,
    actor: Actor,
    latitude: Decimal | None,
    longitude: Decimal | None,
    kelurahan=None,
    now=None,
) -> Complaint:
    """Move the complaint's pin and set its kelurahan (None clears either). Recorded on the
    timeline as "old → new" when something changed; nothing is written when nothing did."""
    now = now or timezone.now()
    coordinates_check(latitude, longitude)
    with transaction.atomic():
        complaint, role = _locked_for(actor, complaint_id, {ActorRole.KOORDINATOR})
        kelurahan_check(kelurahan, complaint.pemda)
        old = (complaint.latitude, complaint.longitude, complaint.kelurahan_id)
        if old == (latitude, longitude, getattr(kelurahan, "pk", None)):
            return complaint
        before = _place(complaint.latitude, complaint.longitude, complaint.kelurahan)
        complaint.latitude, complaint.longitude, complaint.kelurahan = latitude, longitude, kelurahan
        complaint.save(update_fields=["latitude", "longitude", "kelurahan", "updated_at"])
        # Stored in the note (data read by Indonesian staff), so deliberately not translated.
        note = f"Lokasi: {before} → {_place(latitude, longitude, kelurahan)}"
        _event(complaint, LocationStep.RELOCATE, actor, role, note, now)
    return complaint
