"""The benchmark data generator writes rows in the shapes the workflow writes, on both backends."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Count, F, Q

from aduan.complaints.models import Complaint, ComplaintEvent, ComplaintHop, TicketCounter
from aduan.devdata.synthetic import SIZES, Size, add_working_days, generate, working_days_between
from aduan.sla.models import Deadline, Stage
from aduan.sla.services import deadlines_sweep

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # a Friday


@pytest.fixture
def small(default_policies, monkeypatch):
    monkeypatch.setitem(SIZES, "test", Size(complaints=400, pemdas=3, opds_per_pemda=4, provinces=2, years=1))
    return generate(size_name="test", seed=7, now=NOW, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_counts_and_every_complaint_has_its_first_event_and_clocks(small):
    assert small["complaints"] == Complaint.objects.count() == 400
    assert small["events"] == ComplaintEvent.objects.count()
    firsts = ComplaintEvent.objects.filter(action="submit").values("complaint_id").distinct().count()
    assert firsts == 400
    per = Complaint.objects.annotate(n=Count("deadlines", filter=Q(deadlines__stage=Stage.VERIFICATION)))
    assert set(per.values_list("n", flat=True)) == {1}
    assert set(Complaint.objects.values_list("status", flat=True)) >= {"submitted", "dispatched", "resolved"}


def test_hops_and_ticket_counters_are_consistent(small):
    held = Complaint.objects.filter(status__in=["dispatched", "followed_up"])
    assert not held.filter(current_opd__isnull=True).exists()
    for c in held[:50]:
        hop = ComplaintHop.objects.get(complaint=c, ended_at__isnull=True)
        assert hop.opd_id == c.current_opd_id
    assert sum(TicketCounter.objects.values_list("last_number", flat=True)) == 400
    resolved = Complaint.objects.filter(status="resolved")
    assert resolved.exists()
    ends = ComplaintHop.objects.filter(complaint__in=resolved, ended_at__isnull=False, ended_by__isnull=False)
    assert set(ends.values_list("ended_by__action", flat=True)) <= {"accept", "auto_resolve", "redispatch"}
    assert ends.filter(ended_by__action__in=["accept", "auto_resolve"]).count() == resolved.count()
    clocks = Deadline.objects.filter(complaint__in=resolved, stage=Stage.RESOLUTION)
    assert clocks.filter(resolved_by__isnull=False).count() == resolved.count()
    assert not clocks.exclude(resolved_by=F("complaint__current_opd")).exists()
    assert Complaint.objects.values("ticket_number").distinct().count() == 400


def test_breaches_are_charged_to_an_opd_and_the_sweep_runs_over_the_data(small):
    late_follow_ups = Deadline.objects.filter(stage=Stage.FOLLOW_UP, breached_at__isnull=False)
    assert late_follow_ups.exists()
    assert not late_follow_ups.filter(opd__isnull=True).exists()
    due = Deadline.objects.filter(next_check_at__lte=NOW + timedelta(days=3)).count()
    assert due > 0
    assert deadlines_sweep(now=NOW + timedelta(days=3), batch_size=10_000) >= 1


def test_running_twice_into_one_database_is_refused(small):
    with pytest.raises(RuntimeError, match="already holds synthetic data"):
        generate(size_name="test", now=NOW, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Complaint.objects.count() == 400


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (datetime(2026, 11, 27, 9, tzinfo=UTC), 1, datetime(2026, 11, 30, 9, tzinfo=UTC)),  # Fri + 1 = Mon
        (datetime(2026, 11, 23, 9, tzinfo=UTC), 5, datetime(2026, 11, 30, 9, tzinfo=UTC)),  # Mon + 5 = Mon
        (datetime(2026, 11, 28, 9, tzinfo=UTC), 3, datetime(2026, 12, 3, 9, tzinfo=UTC)),  # Sat → Mon + 3
        (datetime(2026, 11, 25, 9, tzinfo=UTC), 10, datetime(2026, 12, 9, 9, tzinfo=UTC)),
    ],
)
def test_weekday_arithmetic(start, n, expected):
    assert add_working_days(start, n) == expected
    assert working_days_between(start, expected) == n


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_load_with_indexes_dropped_and_rebuilt(default_policies, monkeypatch):
    from django.db import connection

    def index_names():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename IN ('sla_deadline', 'complaints_complaint')"
            )
            return sorted(r[0] for r in cursor.fetchall())

    before = index_names()
    monkeypatch.setitem(SIZES, "par", Size(complaints=600, pemdas=4, opds_per_pemda=3, provinces=2, years=1))
    counts = generate(size_name="par", now=NOW, workers=2, drop_indexes=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts["workers"] == 2
    assert Complaint.objects.count() == 600 == counts["complaints"]
    assert Complaint.objects.values("ticket_number").distinct().count() == 600
    assert ComplaintEvent.objects.count() == counts["events"]
    assert index_names() == before  # every dropped index is back
    assert "complaint_fulltext" in before
    # the sequences continue after the highest id: a normal insert still works
    assert ComplaintFactory_ok()


def ComplaintFactory_ok() -> bool:  # noqa: N802
    from tests.factories import ComplaintFactory

    pemda = Complaint.objects.first().pemda
    return ComplaintFactory(pemda=pemda).pk > 0
