"""Synthetic data for benchmarks (issue 8): many Pemdas and OPDs with skewed sizes and years of
complaints in every status, with their events, OPD hops, clocks (deadlines), breaches, ratings and
attachment rows (no files).

Rows are generated in Python in the shapes the workflow writes (complaint_transition and the SLA
services), then written in chunks: PostgreSQL COPY when the database is PostgreSQL, bulk INSERTs
otherwise. Working days are the real ones (aduan.sla.calendar with each zone's national holidays and
cuti bersama, as ``aduan.sla.services.calendar_for`` builds them): one calendar per zone, built once
before any row, covering every generated year. Never use this on a database with real complaints:
every synthetic Pemda's code starts with ``SY``, and the generator refuses to run twice into the same
database.

    python manage.py generate_synthetic --size ci          # 1 M complaints, 2,000 OPDs
    python manage.py generate_synthetic --size national    # 5 M complaints, 5,000 OPDs, 3 years
"""

import itertools
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection, transaction

from aduan.agencies.models import Opd, Pemda, Province, StaffMembership
from aduan.complaints.audit import GENESIS, event_hash
from aduan.complaints.models import (
    Attachment,
    Complaint,
    ComplaintEvent,
    ComplaintHop,
    ComplaintRating,
    ReporterIdentity,
    TicketCounter,
)
from aduan.sla.calendar import WorkCalendar, add_calendar_days, add_working_days, count_working_days
from aduan.sla.models import SlaPolicy, Stage
from aduan.sla.services import calendar_for
from aduan.users.models import User

BENCH_PASSWORD = "bench-password"  # every synthetic staff account; bench databases only
CODE_PREFIX = "SY"


@dataclass(frozen=True)
class Size:
    complaints: int
    pemdas: int
    opds_per_pemda: int
    provinces: int
    years: int


SIZES = {
    "tiny": Size(complaints=2_000, pemdas=4, opds_per_pemda=5, provinces=2, years=2),
    "small": Size(complaints=50_000, pemdas=20, opds_per_pemda=10, provinces=5, years=2),
    "ci": Size(complaints=1_000_000, pemdas=100, opds_per_pemda=20, provinces=10, years=2),
    "national": Size(complaints=5_000_000, pemdas=250, opds_per_pemda=20, provinces=38, years=3),
}
ZONES = ("Asia/Jakarta", "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
CHUNK = 20_000

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

TITLES = (
    "Jalan berlubang",
    "Lampu jalan mati",
    "Sampah menumpuk",
    "Air PDAM tidak mengalir",
    "Drainase tersumbat",
    "Pelayanan KTP lambat",
    "Antrean puskesmas panjang",
    "Pungutan liar di sekolah",
    "Banjir di permukiman",
    "Izin usaha berbelit",
    "Pohon tumbang",
    "Trotoar rusak",
    "Angkot ngetem sembarangan",
    "Bau limbah pabrik",
)
WORDS = (
    "warga",
    "sudah",
    "lama",
    "mohon",
    "segera",
    "diperbaiki",
    "depan",
    "rumah",
    "kelurahan",
    "kecamatan",
    "petugas",
    "tidak",
    "datang",
    "minggu",
    "bulan",
    "anak",
    "sekolah",
    "malam",
    "hujan",
    "berbahaya",
)


def zone_calendars(places, *, now: datetime, years: int) -> dict[str, WorkCalendar]:
    """One working calendar per time zone of ``places``, covering the ``years`` generated years up
    to ``now`` and the deadlines after them. Synthetic Pemdas have no holidays of their own, so the
    calendar of any one of them is the zone's; ``calendar_for`` covers a few years around a date,
    so the calendars around the first and the last generated day are merged."""
    calendars: dict[str, WorkCalendar] = {}
    for place in places:
        if place.zone in calendars:
            continue
        pemda = Pemda(pk=place.pemda_id, timezone=place.zone)
        parts = [calendar_for(pemda, around=at) for at in (now - timedelta(days=365 * years), now)]
        calendars[place.zone] = WorkCalendar(
            zone=parts[0].zone,
            holidays=frozenset().union(*(c.holidays for c in parts)),
            working_exceptions=frozenset().union(*(c.working_exceptions for c in parts)),
        )
    return calendars


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
                    cursor.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows)
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


