"""Tamper evidence for complaint timelines: every ComplaintEvent carries a hash chained to the
previous event of its complaint.

- ``event_hash()`` is the one definition of an event's hash: SHA-256 over a canonical JSON
  (sorted keys, no spaces, UTF-8) of the previous hash, the complaint, the sequence number and
  every field of the event (times in UTC ISO 8601). Changing it would break every stored chain.
- ``event_append()`` is how an event is written: it reads the complaint's last link (one query on
  the unique (complaint, seq) index) and stores seq = last + 1, prev_hash = last hash ("" for the
  first) and the new hash. The caller must hold the complaint's row lock (every service does:
  ``select_for_update`` on the complaint); if one did not, the unique constraint turns a race into
  an IntegrityError, never a fork. ``ComplaintEvent.save()`` seals an event the same way, so an
  event written any other way through the ORM is chained too.
- ``chain_verify()`` recomputes every chain, streaming the table in (complaint, seq) order, and
  yields the first broken link of each complaint (``manage.py verify_audit``).

On PostgreSQL the application's role cannot UPDATE or DELETE events at all (triggers, migration
complaints 0010); the chain shows whether someone with more powers did.
"""

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from json.encoder import encode_basestring

from django.utils import timezone

GENESIS = ""  # prev_hash of a complaint's first event


def _utc_iso(value: datetime) -> str:
    if value.tzinfo is UTC:
        return value.isoformat()
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value.astimezone(UTC).isoformat()


def _int(value) -> str:
    return "null" if value is None else str(int(value))


