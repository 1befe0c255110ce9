"""Writes for personal-data protection (UU 27/2022).

- ``retention_apply``: the retention job. For each data class in settings.ADUAN_RETENTION_DAYS,
  counted from the complaint's ``closed_at`` and for closed complaints only: anonymise the
  reporter's identity (name, e-mail, phone and NIK blanked, ``anonymised_at`` set), delete the
  attachment files (storage delete, ``purged_at`` set; the row stays as a record) and scrub the
  reporter's address from the notification outbox. Works in chunks of complaints locked with
  ``SELECT ... FOR UPDATE SKIP LOCKED`` and selects work by state, so a second run changes nothing;
  writes one RetentionRun with the counts.
- ``erasure_request_create``: the reporter asks, through the tracking link, for erasure.
- ``erasure_request_decide``: the koordinator of the complaint's Pemda approves (erased at once,
  as the retention job does) or rejects with a reason.

Every change to one complaint's personal data happens under that complaint's row lock, the same
lock ``complaint_transition`` takes, so a re-open and an erasure never interleave. Events, notes and
compliance rows are append-only and are never touched here.
"""

from collections.abc import Iterator
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.complaints.models import (
    CLOSED_STATUSES,
    ActorRole,
    Attachment,
    Complaint,
    ComplaintRating,
    InboundEmail,
    ReporterIdentity,
)
from aduan.complaints.selectors import Actor, actor_roles, koordinator_pemda_ids
from aduan.core.exceptions import InvalidInput, NotFound, PermissionDenied
from aduan.notifications.models import Audience, DeliveryState, Notification
from aduan.ombudsman.models import OmbudsmanReport

from .models import ErasureRequest, ErasureStatus, RetentionRun
from .selectors import reporter_files, retention_cutoffs, retention_days

CHUNK_SIZE = 200
REASON_MAX_LENGTH = 2000
# What an outbox row keeps once its address is scrubbed: enough to render its subject in the
# reporter's copy of their data, nothing that reaches or identifies them (link, note, name).
OUTBOX_KEPT_CONTEXT = ("ticket_number", "title", "pemda", "status", "opd", "action")
# Stored on the row (read by staff), so deliberately not translated.
OUTBOX_SCRUBBED_ERROR = "alamat dihapus (pelindungan data pribadi)"


# --- The three erasures, each on complaints whose rows the caller has locked --------------------


def _identities_anonymise(complaint_ids, now: datetime) -> int:
    # The rating's free-text comment may name the reporter too: blanked with the identity (the
    # score stays; the database allows only this change on ratings).
    ComplaintRating.objects.filter(complaint_id__in=complaint_ids).exclude(comment="").update(comment="")
    # An e-mail kept for the koordinator (complaints.mail_intake) holds the sender and the message.
    InboundEmail.objects.filter(complaint_id__in=complaint_ids).exclude(
        sender="", subject="", raw=b""
    ).update(sender="", subject="", raw=b"")
    # So may the reason they gave the Ombudsman (the report, its ground and finding stay).
    OmbudsmanReport.objects.filter(complaint_id__in=complaint_ids).exclude(reason="").update(reason="")
    return ReporterIdentity.objects.filter(complaint_id__in=complaint_ids, anonymised_at__isnull=True).update(
        name="", email="", phone="", nik="", anonymised_at=now
    )


def _files_purge(attachments, now: datetime) -> int:
    """Delete the stored file of each attachment and mark the row purged. The file goes first: if
    the transaction then fails, the row is still unpurged and the next run deletes (nothing) again."""
    count = 0
    for attachment in attachments.filter(purged_at__isnull=True).order_by("pk"):
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        count += Attachment.objects.filter(pk=attachment.pk, purged_at__isnull=True).update(purged_at=now)
    return count


def _outbox_scrub(complaint_ids, now: datetime) -> int:
    """Blank the reporter's address (and the context that could reach or name them) on the citizen
    rows of the outbox; a row still pending is failed instead of being sent to nobody."""
    count = 0
    rows = Notification.objects.filter(complaint_id__in=complaint_ids, audience=Audience.CITIZEN).exclude(
        address=""
    )
    for n in rows.select_for_update().order_by("pk"):
        n.address = ""
        n.context = {k: v for k, v in (n.context or {}).items() if k in OUTBOX_KEPT_CONTEXT}
        fields = ["address", "context"]
        if n.state == DeliveryState.PENDING:
            n.state, n.next_attempt_at, n.last_error = DeliveryState.FAILED, None, OUTBOX_SCRUBBED_ERROR
            fields += ["state", "next_attempt_at", "last_error"]
        n.save(update_fields=fields)
        count += 1
    return count


