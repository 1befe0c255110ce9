"""The compliance metrics by a full scan (``metrics_scan``, ``trend_scan``): the reference that
``metrics_for`` / ``trend_for`` (which read the rollups of aduan.sla.rollups) must equal. The
consistency check (``manage.py metrics_rebuild --check``, the nightly ``metrics_check`` task), the
tests and the metrics benchmark compare the two. The definitions are in ``metrics``."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from aduan.complaints.models import Complaint, ComplaintHop, ComplaintRating, SkmResponse
from aduan.sla.models import Deadline, Stage
from aduan.sla.selectors import last_resolving_opd

from .backlog import backlog_scan_into
from .cells import Zones
from .figures import Figures
from .metrics import (
    DISPATCH_ACTIONS,
    SKM_FIELDS,
    Metrics,
    MonthCell,
    Period,
    Trend,
    _as_date,
    assemble,
    trend_months,
)


def metrics_scan(*, pemdas: Iterable, period: Period, now: datetime) -> Metrics:
    """``metrics_for`` by a full scan of complaints, hops, clocks, ratings and SKM answers: 12
    grouped queries whose cost grows with the data (the reference the rollups are checked against)."""
    pemdas = list(pemdas)
    zones = Zones(pemdas, period)
    cells: dict[tuple[int, int | None], Figures] = defaultdict(lambda: Figures(level="opd"))

    # 1. Submitted complaints: count, supporters, channels (per Pemda, OPD holding them now, channel).
    for pemda_id, opd_id, channel, n, supporters in (
        Complaint.objects.filter(zones.within("submitted_at", "pemda_id"))
        .values("pemda_id", "current_opd_id", "channel")
        .annotate(n=Count("pk"), supporters=Sum("supporters_count"))
        .values_list("pemda_id", "current_opd_id", "channel", "n", "supporters")
    ):
        cell = cells[(pemda_id, opd_id)]
        cell.submitted += n
        cell.supporters += supporters or 0
        cell.channels.add(channel)

    # 2. Verification clocks (the koordinator's: no OPD).
    for pemda_id, total, on_time in (
        Deadline.objects.filter(
            zones.within("met_at", "complaint__pemda_id")
            | zones.within("breached_at", "complaint__pemda_id"),
            stage=Stage.VERIFICATION,
        )
        .values("complaint__pemda_id")
        .annotate(
            total=Count("pk"), on_time=Count("pk", filter=Q(met_at__isnull=False, breached_at__isnull=True))
        )
        .values_list("complaint__pemda_id", "total", "on_time")
    ):
        cells[(pemda_id, None)].verified_total += total
        cells[(pemda_id, None)].verified_on_time += on_time

    # 3. Hops started in the period: received by the OPD, first dispatches, re-opens.
    for pemda_id, opd_id, received, first, reopened in (
        ComplaintHop.objects.filter(zones.within("started_at", "complaint__pemda_id"))
        .values("complaint__pemda_id", "opd_id")
        .annotate(
            received=Count("complaint_id", distinct=True, filter=Q(started_by__action__in=DISPATCH_ACTIONS)),
            first=Count("pk", filter=Q(started_by__action="dispatch")),
            reopened=Count("pk", filter=Q(started_by__action="reopen")),
        )
        .values_list("complaint__pemda_id", "opd_id", "received", "first", "reopened")
    ):
        cell = cells[(pemda_id, opd_id)]
        cell.received_by_opd += received
        cell.dispatched += first
        cell.reopened += reopened

    # 4. First-response (follow_up) clocks met or breached in the period, and the OPDs' promises
    # (promise clocks) kept or broken in the period (counts), 5. the first responses' durations.
    met = zones.within("met_at", "complaint__pemda_id")
    follow_ups = Deadline.objects.filter(stage=Stage.FOLLOW_UP)
    for pemda_id, opd_id, stage, total, done, on_time in (
        Deadline.objects.filter(stage__in=(Stage.FOLLOW_UP, Stage.PROMISE))
        .filter(met | zones.within("breached_at", "complaint__pemda_id"))
        .values("complaint__pemda_id", "opd_id", "stage")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=met),
            on_time=Count("pk", filter=met & Q(breached_at__isnull=True)),
        )
        .values_list("complaint__pemda_id", "opd_id", "stage", "total", "done", "on_time")
    ):
        cell = cells[(pemda_id, opd_id)]
        if stage == Stage.PROMISE:
            cell.promise_total += total
            cell.promise_kept += on_time
            continue
        cell.follow_up_total += total
        cell.followed_up += done
        cell.followed_up_on_time += on_time
    for pemda_id, opd_id, days, n in (
        follow_ups.filter(met, working_days_taken__isnull=False)
        .values("complaint__pemda_id", "opd_id", "working_days_taken")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("complaint__pemda_id", "opd_id", "working_days_taken", "n")
    ):
        cells[(pemda_id, opd_id)].follow_up_hist[days] += n

    # 6. Resolutions in the period: counts and the duration histogram in one grouped query over the
    # resolution clocks met in the period by a resolution (the clock stores the resolving OPD).
    for pemda_id, opd_id, days, n, on_time in (
        Deadline.objects.filter(met, stage=Stage.RESOLUTION, resolved_by__isnull=False)
        .values("complaint__pemda_id", "resolved_by_id", "working_days_taken")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(breached_at__isnull=True)))
        .order_by()
        .values_list("complaint__pemda_id", "resolved_by_id", "working_days_taken", "n", "on_time")
    ):
        cell = cells[(pemda_id, opd_id)]
        cell.resolved += n
        cell.resolved_on_time += on_time
        if days is not None:
            cell.resolve_hist[days] += n

    # 6b. Time to "selesai ditangani": the hops whose OPD reported the work done in the period.
    for pemda_id, opd_id, days, n in (
        ComplaintHop.objects.filter(zones.within("handled_at", "complaint__pemda_id"))
        .values("complaint__pemda_id", "opd_id", "handled_working_days")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("complaint__pemda_id", "opd_id", "handled_working_days", "n")
    ):
        if days is not None:
            cells[(pemda_id, opd_id)].handled_hist[days] += n

    # 7. Backlog at the end of the period (or now), by age, from the complaints table.
    backlog_scan_into(cells, zones, now)

    # 8. Breaches whose deadline fell in the period, per stage and the hop's OPD.
    for pemda_id, opd_id, stage, n in (
        Deadline.objects.filter(zones.within("breached_at", "complaint__pemda_id"))
        .exclude(stage=Stage.REPLY_WINDOW)
        .values("complaint__pemda_id", "opd_id", "stage")
        .annotate(n=Count("pk"))
        .values_list("complaint__pemda_id", "opd_id", "stage", "n")
    ):
        breaches = cells[(pemda_id, opd_id)].breaches
        breaches[stage] = breaches.get(stage, 0) + n

    # 9. Ratings given in the period.
    for pemda_id, opd_id, total, n in (
        ComplaintRating.objects.filter(zones.within("created_at", "complaint__pemda_id"))
        .annotate(rated_opd=last_resolving_opd())
        .values("complaint__pemda_id", "rated_opd")
        .annotate(total=Sum("score"), n=Count("pk"))
        .values_list("complaint__pemda_id", "rated_opd", "total", "n")
    ):
        cells[(pemda_id, opd_id)].rating_sum += total or 0
        cells[(pemda_id, opd_id)].rating_count += n

    # 10. SKM answers given in the period (element totals, so NRRs merge exactly).
    for row in (
        SkmResponse.objects.filter(zones.within("created_at", "complaint__pemda_id"))
        .annotate(rated_opd=last_resolving_opd())
        .values("complaint__pemda_id", "rated_opd")
        .annotate(n=Count("pk"), **{f"s_{f}": Sum(f) for f in SKM_FIELDS})
    ):
        cell = cells[(row["complaint__pemda_id"], row["rated_opd"])]
        cell.skm_count += row["n"]
        cell.skm_sums = [a + (row[f"s_{f}"] or 0) for a, f in zip(cell.skm_sums, SKM_FIELDS, strict=True)]

    return assemble(pemdas, period, zones, cells)


def trend_scan(*, pemda, last_month: date, months: int = 12) -> Trend:
    """Received complaints and follow-up clocks on time per month for the ``months`` months up to
    ``last_month`` in the Pemda's zone, and the same per OPD (the SLA heat map) by a full scan."""
    zone = pemda.zoneinfo
    firsts, period = trend_months(last_month, months)
    start, end = period.bounds(zone)

    received = {f: 0 for f in firsts}
    for month, n in (
        Complaint.objects.filter(pemda=pemda, submitted_at__gte=start, submitted_at__lt=end)
        .annotate(month=TruncMonth("submitted_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    ):
        received[_as_date(month, zone)] = n

    follow_up = {f: MonthCell() for f in firsts}
    heat: dict[int, dict[date, MonthCell]] = defaultdict(lambda: {f: MonthCell() for f in firsts})
    for opd_id, month, total, on_time in (
        Deadline.objects.filter(complaint__pemda=pemda, stage=Stage.FOLLOW_UP)
        .annotate(settled=Coalesce("breached_at", "met_at"))
        .filter(settled__gte=start, settled__lt=end)
        .annotate(month=TruncMonth("settled", tzinfo=zone))
        .values("opd_id", "month")
        .annotate(total=Count("pk"), on_time=Count("pk", filter=Q(breached_at__isnull=True)))
        .values_list("opd_id", "month", "total", "on_time")
    ):
        key = _as_date(month, zone)
        for cell in (follow_up[key], heat[opd_id][key]):
            cell.total += total
            cell.on_time += on_time
    return Trend(months=firsts, received=received, follow_up=follow_up, heat=dict(heat))