def event_hash(
    *,
    prev_hash: str,
    complaint_id: int,
    seq: int,
    action: str,
    from_status: str,
    to_status: str,
    actor_id: int | None,
    actor_role: str,
    opd_id: int | None,
    note: str,
    created_at: datetime,
) -> str:
    """SHA-256 (hex) of ``json.dumps(payload, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)`` encoded as UTF-8, where payload holds the eleven keys below. The string is
    written out by hand in sorted key order (the same bytes, a few times faster than json.dumps:
    the generator hashes millions of events); tests/audit/test_chain.py checks it against json."""
    q = encode_basestring  # json's own string quoting (C), non-ASCII kept as is
    canonical = (
        f'{{"action":{q(str(action))},"actor_id":{_int(actor_id)},"actor_role":{q(str(actor_role or ""))},'
        f'"complaint_id":{int(complaint_id)},"created_at":{q(_utc_iso(created_at))},'
        f'"from_status":{q(str(from_status or ""))},"note":{q(str(note or ""))},"opd_id":{_int(opd_id)},'
        f'"prev_hash":{q(prev_hash or "")},"seq":{int(seq)},"to_status":{q(str(to_status or ""))}}}'
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def hash_of(event, *, prev_hash: str | None = None, seq: int | None = None) -> str:
    """The hash an event (a ComplaintEvent or any object with its attributes) should carry."""
    return event_hash(
        prev_hash=event.prev_hash if prev_hash is None else prev_hash,
        complaint_id=event.complaint_id,
        seq=event.seq if seq is None else seq,
        action=event.action,
        from_status=event.from_status,
        to_status=event.to_status,
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        opd_id=event.opd_id,
        note=event.note,
        created_at=event.created_at,
    )


def chain_tail(complaint_id: int) -> tuple[int, str]:
    """(seq, hash) of the complaint's last event, or (0, GENESIS) when it has none."""
    from .models import ComplaintEvent

    last = (
        ComplaintEvent.objects.filter(complaint_id=complaint_id)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    return last if last is not None else (0, GENESIS)


def event_seal(event, *, first: bool = False) -> None:
    """Fill seq, prev_hash and hash of an unsaved event. ``first=True`` (the complaint was created
    in this transaction) skips the lookup."""
    last_seq, last_hash = (0, GENESIS) if first else chain_tail(event.complaint_id)
    event.seq = last_seq + 1
    event.prev_hash = last_hash
    event.hash = hash_of(event)


def event_append(*, complaint, first: bool = False, **fields):
    """Write one event at the end of the complaint's chain (the caller holds the complaint lock)."""
    from .models import ComplaintEvent

    event = ComplaintEvent(complaint=complaint, **fields)
    event_seal(event, first=first)
    event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class BrokenLink:
    complaint_id: int
    seq: int | None
    event_id: int
    problem: str  # "seq", "prev_hash" or "hash"
    expected: str
    stored: str


@dataclass
class VerifyCounts:
    complaints: int = 0
    events: int = 0
    broken: int = 0
    # Fingerprint of the chain heads as of ``until``: SHA-256 over "complaint:seq:hash\n" of each
    # complaint's last event created at or before that time, in complaint order. Kept outside the
    # database (an assessment report, a ticket), it later shows whether anything up to then was
    # rewritten — even a whole chain recomputed by someone with superuser powers.
    fingerprint: "hashlib._Hash" = field(default_factory=hashlib.sha256)

    @property
    def fingerprint_hex(self) -> str:
        return self.fingerprint.hexdigest()


_FIELDS = (
    "id",
    "complaint_id",
    "seq",
    "prev_hash",
    "hash",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "actor_role",
    "opd_id",
    "note",
    "created_at",
)


@dataclass
class _Row:
    id: int
    complaint_id: int
    seq: int | None
    prev_hash: str
    hash: str
    action: str
    from_status: str
    to_status: str
    actor_id: int | None
    actor_role: str
    opd_id: int | None
    note: str
    created_at: datetime


def chain_verify(
    counts: VerifyCounts | None = None,
    *,
    chunk_size: int = 5000,
    until: datetime | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Iterator[BrokenLink]:
    """Recompute every complaint's chain; yield the first broken link of each broken complaint.

    Streams events ordered by (complaint, seq) — the unique index — with a server-side cursor on
    PostgreSQL, so memory stays flat at millions of rows. Checks per event: seq is the previous
    seq + 1 (starting at 1), prev_hash is the previous event's stored hash, and the stored hash is
    the recomputed one. Also folds the heads as of ``until`` (default: all) into the fingerprint.
    ``on_progress(events)`` is called after every ``chunk_size`` events."""
    from .models import ComplaintEvent

    counts = counts if counts is not None else VerifyCounts()
    rows = ComplaintEvent.objects.order_by("complaint_id", "seq").values_list(*_FIELDS)
    current, expected_seq, expected_prev, broken, head = None, 1, GENESIS, False, None

    def fold(head) -> None:
        if head is not None:
            counts.fingerprint.update(f"{head[0]}:{head[1]}:{head[2]}\n".encode())

    for values in rows.iterator(chunk_size=chunk_size):
        row = _Row(*values)
        if row.complaint_id != current:
            fold(head)
            current, expected_seq, expected_prev, broken, head = row.complaint_id, 1, GENESIS, False, None
            counts.complaints += 1
        counts.events += 1
        if on_progress is not None and counts.events % chunk_size == 0:
            on_progress(counts.events)
        if until is None or row.created_at <= until:
            head = (row.complaint_id, row.seq, row.hash)
        if broken:
            continue
        problem = None
        if row.seq != expected_seq:
            problem = BrokenLink(row.complaint_id, row.seq, row.id, "seq", str(expected_seq), str(row.seq))
        elif row.prev_hash != expected_prev:
            problem = BrokenLink(row.complaint_id, row.seq, row.id, "prev_hash", expected_prev, row.prev_hash)
        else:
            recomputed = hash_of(row)
            if recomputed != row.hash:
                problem = BrokenLink(row.complaint_id, row.seq, row.id, "hash", recomputed, row.hash)
        if problem is not None:
            broken = True
            counts.broken += 1
            yield problem
            continue
        expected_seq, expected_prev = expected_seq + 1, row.hash
    fold(head)


# The append-only triggers migrations complaints 0010 and compliance 0003 install on PostgreSQL.
APPEND_ONLY_TRIGGERS = {
    "complaints_complaintevent": "complaintevent_append_only",
    "complaints_complaintnote": "complaintnote_append_only",
    "complaints_skmresponse": "skmresponse_append_only",
    "complaints_complaintrating": "complaintrating_append_only",
    "compliance_assessmententry": "assessmententry_append_only",
    "compliance_evidenceitem": "evidenceitem_append_only",
    "compliance_compliancescore": "compliancescore_immutable",
}


def triggers_missing(connection) -> list[str]:
    """The append-only triggers that are absent or not set to fire always (PostgreSQL; [] elsewhere)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relnamespace = to_regnamespace(current_schema()) AND t.tgenabled = 'A' "
            "AND t.tgname = ANY(%s)",
            [list(APPEND_ONLY_TRIGGERS.values())],
        )
        present = set(cursor.fetchall())
    return [f"{table}.{name}" for table, name in APPEND_ONLY_TRIGGERS.items() if (table, name) not in present]


def complaints_without_events(limit: int = 20) -> tuple[int, list[tuple[int, str]]]:
    """How many complaints have no event at all (every complaint is filed with one, so its whole
    chain was removed), and up to ``limit`` of them as (id, ticket number). One anti-join."""
    from django.db.models import Exists, OuterRef

    from .models import Complaint, ComplaintEvent

    orphans = Complaint.objects.filter(~Exists(ComplaintEvent.objects.filter(complaint=OuterRef("pk"))))
    return orphans.count(), list(orphans.order_by("pk").values_list("pk", "ticket_number")[:limit])
