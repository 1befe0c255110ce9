"""On generated data (aduan.devdata.synthetic at a small size: every status, re-dispatches,
re-opens, holds, promises, breaches, ratings), the rollups the generator builds equal a full scan
for years, quarters, months and odd ranges, and stay equal after more moves and a sweep."""

from datetime import timedelta

from aduan.agencies.models import Pemda
from aduan.complaints.models import Complaint
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import Action, complaint_transition
from aduan.compliance.metrics import Period
from aduan.compliance.rollup_check import rollups_check
from aduan.sla.models import MetricRollup
from aduan.sla.services import deadlines_sweep

from .conftest import GENERATED_NOW as NOW

PERIODS = [
    Period.year(2025),
    Period.year(2026),
    Period.quarter(2026, 2),
    Period.month(2026, 3),
    Period.month(2026, 11),
    Period.read("2025-12-14..2026-02-03"),
    Period.read("2026-06-09..2026-06-23"),
]


def test_the_generator_fills_rollups_equal_to_a_full_scan(generated):
    assert generated["rollup_seconds"] >= 0
    assert MetricRollup.objects.filter(metric="hop_recv_dup").exists()  # re-dispatches back happen
    assert rollups_check(pemdas=Pemda.objects.order_by("pk"), periods=PERIODS, now=NOW) == []


def test_moves_and_a_sweep_on_generated_data_keep_them_equal(generated):
    later = NOW + timedelta(days=1)
    moved = 0
    for complaint in Complaint.objects.filter(status="dispatched").select_related("pemda")[:15]:
        other = complaint.pemda.opds.exclude(pk=complaint.current_opd_id).first()
        complaint_transition(
            complaint_id=complaint.pk,
            action=Action.REDISPATCH,
            actor=_koordinator(complaint),
            opd=other,
            now=later,
        )
        moved += 1
    assert moved
    deadlines_sweep(now=later + timedelta(days=20), batch_size=10_000)
    periods = [*PERIODS, Period.month(2026, 12), Period.read("2026-11-20..2026-12-31")]
    assert (
        rollups_check(pemdas=Pemda.objects.order_by("pk"), periods=periods, now=later + timedelta(days=21))
        == []
    )


def _koordinator(complaint):
    from tests.factories import MembershipFactory

    return Actor.staff(MembershipFactory(role="koordinator", pemda=complaint.pemda).user)
