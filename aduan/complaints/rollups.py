"""The compliance-rollup facts of whole complaints (aduan.sla.rollups explains the cells and why
some figures are not sums of days): submission, hops, clocks, rating and SKM answers.

- ``complaint_facts(complaint)``: the facts of one complaint as stored now (4 queries); a move
  (``workflow.complaint_transition``) takes them when it has locked the row and again at the end,
  and applies the difference in its transaction.
- ``facts_of(complaint_rows)``: the same for many complaints at once, in 4 queries per batch
  (the rebuild, ``metrics_rebuild``): the one definition serves both paths.
- ``submitted_facts``, ``supporters_facts``, ``feedback_facts``: the small additions of a filing,
  a "+1", a rating or an SKM answer.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from aduan.sla.models import Deadline, Stage
from aduan.sla.rollups import NO_OPD, Facts, clock_facts, local_day

from .models import Complaint, ComplaintHop, ComplaintRating, SkmResponse

DISPATCH_ACTIONS = ("dispatch", "redispatch")
SKM_FIELDS = tuple(f"u{i}" for i in range(1, 10))


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class Row:
    """The fields of a complaint the facts need."""

    pk: int
    pemda_id: int
    timezone: str
    current_opd_id: int | None
    submitted_at: datetime
    channel: str
    supporters_count: int


ROW_FIELDS = (
    "pk",
    "pemda_id",
    "pemda__timezone",
    "current_opd_id",
    "submitted_at",
    "channel",
    "supporters_count",
)


def row_of(complaint: Complaint) -> Row:
    return Row(
        complaint.pk,
        complaint.pemda_id,
        complaint.pemda.timezone,
        complaint.current_opd_id,
        complaint.submitted_at,
        complaint.channel,
        complaint.supporters_count,
    )


def submitted_facts(row: Row) -> Facts:
    zone = _zone(row.timezone)
    key = (row.pemda_id, row.current_opd_id or NO_OPD, local_day(row.submitted_at, zone))
    facts: Facts = Counter({(*key, "sub", row.channel, 0): 1})
    if row.supporters_count:
        facts[(*key, "sup", row.channel, 0)] = row.supporters_count
    return facts


def supporters_facts(complaint: Complaint, added: int) -> Facts:
    """``added`` "+1"s on ``complaint`` (its row locked by the caller)."""
    day = local_day(complaint.submitted_at, complaint.pemda.zoneinfo)
    return Counter(
        {(complaint.pemda_id, complaint.current_opd_id or NO_OPD, day, "sup", complaint.channel, 0): added}
    )


def _rating_facts(pemda_id: int, opd_id: int, zone, created_at: datetime, score: int) -> Facts:
    day = local_day(created_at, zone)
    return Counter(
        {(pemda_id, opd_id, day, "rating", "", 0): 1, (pemda_id, opd_id, day, "rating_sum", "", 0): score}
    )


def _skm_facts(pemda_id: int, opd_id: int, zone, created_at: datetime, answers: Iterable[int]) -> Facts:
    day = local_day(created_at, zone)
    facts: Facts = Counter({(pemda_id, opd_id, day, "skm", "", 0): 1})
    for name, value in zip(SKM_FIELDS, answers, strict=True):
        if value:
            facts[(pemda_id, opd_id, day, "skm_u", name, 0)] += value
    return facts


def last_resolving_opd_id(complaint_id: int) -> int:
    """The OPD that held the complaint when it was last resolved (as selectors.last_resolving_opd)."""
    found = (
        Deadline.objects.filter(complaint_id=complaint_id, stage=Stage.RESOLUTION, resolved_by__isnull=False)
        .order_by("-met_at", "-pk")
        .values_list("resolved_by_id", flat=True)
        .first()
    )
    return found or NO_OPD


def feedback_facts(complaint: Complaint, *, rating=None, skm=None) -> Facts:
    """A rating or SKM answer just given (attributed to the OPD that last resolved the complaint)."""
    opd_id = last_resolving_opd_id(complaint.pk)
    zone = complaint.pemda.zoneinfo
    if rating is not None:
        return _rating_facts(complaint.pemda_id, opd_id, zone, rating.created_at, rating.score)
    return _skm_facts(complaint.pemda_id, opd_id, zone, skm.created_at, [getattr(skm, f) for f in SKM_FIELDS])


def complaint_facts(complaint: Complaint) -> Facts:
    """Every fact of one complaint as stored now (its row is locked by the caller)."""
    return facts_of([row_of(complaint)])


def facts_of(rows: list[Row]) -> Facts:
    """Every fact of the given complaints: 4 queries (hops, stopped clocks, ratings, SKM)."""
    facts: Facts = Counter()
    if not rows:
        return facts
    by_pk = {r.pk: r for r in rows}
    ids = list(by_pk)
    for r in rows:
        facts.update(submitted_facts(r))

    hops = defaultdict(list)
    for hop in (
        ComplaintHop.objects.filter(complaint_id__in=ids)
        .values_list(
            "complaint_id",
            "pk",
            "opd_id",
            "started_at",
            "started_by__action",
            "handled_at",
            "handled_working_days",
        )
        .order_by()
    ):
        hops[hop[0]].append(hop[1:])
    for complaint_id, items in hops.items():
        r = by_pk[complaint_id]
        zone = _zone(r.timezone)
        last_dispatch: dict[int, datetime] = {}
        for _pk, opd_id, started_at, action, handled_at, handled_days in sorted(
            items, key=lambda h: (h[2], h[0])
        ):
            day = local_day(started_at, zone)
            if action == "dispatch":
                facts[(r.pemda_id, opd_id, day, "hop_disp", "", 0)] += 1
            elif action == "reopen":
                facts[(r.pemda_id, opd_id, day, "hop_reopen", "", 0)] += 1
            if action in DISPATCH_ACTIONS:
                facts[(r.pemda_id, opd_id, day, "hop_recv", "", 0)] += 1
                if opd_id in last_dispatch:
                    gap = (day - last_dispatch[opd_id]).days
                    facts[(r.pemda_id, opd_id, day, "hop_recv_dup", "", gap)] += 1
                last_dispatch[opd_id] = day
            if handled_at is not None and handled_days is not None:
                facts[(r.pemda_id, opd_id, local_day(handled_at, zone), "handled", "", handled_days)] += 1

    resolver: dict[int, tuple] = {}
    for complaint_id, pk, stage, opd_id, resolved_by_id, met_at, breached_at, days in (
        Deadline.objects.filter(complaint_id__in=ids)
        .exclude(met_at__isnull=True, breached_at__isnull=True)
        .exclude(stage=Stage.REPLY_WINDOW)
        .values_list(
            "complaint_id",
            "pk",
            "stage",
            "opd_id",
            "resolved_by_id",
            "met_at",
            "breached_at",
            "working_days_taken",
        )
        .order_by()
    ):
        r = by_pk[complaint_id]
        facts.update(
            clock_facts(
                pemda_id=r.pemda_id,
                zone=_zone(r.timezone),
                channel=r.channel,
                stage=stage,
                opd_id=opd_id,
                resolved_by_id=resolved_by_id,
                met_at=met_at,
                breached_at=breached_at,
                working_days_taken=days,
            )
        )
        if stage == Stage.RESOLUTION and resolved_by_id is not None:
            # The latest resolution by (met_at, pk) descending, NULL met_at first as PostgreSQL sorts.
            rank = (met_at is None, met_at.timestamp() if met_at else 0.0, pk)
            if complaint_id not in resolver or rank > resolver[complaint_id][0]:
                resolver[complaint_id] = (rank, resolved_by_id)

    for complaint_id, created_at, score in ComplaintRating.objects.filter(complaint_id__in=ids).values_list(
        "complaint_id", "created_at", "score"
    ):
        r = by_pk[complaint_id]
        opd_id = resolver.get(complaint_id, (None, NO_OPD))[1]
        facts.update(_rating_facts(r.pemda_id, opd_id, _zone(r.timezone), created_at, score))
    for complaint_id, created_at, *answers in SkmResponse.objects.filter(complaint_id__in=ids).values_list(
        "complaint_id", "created_at", *SKM_FIELDS
    ):
        r = by_pk[complaint_id]
        opd_id = resolver.get(complaint_id, (None, NO_OPD))[1]
        facts.update(_skm_facts(r.pemda_id, opd_id, _zone(r.timezone), created_at, answers))
    return facts


def rows_of(queryset) -> Iterable[Row]:
    """``Row``s of a complaint queryset, streamed."""
    for values in queryset.values_list(*ROW_FIELDS).iterator(chunk_size=5000):
        yield Row(*values)
