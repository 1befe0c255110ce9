"""Who may take a complaint to the Ombudsman, and on what ground (pure: no queries, no ``now()``).

A reporter may, once per complaint, when their complaint was archived, forwarded out of the Pemda,
answered but rejected by them at least twice, or is still not closed after its 60-day resolution
time (the resolution clock's due moment, which a hold waiting for the reporter moves on).
"""

from datetime import datetime

from .models import Ground

REJECTIONS_NEEDED = 2


def ombudsman_grounds(
    *, status: str, rejections: int, resolution_due_at: datetime | None, now: datetime
) -> list[str]:
    """The grounds (``Ground`` values, strongest first) on which the complaint may be taken to the
    Ombudsman now; empty: not eligible.

    ``rejections``: how many times the reporter rejected the OPD's answer; ``resolution_due_at``:
    the due moment of the complaint's open resolution clock (None when it has none open)."""
    grounds = []
    if status == "archived":
        grounds.append(Ground.ARCHIVED)
    elif status == "forwarded_out":
        grounds.append(Ground.FORWARDED_OUT)
    if rejections >= REJECTIONS_NEEDED:
        grounds.append(Ground.REJECTED_TWICE)
    closed = status in ("resolved", "archived", "forwarded_out")
    if not closed and resolution_due_at is not None and now > resolution_due_at:
        grounds.append(Ground.OVERDUE)
    return grounds
