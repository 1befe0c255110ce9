"""Writing synthetic rows fast: the columns of each table as the generator fills them, ids handed
out above what a table holds, a buffer written with PostgreSQL COPY (bulk INSERTs elsewhere), the
secondary indexes dropped during a big load and built again after, and the sequences and ticket
counters set at the end."""

import time
from datetime import datetime

from django.db import connection, transaction

from aduan.complaints.models import (
    Attachment,
    Complaint,
    ComplaintEvent,
    ComplaintHop,
    ComplaintRating,
    ReporterIdentity,
    TicketCounter,
)

COMPLAINT_COLS = (
    "id",
    "created_at",
    "updated_at",
    "pemda_id",
    "ticket_number",
    "tracking_secret",
    "classification",
    "title",
    "chronology",
    "incident_date",
    "location_text",
    "latitude",
    "longitude",
    "category_id",
    "target_opd_id",
    "current_opd_id",
    "is_anonymous",
    "is_confidential",
    "status",
    "status_changed_at",
    "submitted_at",
    "closed_at",
    "archive_reason",
    "duplicate_of_id",
    "forwarded_to",
    "reporter_user_id",
    "channel",
    "supporters_count",
    "assigned_to_id",
)
IDENTITY_COLS = ("complaint_id", "name", "email", "phone", "nik", "language")
EVENT_COLS = (
    "id",
    "complaint_id",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "actor_role",
    "opd_id",
    "note",
    "created_at",
    "seq",
    "prev_hash",
    "hash",
)
HOP_COLS = ("id", "complaint_id", "opd_id", "started_at", "ended_at", "started_by_id", "ended_by_id")
DEADLINE_COLS = (
    "id",
    "complaint_id",
    "stage",
    "hop_id",
    "opd_id",
    "policy_id",
    "started_at",
    "due_at",
    "remind_at",
    "escalate_again_at",
    "met_at",
    "cancelled_at",
    "breached_at",
    "paused_at",
    "paused_seconds",
    "paused_working_days",
    "next_check_at",
    "working_days_taken",
    "calendar_days_taken",
    "resolved_by_id",
)
RATING_COLS = ("complaint_id", "score", "comment", "created_at")
ATTACHMENT_COLS = (
    "id",
    "complaint_id",
    "file",
    "original_name",
    "content_type",
    "size",
    "uploaded_by_id",
    "is_internal",
    "created_at",
    "scan_status",
    "scan_detail",
    "scanned_at",
)


class Ids:
    """Hands out primary keys above what the table already holds."""

    def __init__(self, model=None):
        if model is not None:
            last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            self.next = last + 1

    @classmethod
    def at(cls, first: int) -> "Ids":
        ids = cls()
        ids.next = first
        return ids

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


class Writer:
    """Buffers rows per table and writes them with COPY (PostgreSQL) or executemany."""

    def __init__(self):
        self.rows: dict[str, tuple[tuple[str, ...], list[tuple]]] = {}
        self.total = 0

    def add(self, table: str, cols: tuple[str, ...], row: tuple) -> None:
        self.rows.setdefault(table, (cols, []))[1].append(row)

    def flush(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                _skip_fk_checks(cursor)
            for table in ORDER:
                cols, rows = self.rows.get(table, ((), []))
                if not rows:
                    continue
                self.total += len(rows)
                if connection.vendor == "postgresql":
                    copy_sql = f"COPY {table} ({', '.join(cols)}) FROM STDIN"
                    with cursor.cursor.copy(copy_sql) as copy:
                        copy.write("".join(map(_copy_line, rows)))
                else:
                    marks = ", ".join(["%s"] * len(cols))
                    cursor.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows)  # noqa: S608 (names are this module's constants)
        self.rows.clear()
        _TS.clear()


def _skip_fk_checks(cursor) -> None:
    """Rows are written parents first and checked by construction: skip the per-row deferred FK
    triggers for this transaction when the role may (a superuser bench database); else keep them."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        cursor.execute("SET LOCAL session_replication_role = replica")


_TS: dict = {}


def _copy_value(value, _str=str, _dt=datetime, _ts=_TS) -> str:
    kind = type(value)
    if kind is _str:
        if "\\" in value or "\t" in value or "\n" in value:
            return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        return value
    if kind is int:
        return _str(value)
    if kind is _dt:
        text = _ts.get(value)
        if text is None:
            text = _ts[value] = value.isoformat()
        return text
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    return _str(value)


def _copy_line(row: tuple) -> str:
    return "\t".join(map(_copy_value, row)) + "\n"


ORDER = (
    Complaint._meta.db_table,
    ReporterIdentity._meta.db_table,
    ComplaintEvent._meta.db_table,
    ComplaintHop._meta.db_table,
    "sla_deadline",
    ComplaintRating._meta.db_table,
    Attachment._meta.db_table,
)


def drop_secondary_indexes(stdout) -> list[tuple[str, str]]:
    """Drop the indexes of the filled tables that no constraint owns; return their definitions."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [list(ORDER)],
        )
        dropped = cursor.fetchall()
        for name, _definition in dropped:
            cursor.execute(f'DROP INDEX "{name}"')
    stdout.write(f"dropped {len(dropped)} secondary indexes for the load\n")
    return dropped


def recreate_indexes(dropped, stdout, *, connections_count: int = 2) -> None:
    """Build the dropped indexes again, on ``connections_count`` connections at once (each index
    is one sort; two cores build two at a time), biggest tables first."""
    if not dropped:
        return
    import threading

    from django.db import connections

    started = time.monotonic()
    connection.close()
    pending = sorted(dropped, key=lambda d: ("sla_deadline" not in d[1], "complaintevent" not in d[1]))
    lock = threading.Lock()
    errors: list[BaseException] = []

    def build():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '1GB'")
                while True:
                    with lock:
                        if not pending:
                            break
                        _name, definition = pending.pop(0)
                    cursor.execute(definition)
        except BaseException as exc:  # re-raised below, after the other builder stops
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=build) for _ in range(connections_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    stdout.write(f"\nrebuilt {len(dropped)} indexes in {time.monotonic() - started:.0f} s\n")


def finish_load(counters) -> None:
    TicketCounter.objects.bulk_create(
        [TicketCounter(pemda_id=p, year=y, last_number=n) for (p, y), n in counters.items()], batch_size=2000
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (*ORDER, "users_user"):
                if table in (ReporterIdentity._meta.db_table, ComplaintRating._meta.db_table):
                    continue  # keyed by complaint_id, no sequence
                sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"  # noqa: S608, E501 (table names are this module's constants)
                cursor.execute(sql)
            cursor.execute(f"ANALYZE {', '.join(ORDER)}")
            if not connection.in_atomic_block:
                # The visibility map of freshly COPied rows: the backlog's index-only scan (and any
                # benchmark after the load) should not depend on when autovacuum comes by.
                cursor.execute(f"VACUUM {Complaint._meta.db_table}")