# --- Retention ----------------------------------------------------------------------------------


def _pending_work(data_class: str):
    """Complaint ids that still hold data of ``data_class`` (selected by state: done rows drop out)."""
    if data_class == "reporter_identity":
        return ReporterIdentity.objects.filter(anonymised_at__isnull=True).values("complaint_id")
    if data_class == "attachments":
        return Attachment.objects.filter(purged_at__isnull=True).values("complaint_id")
    return (
        Notification.objects.filter(audience=Audience.CITIZEN, complaint__isnull=False)
        .exclude(address="")
        .values("complaint_id")
    )


def _apply_class(data_class: str, complaint_ids, now: datetime) -> int:
    if data_class == "reporter_identity":
        return _identities_anonymise(complaint_ids, now)
    if data_class == "attachments":
        return _files_purge(Attachment.objects.filter(complaint_id__in=complaint_ids), now)
    return _outbox_scrub(complaint_ids, now)


def _expired(data_class: str, cutoff: datetime):
    """Closed complaints past the cutoff that still hold data of ``data_class``."""
    return Complaint.objects.filter(
        status__in=list(CLOSED_STATUSES),
        closed_at__isnull=False,
        closed_at__lte=cutoff,
        pk__in=_pending_work(data_class),
    )


def _retention_class(data_class: str, cutoff: datetime, now: datetime, chunk_size: int) -> int:
    """Apply one data class to every expired closed complaint, a chunk per transaction."""
    done = 0
    while True:
        with transaction.atomic():
            ids = list(
                _expired(data_class, cutoff)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")
                .values_list("pk", flat=True)[:chunk_size]
            )
            if not ids:
                return done
            changed = _apply_class(data_class, ids, now)
        done += changed
        if not changed:  # nothing left to change on what could be locked: never spin
            return done


FIELD_OF_CLASS = {
    "reporter_identity": "identities_anonymised",
    "attachments": "attachments_purged",
    "outbox": "outbox_scrubbed",
}


def retention_apply(*, now: datetime | None = None, chunk_size: int = CHUNK_SIZE) -> RetentionRun:
    """Run the retention job once and record what it did (counts per data class, no personal data)."""
    now = now or timezone.now()
    run = RetentionRun.objects.create(started_at=now, retention_days=retention_days())
    for data_class, cutoff in retention_cutoffs(now).items():
        count = _retention_class(data_class, cutoff, now, chunk_size)
        setattr(run, FIELD_OF_CLASS[data_class], count)
    run.finished_at = timezone.now()
    run.save(update_fields=[*FIELD_OF_CLASS.values(), "finished_at"])
    return run


def retention_preview(*, now: datetime | None = None) -> Iterator[tuple[str, str, int]]:
    """What ``retention_apply`` would erase now, changing nothing: (data class, ticket number,
    items: 1 identity, the files, or the outbox addresses) per complaint, one query per class.
    Ticket numbers only: never the data itself."""
    now = now or timezone.now()
    items = {
        "reporter_identity": Value(1, output_field=IntegerField()),
        "attachments": Count("attachments", filter=Q(attachments__purged_at__isnull=True), distinct=True),
        "outbox": Count(
            "notifications",
            filter=Q(notifications__audience=Audience.CITIZEN) & ~Q(notifications__address=""),
            distinct=True,
        ),
    }
    for data_class, cutoff in retention_cutoffs(now).items():
        rows = (
            _expired(data_class, cutoff)
            .annotate(items=items[data_class])
            .order_by("pk")
            .values_list("ticket_number", "items")
        )
        for ticket_number, count in rows.iterator(chunk_size=2000):
            yield data_class, ticket_number, count


# --- Erasure requests ---------------------------------------------------------------------------


def _has_personal_data(complaint: Complaint) -> bool:
    return (
        ReporterIdentity.objects.filter(complaint=complaint, anonymised_at__isnull=True).exists()
        or reporter_files(complaint).filter(purged_at__isnull=True).exists()
    )