@dataclass
class Place:
    pemda_id: int
    code: str
    koordinator_id: int
    opds: list  # (opd_id, petugas_id)
    weight: float
    zone: str


def _places(size: Size, rng: random.Random, *, stdout) -> list[Place]:
    if Pemda.objects.filter(code__startswith=CODE_PREFIX).exists():
        raise RuntimeError(
            "This database already holds synthetic data (Pemda codes starting with SY); "
            "use a fresh benchmark database."
        )
    # PBKDF2 whatever the settings say, so a server with the shipped settings accepts it.
    hasher = PBKDF2PasswordHasher()
    password = hasher.encode(BENCH_PASSWORD, hasher.salt())
    provinces = [
        Province.objects.create(name=f"Provinsi Sintetis {i + 1}", code=f"{CODE_PREFIX}{i + 1:02d}")
        for i in range(size.provinces)
    ]
    places = []
    users = []
    memberships = []
    for i in range(size.pemdas):
        pemda = Pemda.objects.create(
            name=f"Pemerintah Kota Sintetis {i + 1}",
            code=f"{CODE_PREFIX}{i + 1:03d}",
            kind=Pemda.Kind.KOTA,
            province=provinces[i % len(provinces)],
            timezone=ZONES[i % len(ZONES)],
        )
        opds = Opd.objects.bulk_create(
            [
                Opd(pemda=pemda, name=f"Dinas {j + 1} {pemda.code}", short_name=f"D{j + 1}")
                for j in range(size.opds_per_pemda)
            ]
        )
        koordinator = User(
            email=f"koordinator@{pemda.code.lower()}.bench", full_name="Koordinator", password=password
        )
        staff = [
            User(
                email=f"petugas{j + 1}@{pemda.code.lower()}.bench",
                full_name=f"Petugas {j + 1}",
                password=password,
            )
            for j in range(len(opds))
        ]
        users.append((pemda, opds, koordinator, staff))
    User.objects.bulk_create([u for _p, _o, k, s in users for u in (k, *s)], batch_size=2000)
    by_email = dict(User.objects.filter(email__endswith=".bench").values_list("email", "pk"))
    for rank, (pemda, opds, koordinator, staff) in enumerate(users):
        memberships.append(
            StaffMembership(user_id=by_email[koordinator.email], role="koordinator", pemda=pemda)
        )
        memberships += [
            StaffMembership(user_id=by_email[s.email], role="petugas_opd", opd=o)
            for o, s in zip(opds, staff, strict=True)
        ]
        places.append(
            Place(
                pemda_id=pemda.pk,
                code=pemda.code,
                koordinator_id=by_email[koordinator.email],
                opds=[(o.pk, by_email[s.email]) for o, s in zip(opds, staff, strict=True)],
                weight=1.0 / (rank + 1) ** 0.8,  # skewed: a few big cities, a long tail
                zone=pemda.timezone,
            )
        )
    StaffMembership.objects.bulk_create(memberships, batch_size=2000)
    stdout.write(f"{len(places)} Pemdas, {sum(len(p.opds) for p in places)} OPDs, {len(by_email)} staff\n")
    return places


