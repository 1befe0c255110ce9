"""Synthetic data for benchmarks (issue 8): many Pemdas and OPDs with skewed sizes and years of
complaints in every status, with their events, OPD hops, clocks (deadlines), breaches, ratings and
attachment rows (no files). Each Pemda has five categories, and how long its OPDs take to follow
up depends on the category and on the OPD (a slow category, a slow OPD: ``CATEGORIES`` and a
per-OPD factor drawn once), so that the breach forecast has something to learn (bench/forecast.py).

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
from django.db import connection

from aduan.agencies.models import Opd, Pemda, Province, StaffMembership
from aduan.complaints.models import (
    Attachment,
    Category,
    Complaint,
    ComplaintEvent,
    ComplaintHop,
)
from aduan.sla.calendar import WorkCalendar
from aduan.sla.models import SlaPolicy, Stage
from aduan.sla.services import calendar_for
from aduan.users.models import User

from .bulk import Ids, Writer, drop_secondary_indexes, finish_load, recreate_indexes
from .synthetic_rows import CATEGORIES, ComplaintRows, Place

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
        categories = Category.objects.bulk_create(
            [Category(pemda=pemda, name=name, name_en=name_en) for name, name_en, _factor in CATEGORIES]
        )
        users.append((pemda, opds, koordinator, staff, categories))
    User.objects.bulk_create([u for _p, _o, k, s, _c in users for u in (k, *s)], batch_size=2000)
    by_email = dict(User.objects.filter(email__endswith=".bench").values_list("email", "pk"))
    for rank, (pemda, opds, koordinator, staff, categories) in enumerate(users):
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
                categories=[(c.pk, cat[2]) for c, cat in zip(categories, CATEGORIES, strict=True)],
                # how much slower (> 1) or faster than usual each OPD follows up
                opd_speed={o.pk: rng.lognormvariate(0, 0.4) for o in opds},
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
    dropped = drop_secondary_indexes(stdout) if postgres and drop_indexes else []
    try:
        if workers == 1:
            results = [_work(jobs[0], size, seed, now, (policies, calendars), stdout, started, None)]
        else:
            results = _work_in_processes(jobs, size, seed, now, (policies, calendars), stdout, started)
    finally:
        recreate_indexes(dropped, stdout)
    counters: dict[tuple[int, int], int] = {}
    counts = dict.fromkeys(("complaints", "events", "hops", "deadlines", "ratings", "attachments", "rows"), 0)
    for part_counts, part_counters in results:
        for key, value in part_counts.items():
            counts[key] += value
        counters.update(part_counters)
    finish_load(counters)
    counts["rollup_seconds"] = _rollups_rebuild(
        {p.pemda_id for p in places}, counts["complaints"], stdout, workers=workers
    )
    counts["workers"] = workers
    counts["seconds"] = round(time.monotonic() - started, 1)
    stdout.write("\n")
    return counts


def _rollups_rebuild(pemda_ids, total: int, stdout, *, workers: int = 1) -> float:
    """Fill the compliance rollups of the generated Pemdas from what was just COPied (the rows
    bypass the services that write them), in as many processes as wrote them; returns the
    seconds it took."""
    from aduan.compliance.rollup_check import rollups_rebuild
    from aduan.core.progress import Progress

    started = time.monotonic()
    stdout.write("\n")
    progress = Progress(stdout, total=total, label="rollups", unit="complaints")
    rollups_rebuild(
        Pemda.objects.filter(pk__in=pemda_ids).order_by("pk"), progress=progress.update, workers=workers
    )
    progress.close()
    return round(time.monotonic() - started, 1)


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
    gen = ComplaintRows(rng, now, rules, ids, writer, counts)
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


def _progress(stdout, done: int, total: int, started: float) -> None:
    width = 30
    filled = int(width * done / total)
    rate = done / max(time.monotonic() - started, 1e-6)
    stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} complaints  {rate:,.0f}/s")
    stdout.flush()