def erasure_request_create(
    *, complaint_id: int, actor: Actor, reason: str, now: datetime | None = None
) -> ErasureRequest:
    """The reporter (tracking secret or their account) asks for their personal data on this
    complaint to be erased. One pending request per complaint; nothing to erase is refused."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("Tuliskan alasan permintaan penghapusan."), code="reason_required", field="reason"
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput(
            _("Alasan paling banyak %(max)s karakter.") % {"max": REASON_MAX_LENGTH},
            code="reason_too_long",
            field="reason",
        )
    with transaction.atomic():
        complaint = (
            Complaint.objects.select_for_update(of=("self",))
            .select_related("pemda")
            .filter(pk=complaint_id)
            .first()
        )
        if complaint is None:
            raise NotFound()
        if ActorRole.CITIZEN not in actor_roles(actor, complaint):
            raise PermissionDenied(code="reporter_only")
        if ErasureRequest.objects.filter(complaint=complaint, status=ErasureStatus.PENDING).exists():
            raise InvalidInput(_("Permintaan penghapusan Anda sedang diproses."), code="erasure_pending")
        if not _has_personal_data(complaint):
            raise InvalidInput(_("Data pribadi Anda pada aduan ini sudah dihapus."), code="nothing_to_erase")
        try:
            with transaction.atomic():
                return ErasureRequest.objects.create(complaint=complaint, reason=reason, created_at=now)
        except IntegrityError:  # a concurrent request won the partial unique index
            raise InvalidInput(
                _("Permintaan penghapusan Anda sedang diproses."), code="erasure_pending"
            ) from None


def personal_data_erase(*, complaint_id: int, now: datetime) -> dict[str, int]:
    """Erase the reporter's personal data on one complaint now (inside the caller's transaction,
    which holds the complaint's row lock): identity, the reporter's files, outbox addresses."""
    complaint = Complaint.objects.get(pk=complaint_id)
    return {
        "identities_anonymised": _identities_anonymise([complaint_id], now),
        "attachments_purged": _files_purge(reporter_files(complaint), now),
        "outbox_scrubbed": _outbox_scrub([complaint_id], now),
    }


def erasure_request_decide(
    *, request_id: int, actor: Actor, approve: bool, note: str = "", now: datetime | None = None
) -> ErasureRequest:
    """The koordinator of the complaint's Pemda decides a pending request. Anyone else: NotFound
    (the request's existence is not revealed), and nothing changes. A rejection needs a reason."""
    now = now or timezone.now()
    note = (note or "").strip()
    user = actor.authenticated_user
    pemda_ids = koordinator_pemda_ids(user) if user is not None else set()
    if not approve and not note:
        raise InvalidInput(
            _("Tuliskan alasan penolakan."), code="decision_note_required", field="decision_note"
        )
    if len(note) > REASON_MAX_LENGTH:
        raise InvalidInput(
            _("Catatan paling banyak %(max)s karakter.") % {"max": REASON_MAX_LENGTH},
            code="decision_note_too_long",
            field="decision_note",
        )
    with transaction.atomic():
        request = (
            ErasureRequest.objects.select_for_update(of=("self",))
            .filter(pk=request_id, complaint__pemda_id__in=list(pemda_ids))
            .first()
        )
        if request is None:
            raise NotFound()
        # The complaint's lock: the same one a move or the retention job takes.
        complaint = Complaint.objects.select_for_update().filter(pk=request.complaint_id).first()
        if request.status != ErasureStatus.PENDING:
            raise InvalidInput(_("Permintaan ini sudah diputuskan."), code="already_decided")
        if approve and complaint.status not in CLOSED_STATUSES:
            # Erasing now would delete the reporter's evidence and contact while the OPD still works
            # on the complaint: decide once it is closed (the request waits), or reject with a reason.
            raise InvalidInput(
                _(
                    "Aduan ini masih diproses: data pribadi pelapor baru dapat dihapus setelah aduan "
                    "selesai atau diarsipkan. Permintaan tetap menunggu, atau tolak dengan alasan."
                ),
                code="complaint_open",
                field="decision",
            )
        if approve:
            personal_data_erase(complaint_id=request.complaint_id, now=now)
        request.status = ErasureStatus.APPROVED if approve else ErasureStatus.REJECTED
        request.decided_by = user
        request.decided_at = now
        request.decision_note = note
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return request
