"""The rollups read by spans (aduan.sla.rollups: days, dekads, months, quarters, years) and the
backlog read from its state cells give exactly the full scan's figures: for periods that cross
dekads, months, quarters and years, that end today (the last span reaching into the future) or
later, and for the backlog at the end of ended periods (bucket edges included). Migrations 0009's
and 0010's SQL fills give the cells a rebuild gives; a rebuild of right cells writes nothing and repairs wrong
ones; a rebuild in several processes gives the cells of one."""

import importlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aduan.agencies.models import Pemda
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import Action, complaint_transition
from aduan.compliance.figures import BACKLOG_BUCKETS
from aduan.compliance.metrics import Period, metrics_for
from aduan.compliance.metrics_scan import metrics_scan
from aduan.compliance.rollup_check import rollups_check, rollups_rebuild
from aduan.sla.models import MetricRollup
from aduan.sla.rollups import BACKLOG_DAYS, FAR, MONTH_ONLY, NEAR
from aduan.sla.services import deadlines_sweep
from tests.factories import ComplaintFactory, MembershipFactory, wita

from .conftest import GENERATED_NOW as NOW

# NOW is 27 November 2026 in every Indonesian zone.
ACROSS = [
    Period.read("2025-11-28..2026-11-27"),  # a trailing year ending today
    Period.read("2026-09-15..2026-12-31"),  # ends after today
    Period.read("2026-11-26..2026-11-27"),
    Period.read("2026-03-11..2026-05-20"),  # dekad to dekad
    Period.read("2026-02-21..2026-02-28"),
    Period.read("2025-12-21..2026-01-10"),  # a dekad each side of a new year
    Period.read("2025-07-01..2026-06-30"),  # half years across a year
    Period.read("2025-10-02..2026-03-29"),
    Period.quarter(2025, 4),
    Period.year(2025),
]


@pytest.fixture
def late(generated):
    """On top of the generated data, a first follow-up met 40 days after it ran out: a late clock
    whose breach lies more than ``NEAR_DAYS`` before its meeting (its far cells)."""
    pemda = Pemda.objects.order_by("pk").first()
    opd = pemda.opds.order_by("pk").first()
    koordinator = Actor.staff(MembershipFactory(role="koordinator", pemda=pemda).user)
    petugas = Actor.staff(MembershipFactory(role="petugas_opd", opd=opd).user)
    complaint = ComplaintFactory(pemda=pemda, now=NOW - timedelta(days=90))
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.DISPATCH,
        actor=koordinator,
        opd=opd,
        now=NOW - timedelta(days=89),
    )
    deadlines_sweep(now=NOW - timedelta(days=60), batch_size=10_000)
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.FOLLOW_UP,
        actor=petugas,
        note="Sudah ditangani.",
        now=NOW - timedelta(days=20),
    )
    assert MetricRollup.objects.filter(metric="follow_up_both_far").exists()
    return generated


def _cells() -> dict:
    return {
        (c.pemda_id, c.span, c.day, c.opd_id, c.metric, c.label, c.value): c.n
        for c in MetricRollup.objects.exclude(n=0)
    }


def test_periods_across_spans_equal_a_full_scan(late):
    assert MetricRollup.objects.filter(span=MetricRollup.DEKAD).exists()
    assert MetricRollup.objects.filter(metric="open", n__lt=0).exists()  # closings
    assert rollups_check(pemdas=Pemda.objects.order_by("pk"), periods=ACROSS, now=NOW) == []


def test_an_ended_period_reads_its_backlog_from_the_rollups(generated):
    pemdas = list(Pemda.objects.order_by("pk"))
    with CaptureQueriesContext(connection) as queries:
        ours = metrics_for(pemdas=pemdas, period=Period.year(2025), now=NOW)
    assert len(queries) == 3  # the cells, the backlog's cells, the OPDs
    assert not any("complaints_complaint" in q["sql"] for q in queries.captured_queries)
    reference = metrics_scan(pemdas=pemdas, period=Period.year(2025), now=NOW)
    assert ours.by_pemda == reference.by_pemda
    assert sum(f.backlog_total for f in ours.by_pemda.values()) > 0


def test_the_backlog_buckets_end_where_the_exact_ages_do():
    assert max(high for _k, _l, _low, high in BACKLOG_BUCKETS if high is not None) == BACKLOG_DAYS - 1


def test_backlog_bucket_edges_are_the_same_from_rollups_and_scan(world):
    """The end of October in WITA is 1 November 00:00: a complaint filed exactly 4 days before is
    0–3 days old, one a minute earlier 4–7, and both are open then."""
    at_edge = ComplaintFactory(pemda=world.pemda, now=wita(2026, 10, 28, 0, 0))
    before_edge = ComplaintFactory(pemda=world.pemda, now=wita(2026, 10, 27, 23, 59))
    ComplaintFactory(pemda=world.pemda, now=wita(2026, 11, 2, 9))  # after the period
    now = wita(2026, 11, 20, 12)
    ours = metrics_for(pemdas=[world.pemda], period=Period.month(2026, 10), now=now).by_pemda[world.pemda.pk]
    scan = metrics_scan(pemdas=[world.pemda], period=Period.month(2026, 10), now=now).by_pemda[world.pemda.pk]
    assert ours.backlog == scan.backlog
    assert (ours.backlog["0_3"], ours.backlog["4_7"], ours.backlog_total) == (1, 1, 2)
    assert {at_edge.status, before_edge.status} == {"submitted"}