def generate(
    *,
    size_name: str,
    seed: int = 20261128,
    now: datetime | None = None,
    stdout=sys.stdout,
    workers: int | None = None,
    drop_indexes: bool | None = None,
) -> dict:
    """Generate the synthetic data set ``size_name``; return counts and the elapsed seconds.

    On PostgreSQL, big sizes are written by several processes at once (``workers``, default one per
    core), each for its own share of the Pemdas with its own block of ids, and the secondary indexes
    of the filled tables are dropped during the load and built again at the end (a bulk load's usual
    trick: one sort per index instead of millions of index insertions)."""
    size = SIZES[size_name]
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    started = time.monotonic()
    places = _places(size, rng, stdout=stdout)
    policies = {
        p.stage: p.pk
        for p in SlaPolicy.objects.filter(category__isnull=True, classification="").order_by("effective_from")
    }
    missing = {s for s in Stage.values if s not in policies}
    if missing:
        raise RuntimeError(f"no default SLA policy for {sorted(missing)}; run migrate first")
    calendars = zone_calendars(places, now=now, years=size.years)
    from aduan.sla.models import Deadline

    postgres = connection.vendor == "postgresql"
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if postgres and size.complaints >= 100_000 else 1
    workers = max(1, min(workers, len(places)))
    stride = size.complaints // workers + 1
    bases = {
        Complaint: Ids(Complaint).next,
        ComplaintEvent: Ids(ComplaintEvent).next,
        ComplaintHop: Ids(ComplaintHop).next,
        Attachment: Ids(Attachment).next,
        "deadline": Ids(Deadline).next,
    }
    per_complaint = {Complaint: 1, ComplaintEvent: 8, ComplaintHop: 3, Attachment: 1, "deadline": 10}
    jobs = []
    for k in range(workers):
        ids = {}
        for key, base in bases.items():
            ids[key] = Ids.at(base + k * stride * per_complaint[key])
        share = [p for i, p in enumerate(places) if i % workers == k]
        count = len(range(k, size.complaints, workers))
        jobs.append((k, share, count, ids))
    if drop_indexes is None:
        drop_indexes = size.complaints >= 100_000
    dropped = _drop_secondary_indexes(stdout) if postgres and drop_indexes else []
    try:
        if workers == 1:
            results = [_work(jobs[0], size, seed, now, (policies, calendars), stdout, started, None)]
        else:
            results = _work_in_processes(jobs, size, seed, now, (policies, calendars), stdout, started)
    finally:
        _recreate_indexes(dropped, stdout)
    counters: dict[tuple[int, int], int] = {}
    counts = dict.fromkeys(("complaints", "events", "hops", "deadlines", "ratings", "attachments", "rows"), 0)
    for part_counts, part_counters in results:
        for key, value in part_counts.items():
            counts[key] += value
        counters.update(part_counters)
    _finish(counters)
    counts["workers"] = workers
    counts["seconds"] = round(time.monotonic() - started, 1)
    stdout.write("\n")
    return counts


def _work(job, size, seed, now, rules, stdout, started, progress) -> tuple[dict, dict]:
    """One worker's share: its Pemdas, its number of complaints, its blocks of ids."""
    k, places, count, ids = job
    rng = random.Random(seed * 100 + k)
    counters: dict[tuple[int, int], int] = {}
    span = timedelta(days=365 * size.years)
    start_at = now - span
    cum_weights = list(itertools.accumulate(p.weight for p in places))
    writer = Writer()
    counts = dict.fromkeys(("complaints", "events", "hops", "deadlines", "ratings", "attachments"), 0)
    gen = _Generator(rng, now, rules, ids, writer, counts)
    for n in range(count):
        place = rng.choices(places, cum_weights=cum_weights)[0] if n % 64 else places[n % len(places)]
        # more complaints in recent months: the service grows
        submitted = start_at + span * (rng.random() ** 0.7)
        year = submitted.year
        counters[(place.pemda_id, year)] = number = counters.get((place.pemda_id, year), 0) + 1
        gen.complaint(place, submitted, f"{place.code}-{year}-{number:06d}")
        if (n + 1) % CHUNK == 0 or n + 1 == count:
            writer.flush()
            if progress is None:
                _progress(stdout, n + 1, size.complaints, started)
            else:
                with progress.get_lock():
                    progress.value += CHUNK if (n + 1) % CHUNK == 0 else count % CHUNK
    counts["rows"] = writer.total
    return counts, counters


