"""The staff side of the API (/api/v1/staff/), in three modules: complaints.py (the list, one
complaint, its timeline and the output shapes), moves.py (workflow moves, follow-ups, evidence
files, merging, bulk moves) and notes.py (internal notes, assignment, Ombudsman flags)."""

from .complaints import ComplaintDetailApi, ComplaintListApi, EventListApi
from .moves import BulkTransitionApi, EvidenceAddApi, FollowUpApi, MergeApi, TransitionApi
from .notes import AssignmentApi, FlagApi, NoteListApi

__all__ = [
    "AssignmentApi", "BulkTransitionApi", "ComplaintDetailApi", "ComplaintListApi", "EventListApi",
    "EvidenceAddApi", "FlagApi", "FollowUpApi", "MergeApi", "NoteListApi", "TransitionApi",
]  # fmt: skip
