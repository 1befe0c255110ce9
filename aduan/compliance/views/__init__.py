"""The compliance dashboard for Ombudsman staff and the koordinator (kepala OPD: their own OPD).

Every view asks ``selectors`` for the Pemda or OPD it shows; exports go through the same tables as
the pages. Figures are aggregates: no reporter identity is ever read here. Drill-down links point at
the staff complaint list (``complaints:staff-list``) with its filter parameters.
"""

from .exports import export_league, export_pemda
from .inputs import assessment, evidence, evidence_download, publish, recompute_now
from .pages import index, opd_detail, pemda_dashboard, report

__all__ = [
    "assessment",
    "evidence",
    "evidence_download",
    "export_league",
    "export_pemda",
    "index",
    "opd_detail",
    "pemda_dashboard",
    "publish",
    "recompute_now",
    "report",
]