def _work_in_processes(jobs, size, seed, now, rules, stdout, started) -> list:
    import multiprocessing
    import queue as queue_module

    context = multiprocessing.get_context("fork")
    progress = context.Value("l", 0)
    results = context.Queue()
    connection.close()  # every process opens its own connection
    processes = [
        context.Process(target=_work_child, args=(job, size, seed, now, rules, progress, started, results))
        for job in jobs
    ]
    for process in processes:
        process.start()
    collected: dict[int, tuple] = {}
    while len(collected) < len(jobs):
        try:
            k, outcome = results.get(timeout=1)
        except queue_module.Empty:
            _progress(stdout, min(progress.value, size.complaints), size.complaints, started)
            if any(p.exitcode not in (None, 0) for p in processes):
                raise RuntimeError("a generator process died; see its traceback above") from None
            continue
        if isinstance(outcome, str):
            raise RuntimeError(f"generator process {k} failed:\n{outcome}")
        collected[k] = outcome
    for process in processes:
        process.join()
    _progress(stdout, size.complaints, size.complaints, started)
    return [collected[k] for k in sorted(collected)]


def _work_child(job, size, seed, now, rules, progress, started, results) -> None:
    import traceback

    from django.db import connections

    for conn in connections.all():
        conn.close()  # never reuse the parent's socket
    try:
        results.put((job[0], _work(job, size, seed, now, rules, None, started, progress)))
    except Exception:  # reported to the parent, which raises it
        results.put((job[0], traceback.format_exc()))
    finally:
        connections.close_all()


def _drop_secondary_indexes(stdout) -> list[tuple[str, str]]:
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


def _recreate_indexes(dropped, stdout, *, connections_count: int = 2) -> None:
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


def _progress(stdout, done: int, total: int, started: float) -> None:
    width = 30
    filled = int(width * done / total)
    rate = done / max(time.monotonic() - started, 1e-6)
    stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} complaints  {rate:,.0f}/s")
    stdout.flush()


