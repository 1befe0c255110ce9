"""The compliance input "tindak lanjut temuan Ombudsman" computed from Aduan's data: the share of
the corrective actions the Ombudsman asked of a Pemda (``aduan.ombudsman`` findings) that the Pemda
carried out on time.

For an assessment year: the actions due in that year that are settled — done, or past their due
date at ``now`` — and of those, the ones done on or before their due date (the day the koordinator
reported it done, in the Pemda's time zone). Actions not yet due and not done count nowhere; None
when nothing is settled. One query. ``score_inputs`` offers it to methodologies as the metric
``ombudsman_actions_on_time_pct`` (``scoring.METRIC_LABELS``).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from aduan.ombudsman.models import CorrectiveAction

from .figures import percent

METRIC = "ombudsman_actions_on_time_pct"


@dataclass(frozen=True)
class FollowUpFigures:
    due: int  # corrective actions due in the year
    settled: int  # done, or past due at ``now``
    on_time: int  # done on or before the due date
    late_or_open: int  # settled but not on time (done late, or overdue and not done)

    @property
    def on_time_pct(self) -> Decimal | None:
        return percent(self.on_time, self.settled)


def ombudsman_followup(*, pemda, year: int, now: datetime) -> FollowUpFigures:
    zone = pemda.zoneinfo
    today = now.astimezone(zone).date()
    rows = CorrectiveAction.objects.filter(
        report__complaint__pemda=pemda, due_date__gte=date(year, 1, 1), due_date__lte=date(year, 12, 31)
    ).values_list("due_date", "done_at")
    due = settled = on_time = 0
    for due_date, done_at in rows:
        due += 1
        if done_at is not None and done_at > now:
            done_at = None  # as it stood at ``now`` (a score computed then is reproduced)
        if done_at is None and due_date >= today:
            continue  # not yet due: nothing to judge
        settled += 1
        if done_at is not None and done_at.astimezone(zone).date() <= due_date:
            on_time += 1
    return FollowUpFigures(due=due, settled=settled, on_time=on_time, late_or_open=settled - on_time)
