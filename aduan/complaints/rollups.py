"""The compliance-rollup facts of whole complaints (aduan.sla.rollups explains the cells and why
some figures are not sums of days): submission and closing (the backlog's state cells), hops,
clocks, rating and SKM answers.

- ``complaint_facts(complaint)``: the facts of one complaint as stored now (4 queries); a move
  (``workflow.complaint_transition``) takes them when it has locked the row and again at the end,
  and applies the difference in its transaction.
- ``facts_of(complaint_rows)``: the same for many complaints at once, in 4 queries per batch
  (the rebuild, ``metrics_rebuild``, reads the rows of a Pemda with ``pemda_rows``): the one
  definition serves both paths. The queries give every instant as its local day in the Pemda's
  zone (``TruncDate``), which is all the facts need.
- ``submitted_facts``, ``supporters_facts``, ``feedback_facts``: the small additions of a filing,
  a "+1", a rating or an SKM answer.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, partial
from zoneinfo import ZoneInfo

from django.db.models import F
from django.db.models.functions import TruncDate

from aduan.sla.models import Deadline, Stage
from aduan.sla.rollups import BACKLOG_DAYS, NO_OPD, Facts, clock_facts, gap_facts, local_day

from .models import Complaint, ComplaintHop, ComplaintRating, SkmResponse

DISPATCH_ACTIONS = ("dispatch", "redispatch")
SKM_FIELDS = tuple(f"u{i}" for i in range(1, 10))


@dataclass(frozen=True)
class Row:
    """The fields of a complaint the facts need (instants as local days in the Pemda's zone)."""

    pk: int
    pemda_id: int
    timezone: str
    current_opd_id: int | None
    submitted: date
    channel: str
    supporters_count: int
    closed: date | None
    category_id: int | None = None


def row_of(complaint: Complaint) -> Row:
    zone = complaint.pemda.zoneinfo
    return Row(
        complaint.pk,
        complaint.pemda_id,
        complaint.pemda.timezone,
        complaint.current_opd_id,
        local_day(complaint.submitted_at, zone),
        complaint.channel,
        complaint.supporters_count,
        local_day(complaint.closed_at, zone) if complaint.closed_at else None,
        complaint.category_id,
    )


def submitted_facts(row: Row) -> Facts:
    """The complaint's submission ("+1"s included) and its backlog cells: open from the day it was
    submitted to the day it was closed, if it is closed (aduan.sla.rollups, ``STATE_METRICS``)."""
    key = (row.pemda_id, row.current_opd_id or NO_OPD, row.submitted)
    facts: Facts = Counter({(*key, "sub", row.channel, 0): 1, (*key, "open", "", 0): 1})
    if row.supporters_count:
        facts[(*key, "sup", row.channel, 0)] = row.supporters_count
    days = BACKLOG_DAYS
    if row.closed is not None:
        closing = (row.pemda_id, row.current_opd_id or NO_OPD, row.closed, "open", "", 0)
        facts[closing] = facts.get(closing, 0) - 1
        days = min((row.closed - row.submitted).days, BACKLOG_DAYS)
    facts[(*key, "open_days", "", days)] = 1
    return facts


def supporters_facts(complaint: Complaint, added: int) -> Facts:
    """``added`` "+1"s on ``complaint`` (its row locked by the caller)."""
    day = local_day(complaint.submitted_at, complaint.pemda.zoneinfo)
    return Counter(
        {(complaint.pemda_id, complaint.current_opd_id or NO_OPD, day, "sup", complaint.channel, 0): added}
    )


def _rating_facts(pemda_id: int, opd_id: int, day: date, score: int) -> Facts:
    return Counter(
        {(pemda_id, opd_id, day, "rating", "", 0): 1, (pemda_id, opd_id, day, "rating_sum", "", 0): score}
    )


def _skm_facts(pemda_id: int, opd_id: int, day: date, answers: Iterable[int]) -> Facts:
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
        return _rating_facts(complaint.pemda_id, opd_id, local_day(rating.created_at, zone), rating.score)
    answers = [getattr(skm, f) for f in SKM_FIELDS]
    return _skm_facts(complaint.pemda_id, opd_id, local_day(skm.created_at, zone), answers)


def complaint_facts(complaint: Complaint) -> Facts:
    """Every fact of one complaint as stored now (its row is locked by the caller)."""
    return facts_of([row_of(complaint)])


def _day(field: str, zone: str) -> TruncDate:
    """The local day of an instant in ``zone``, computed by the database."""
    return TruncDate(field, tzinfo=_zone(zone))


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def facts_of(rows: list[Row], *, scope=None) -> Facts:
    """Every fact of the given complaints: 4 queries (hops, stopped clocks, ratings, SKM) per time
    zone among their Pemdas. ``scope`` (rows of one zone) is a queryset of exactly their pks, in
    place of the list of them (the rebuild: a range of one Pemda's complaints)."""
    facts: Facts = Counter()
    if not rows:
        return facts
    by_pk = {r.pk: r for r in rows}

    def add(key, n: int = 1) -> None:
        facts[key] = facts.get(key, 0) + n

    for r in rows:
        facts.update(submitted_facts(r))

    hops, clocks, ratings, skms = [], [], [], []
    by_zone: dict[str, list[int]] = {}
    for r in rows:
        by_zone.setdefault(r.timezone, []).append(r.pk)
    for zone, pks in by_zone.items():
        ids = pks if scope is None or len(by_zone) > 1 else scope
        hops += (
            ComplaintHop.objects.filter(complaint_id__in=ids)
            .annotate(day=_day("started_at", zone), handled=_day("handled_at", zone))
            .order_by("complaint_id", "started_at", "pk")
            .values_list(
                "complaint_id", "opd_id", "day", "started_by__action", "handled", "handled_working_days"
            )
        )
        # Stopped clocks, the last resolution of a complaint read last: its latest by (met_at, pk),
        # a NULL met_at last (as ``last_resolving_opd_id`` orders them descending, NULL first).
        clocks += (
            Deadline.objects.filter(complaint_id__in=ids)
            .exclude(met_at__isnull=True, breached_at__isnull=True)
            .exclude(stage=Stage.REPLY_WINDOW)
            .annotate(met=_day("met_at", zone), breached=_day("breached_at", zone))
            .order_by(F("met_at").asc(nulls_last=True), "pk")
            .values_list(
                "complaint_id", "stage", "opd_id", "resolved_by_id", "met", "breached", "working_days_taken"
            )
        )
        ratings += (
            ComplaintRating.objects.filter(complaint_id__in=ids)
            .annotate(day=_day("created_at", zone))
            .values_list("complaint_id", "day", "score")
            .order_by()
        )
        skms += (
            SkmResponse.objects.filter(complaint_id__in=ids)
            .annotate(day=_day("created_at", zone))
            .values_list("complaint_id", "day", *SKM_FIELDS)
            .order_by()
        )

    # Hops in the order they started: a dispatch to an OPD that had the complaint before is a
    # duplicate receipt, ``value`` days after the previous one.
    last_dispatch: dict[int, date] = {}
    current = None
    for complaint_id, opd_id, day, action, handled, handled_days in hops:
        if complaint_id != current:
            current, last_dispatch = complaint_id, {}
        pemda_id = by_pk[complaint_id].pemda_id
        if action == "dispatch":
            add((pemda_id, opd_id, day, "hop_disp", "", 0))
        elif action == "reopen":
            add((pemda_id, opd_id, day, "hop_reopen", "", 0))
        if action in DISPATCH_ACTIONS:
            add((pemda_id, opd_id, day, "hop_recv", "", 0))
            if opd_id in last_dispatch:
                gap_facts(
                    facts, (pemda_id, opd_id, day), "hop_recv_dup", "", (day - last_dispatch[opd_id]).days
                )
            last_dispatch[opd_id] = day
        if handled is not None and handled_days is not None:
            add((pemda_id, opd_id, handled, "handled", "", handled_days))

    resolver: dict[int, int] = {}
    for complaint_id, stage, opd_id, resolved_by_id, met, breached, days in clocks:
        r = by_pk[complaint_id]
        clock_facts(
            pemda_id=r.pemda_id,
            channel=r.channel,
            stage=stage,
            opd_id=opd_id,
            resolved_by_id=resolved_by_id,
            met=met,
            breached=breached,
            working_days_taken=days,
            category_id=r.category_id,
            into=facts,
        )
        if stage == Stage.RESOLUTION and resolved_by_id is not None:
            resolver[complaint_id] = resolved_by_id  # the last one read is the latest

    for complaint_id, day, score in ratings:
        opd_id = resolver.get(complaint_id, NO_OPD)
        facts.update(_rating_facts(by_pk[complaint_id].pemda_id, opd_id, day, score))
    for complaint_id, day, *answers in skms:
        opd_id = resolver.get(complaint_id, NO_OPD)
        facts.update(_skm_facts(by_pk[complaint_id].pemda_id, opd_id, day, answers))
    return facts


def pemda_rows(pemda) -> list[Row]:
    """``Row``s of every complaint of one Pemda, in id order (one query)."""
    day = partial(_day, zone=pemda.timezone)
    return [
        Row(pk, pemda.pk, pemda.timezone, *values)
        for pk, *values in Complaint.objects.filter(pemda_id=pemda.pk)
        .annotate(submitted=day("submitted_at"), closed=day("closed_at"))
        .order_by("pk")
        .values_list(
            "pk", "current_opd_id", "submitted", "channel", "supporters_count", "closed", "category_id"
        )
    ]