def test_cells_after_today_are_taken_out_of_a_period_that_ends_today(world):
    """A period ending today is read with this year's cells minus the days after today: a complaint
    dated after ``now`` (a clock running ahead) does not count, exactly as in the scan."""
    now = wita(2026, 11, 20, 12)
    ComplaintFactory(pemda=world.pemda, now=wita(2026, 3, 2, 9))
    ComplaintFactory(pemda=world.pemda, now=wita(2026, 11, 25, 9))  # after now
    period = Period.read("2025-11-21..2026-11-20")
    ours = metrics_for(pemdas=[world.pemda], period=period, now=now).by_pemda[world.pemda.pk]
    assert ours.submitted == 1
    assert ours == metrics_scan(pemdas=[world.pemda], period=period, now=now).by_pemda[world.pemda.pk]
    assert rollups_check(pemdas=[world.pemda], periods=[period, Period.year(2026)], now=now) == []


@pytest.mark.postgres  # the fill is PostgreSQL SQL (a missing PostgreSQL fails in CI)
def test_the_migration_fill_equals_a_rebuild(late):
    fill = importlib.import_module("aduan.sla.migrations.0009_rollup_spans_backlog").fill
    fill_categories = importlib.import_module("aduan.sla.migrations.0010_rollup_category_cells").fill
    rebuilt = _cells()
    assert {k[4] for k in rebuilt} >= {"open_days", "follow_up_both_far", "follow_up_both_near"}
    assert {k[4] for k in rebuilt} >= MONTH_ONLY  # the forecast's category cells, by month
    assert {k[1] for k in rebuilt if k[4] in MONTH_ONLY} == {MetricRollup.CATEGORY_MONTH}
    MetricRollup.objects.filter(metric__in=MONTH_ONLY).delete()  # before 0010
    # The cells as the code before it wrote them: no dekads, quarters, years, backlog, near or far.
    MetricRollup.objects.filter(
        span__in=[MetricRollup.DEKAD, MetricRollup.QUARTER, MetricRollup.YEAR]
    ).delete()
    MetricRollup.objects.filter(metric__in=["open", "open_days", *NEAR.values()]).delete()
    for metric, far in FAR.items():
        MetricRollup.objects.filter(metric=far).update(metric=metric)
    with connection.cursor() as cursor:  # from the day cells, the complaints and the clocks
        fill(cursor)
        fill_categories(cursor)
    assert _cells() == rebuilt


def test_a_rebuild_of_right_cells_writes_nothing_and_repairs_wrong_ones(generated):
    pemdas = list(Pemda.objects.order_by("pk"))
    before = dict(MetricRollup.objects.values_list("pk", "n"))
    rollups_rebuild(pemdas)
    assert dict(MetricRollup.objects.values_list("pk", "n")) == before  # same rows, untouched
    right = _cells()
    changed = MetricRollup.objects.filter(metric="resolved", span=MetricRollup.QUARTER).first()
    MetricRollup.objects.filter(pk=changed.pk).update(n=changed.n + 5)
    MetricRollup.objects.filter(metric="open", span=MetricRollup.YEAR).first().delete()
    MetricRollup.objects.create(
        pemda_id=pemdas[0].pk, span=MetricRollup.DAY, day=NOW.date(), metric="sub", n=3
    )
    rollups_rebuild(pemdas)
    assert _cells() == right
    assert MetricRollup.objects.filter(pk=changed.pk, n=changed.n).exists()  # corrected in place


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_rebuild_in_several_processes_gives_the_cells_of_one(generated):
    pemdas = list(Pemda.objects.order_by("pk"))
    built = _cells()
    MetricRollup.objects.all().delete()
    assert rollups_rebuild(pemdas, workers=2) == generated["complaints"]
    assert _cells() == built


def test_periods_keep_their_figures_after_more_moves_across_a_year_end(generated):
    """The spans follow later writes too: a sweep into the next year adds breaches to its day,
    dekad, month, quarter and year cells at once."""
    later = NOW + timedelta(days=40)  # 6 January 2027
    deadlines_sweep(now=later, batch_size=10_000)
    periods = [
        Period.read("2026-11-15..2027-01-06"),
        Period.year(2027),
        Period.read("2026-12-21..2027-01-06"),
    ]
    assert rollups_check(pemdas=Pemda.objects.order_by("pk"), periods=periods, now=later) == []