def _finish(counters) -> None:
    TicketCounter.objects.bulk_create(
        [TicketCounter(pemda_id=p, year=y, last_number=n) for (p, y), n in counters.items()], batch_size=2000
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (*ORDER, "users_user"):
                if table in (ReporterIdentity._meta.db_table, ComplaintRating._meta.db_table):
                    continue  # keyed by complaint_id, no sequence
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            cursor.execute(f"ANALYZE {', '.join(ORDER)}")


class _Generator:
    """Writes one complaint's rows in the shapes complaint_transition() and the SLA services write."""

    def __init__(self, rng, now, rules, ids, writer, counts):
        """``rules``: (the default policy id per stage, the working calendar per zone)."""
        self.rng, self.now, self.ids, self.w, self.counts = rng, now, ids, writer, counts
        self.policies, self.calendars = rules

    def complaint(self, place: Place, submitted: datetime, ticket: str) -> None:
        rng, now = self.rng, self.now
        cid = self.ids[Complaint].take()
        self.cid, self.place, self.cal = cid, place, self.calendars[place.zone]
        anonymous = rng.random() < 0.1
        opd_id, petugas_id = rng.choice(place.opds)
        status, closed_at, current_opd, archive_reason, forwarded = "submitted", None, None, "", ""
        self.clocks: dict[str, list] = {}
        self.seq, self.last_hash = 0, GENESIS  # the complaint's hash chain (audit.py)
        self.event("submit", "", "submitted", None, "citizen", None, submitted)
        self.start(Stage.VERIFICATION, submitted, 3, None, None)
        self.start(Stage.RESOLUTION, submitted, 60, None, None, calendar=True)
        self.start(Stage.LEGAL_RESPONSE, submitted, 14, None, None, calendar=True)
        t = submitted + timedelta(hours=rng.expovariate(1 / 40))  # verification takes ~1–2 working days
        path = rng.random()
        hop = None
        if t < now:
            if path < 0.07:
                status, archive_reason = (
                    "archived",
                    rng.choice(["unintelligible", "not_public_service", "duplicate"]),
                )
                self.event("archive", "submitted", status, place.koordinator_id, "koordinator", None, t)
                for stage in (Stage.VERIFICATION, Stage.RESOLUTION, Stage.LEGAL_RESPONSE):
                    self.meet(stage, t)
                closed_at = t
                archive_reason = archive_reason if archive_reason != "duplicate" else "unintelligible"
            elif path < 0.10:
                status, forwarded = "forwarded_out", "BPJS Kesehatan"
                self.event("forward_out", "submitted", status, place.koordinator_id, "koordinator", None, t)
                for stage in (Stage.VERIFICATION, Stage.RESOLUTION, Stage.LEGAL_RESPONSE):
                    self.meet(stage, t)
                closed_at = t
            else:
                status, current_opd = "dispatched", opd_id
                ev = self.event(
                    "dispatch", "submitted", status, place.koordinator_id, "koordinator", opd_id, t
                )
                self.meet(Stage.VERIFICATION, t)
                hop = self.hop(opd_id, t, ev)
                self.start(Stage.FOLLOW_UP, t, 5, hop, opd_id)
                if rng.random() < 0.08:  # wrong OPD: re-dispatched after a few days
                    t2 = t + timedelta(hours=rng.expovariate(1 / 60))
                    if t2 < now:
                        other, petugas_id = rng.choice(place.opds)
                        ev = self.event(
                            "redispatch", status, status, place.koordinator_id, "koordinator", other, t2
                        )
                        self.cancel(Stage.FOLLOW_UP, t2)
                        self.end_hop(hop, t2, ev)
                        hop, current_opd, t = self.hop(other, t2, ev), other, t2
                        self.start(Stage.FOLLOW_UP, t, 5, hop, other)
                # first follow-up: skewed, a tail of late OPDs
                t3 = t + timedelta(hours=rng.lognormvariate(4.2, 0.9))
                if t3 < now:
                    status = "followed_up"
                    self.event("follow_up", "dispatched", status, petugas_id, "petugas_opd", None, t3)
                    self.meet(Stage.FOLLOW_UP, t3)
                    self.meet(Stage.LEGAL_RESPONSE, t3)
                    self.start(Stage.REPLY_WINDOW, t3, 10, hop, current_opd)
                    t4 = t3 + timedelta(hours=rng.expovariate(1 / 70)) if rng.random() < 0.5 else None
                    auto = add_working_days(t3, 10, self.cal)
                    end = t4 if t4 is not None and t4 < auto else auto
                    if end < now:
                        status, closed_at = "resolved", end
                        action, role = ("accept", "citizen") if end is t4 else ("auto_resolve", "system")
                        resolved_by = self.event(action, "followed_up", status, None, role, None, end)
                        self.meet(Stage.REPLY_WINDOW, end)
                        self.meet(Stage.RESOLUTION, end, resolved_by=current_opd)
                        self.end_hop(hop, end, resolved_by)
                        if rng.random() < 0.4:
                            score = rng.choices((1, 2, 3, 4, 5), cum_weights=(5, 12, 27, 65, 100))[0]
                            self.w.add(ComplaintRating._meta.db_table, RATING_COLS, (cid, score, "", end))
                            self.counts["ratings"] += 1
        self.close_clocks()
        title = f"{rng.choice(TITLES)} di {place.code} #{cid}"
        chronology = " ".join(rng.choices(WORDS, k=24)).capitalize() + "."
        self.w.add(
            Complaint._meta.db_table,
            COMPLAINT_COLS,
            (
                cid,
                submitted,
                closed_at or submitted,
                place.pemda_id,
                ticket,
                f"{self.rng.getrandbits(256):064x}",
                "pengaduan",
                title,
                chronology,
                None,
                "",
                None,
                None,
                None,
                None,
                current_opd,
                anonymous,
                False,
                status,
                closed_at or submitted,
                submitted,
                closed_at,
                archive_reason,
                None,
                forwarded,
                None,
                "web",
                0,
                None,
            ),
        )
        self.w.add(
            ReporterIdentity._meta.db_table,
            IDENTITY_COLS,
            (cid, f"Warga {cid}", f"warga{cid}@example.id", f"0812{cid:08d}", "", "id"),
        )
        if rng.random() < 0.3:
            self.w.add(
                Attachment._meta.db_table,
                ATTACHMENT_COLS,
                (
                    self.ids[Attachment].take(),
                    cid,
                    f"synthetic/{cid}.jpg",
                    "foto.jpg",
                    "image/jpeg",
                    rng.randint(40_000, 900_000),
                    None,
                    False,
                    submitted,
                    "clean",
                    "",
                    submitted,
                ),
            )
            self.counts["attachments"] += 1
        self.counts["complaints"] += 1

    def event(self, action, from_status, to_status, actor_id, role, opd_id, at) -> int:
        eid = self.ids[ComplaintEvent].take()
        self.seq += 1
        digest = event_hash(
            prev_hash=self.last_hash,
            complaint_id=self.cid,
            seq=self.seq,
            action=action,
            from_status=from_status,
            to_status=to_status,
            actor_id=actor_id,
            actor_role=role,
            opd_id=opd_id,
            note="",
            created_at=at,
        )
        self.w.add(
            ComplaintEvent._meta.db_table,
            EVENT_COLS,
            (eid, self.cid, action, from_status, to_status, actor_id, role, opd_id, "", at, self.seq,
             self.last_hash, digest),
        )  # fmt: skip
        self.last_hash = digest
        self.counts["events"] += 1
        return eid

    def hop(self, opd_id, at, event_id) -> list:
        row = [self.ids[ComplaintHop].take(), self.cid, opd_id, at, None, event_id, None]
        self.hops = getattr(self, "hops", [])
        self.hops.append(row)
        return row

    def end_hop(self, hop, at, event_id) -> None:
        hop[4], hop[6] = at, event_id

    def start(self, stage, at, amount, hop, opd_id, *, calendar=False) -> None:
        due = add_calendar_days(at, amount, self.cal) if calendar else add_working_days(at, amount, self.cal)
        self.clocks[stage] = {
            "started": at,
            "due": due,
            "hop": hop[0] if hop else None,
            "opd": opd_id,
            "end": None,
            "met": False,
            "policy": self.policies[stage],
            "resolved_by": None,
        }

    def meet(self, stage, at, *, resolved_by=None) -> None:
        clock = self.clocks.get(stage)
        if clock and clock["end"] is None:
            clock["end"], clock["met"], clock["resolved_by"] = at, True, resolved_by
            self._flush_clock(stage, clock)

    def cancel(self, stage, at) -> None:
        clock = self.clocks.get(stage)
        if clock and clock["end"] is None:
            clock["end"] = at
            self._flush_clock(stage, clock)

    def close_clocks(self) -> None:
        for stage, clock in self.clocks.items():
            if clock["end"] is None:
                self._flush_clock(stage, clock)
        for hop in getattr(self, "hops", []):
            self.w.add(ComplaintHop._meta.db_table, HOP_COLS, tuple(hop))
            self.counts["hops"] += 1
        self.hops = []
        self.clocks = {}

    def _flush_clock(self, stage, c) -> None:
        end, due, now = c["end"], c["due"], self.now
        breached = None
        opd = c["opd"]
        if stage != Stage.REPLY_WINDOW and ((end is not None and end > due) or (end is None and due <= now)):
            breached = due
            if opd is None:
                opd = self._holder_at(due)
        remind = add_working_days(due - timedelta(days=1), 0, self.cal) if end is None and due > now else None
        next_check = (remind or due) if end is None and due > now else None
        taken = count_working_days(c["started"], end, self.cal) if end is not None else None
        cal_taken = (end - c["started"]).days if end is not None else None
        self.w.add(
            "sla_deadline",
            DEADLINE_COLS,
            (
                self.ids["deadline"].take(),
                self.cid,
                stage,
                c["hop"],
                opd,
                c["policy"],
                c["started"],
                due,
                remind,
                None,
                end if c["met"] else None,
                None if c["met"] else end,
                breached,
                None,
                0,
                0,
                next_check,
                taken,
                cal_taken,
                c["resolved_by"],
            ),
        )
        c["end"] = c["end"] or now  # written: never again
        self.counts["deadlines"] += 1

    def _holder_at(self, at):
        for hop in getattr(self, "hops", []):
            if hop[3] <= at and (hop[4] is None or hop[4] > at):
                return hop[2]
        return None
