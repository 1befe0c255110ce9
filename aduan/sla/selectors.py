"""Reads of the clocks that other rooms share (the public statistics and the compliance metrics)."""

from django.db.models import OuterRef, Subquery

from .models import Deadline, Stage


def last_resolving_opd() -> Subquery:
    """The OPD that held the complaint (of a rating or survey) when it was last resolved: the
    resolving OPD stored on its latest resolution clock (one index lookup per row)."""
    return Subquery(
        Deadline.objects.filter(
            complaint_id=OuterRef("complaint_id"), stage=Stage.RESOLUTION, resolved_by__isnull=False
        )
        .order_by("-met_at", "-pk")
        .values("resolved_by_id")[:1]
    )
