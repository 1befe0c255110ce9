"""Complaints and everything that belongs to one (one module per part; every name is importable
from ``aduan.complaints.models``).

- complaint: Category, a tree of topics, per Pemda (or shared), with the OPD usually in charge.
  Complaint: what the citizen filed, its status and where it is now. Status changes only through
  ``workflow.complaint_transition()``; other writes go through ``services``; reads through ``selectors``.
  ReporterIdentity: who filed it, in its own table so an anonim reporter's identity can be withheld.
- files: Attachment, photos and documents.
- history: ComplaintEvent, the append-only timeline, one row per accepted move.
  ComplaintHop: which OPD held the complaint from when to when (a re-dispatch starts a new hop).
  TicketCounter (in complaint): per Pemda and year, hands out readable ticket numbers without gaps or clashes.
- feedback: ComplaintSupport, a citizen's "+1" on an open complaint instead of filing a duplicate.
  ComplaintRating, SkmResponse: the reporter's rating after resolution and the SKM survey
  (PermenPANRB 14/2017, nine elements scored 1–4).
- staff: CannedResponse and ComplaintFlag; history also holds the staff's ComplaintNote.
- intake: IntakeRecord, how a complaint received off-line was typed in (when, by whom, why late,
  its SP4N-LAPOR! number); GatewayMessage, each SMS/WhatsApp gateway message received, once.
- mail: Mailbox, a Pemda's IMAP mailbox for complaints by e-mail; InboundEmail, each message read,
  once per mailbox and Message-ID, and the could-not-read ones kept whole for the koordinator.
"""

from .complaint import (
    CLOSED_STATUSES,
    HELD_BY_OPD_STATUSES,
    STAFF_INTAKE_CHANNELS,
    ActorRole,
    ArchiveReason,
    Category,
    Channel,
    Classification,
    Complaint,
    ReporterIdentity,
    Status,
    TicketCounter,
    new_tracking_secret,
)
from .feedback import (
    SKM_ELEMENTS,
    ComplaintRating,
    ComplaintSupport,
    SkmResponse,
)
from .files import (
    Attachment,
    ScanStatus,
    attachment_path,
)
from .history import (
    AppendOnlyModel,
    AppendOnlyQuerySet,
    ComplaintEvent,
    ComplaintHop,
    ComplaintNote,
)
from .intake import GatewayMessage, IntakeRecord
from .mail import InboundEmail, InboundOutcome, Mailbox, MailboxSecurity, UnreadableReason
from .staff import (
    CannedResponse,
    ComplaintFlag,
)

__all__ = [
    "ActorRole",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "ArchiveReason",
    "Attachment",
    "CLOSED_STATUSES",
    "CannedResponse",
    "Category",
    "Channel",
    "Classification",
    "Complaint",
    "ComplaintEvent",
    "ComplaintFlag",
    "ComplaintHop",
    "ComplaintNote",
    "ComplaintRating",
    "ComplaintSupport",
    "GatewayMessage",
    "Mailbox",
    "MailboxSecurity",
    "HELD_BY_OPD_STATUSES",
    "InboundEmail",
    "InboundOutcome",
    "IntakeRecord",
    "ReporterIdentity",
    "SKM_ELEMENTS",
    "STAFF_INTAKE_CHANNELS",
    "ScanStatus",
    "SkmResponse",
    "Status",
    "TicketCounter",
    "UnreadableReason",
    "attachment_path",
    "new_tracking_secret",
]
