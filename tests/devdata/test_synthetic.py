"""The benchmark data generator writes rows in the shapes the workflow writes, on both backends."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db.models import Count, F, Q

from aduan.agencies.models import Pemda
from aduan.complaints.models import Complaint, ComplaintEvent, ComplaintHop, TicketCounter
from aduan.devdata.synthetic import SIZES, Place, Size, generate, zone_calendars
from aduan.sla.calendar import add_calendar_days, add_working_days, count_working_days
from aduan.sla.models import DayUnit, Deadline, Stage
from aduan.sla.services import calendar_for, deadlines_sweep

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # a Friday


@pytest.fixture
def small(default_policies, monkeypatch):
    monkeypatch.setitem(SIZES, "test", Size(complaints=400, pemdas=3, opds_per_pemda=4, provinces=2, years=1))
    return generate(size_name="test", seed=7, now=NOW, stdout=open("/dev/null", "w"))


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
        generate(size_name="test", now=NOW, stdout=open("/dev/null", "w"))
    assert Complaint.objects.count() == 400


CHRISTMAS_NOW = datetime(2027, 1, 8, 3, 0, tzinfo=UTC)  # a year ending just after 25 December 2026


@pytest.fixture
def over_christmas(default_policies, monkeypatch):
    monkeypatch.setitem(SIZES, "xmas", Size(complaints=400, pemdas=2, opds_per_pemda=3, provinces=1, years=1))
    generate(size_name="xmas", seed=11, now=CHRISTMAS_NOW, stdout=open("/dev/null", "w"))


def test_every_generated_clock_is_due_when_aduan_sla_says(over_christmas):
    """Due times and working days taken are aduan.sla's, holidays included: a clock started on
    Wed 23 Dec 2026 skips the cuti bersama of the 24th, Christmas Day and the weekend."""
    clocks = Deadline.objects.select_related("policy", "complaint__pemda")
    calendars = {}
    checked = across = 0
    for d in clocks:
        pemda = d.complaint.pemda
        cal = calendars.setdefault(pemda.pk, calendar_for(pemda, around=CHRISTMAS_NOW))
        if d.policy.unit == DayUnit.WORKING:
            assert d.due_at == add_working_days(d.started_at, d.policy.amount, cal), (d.stage, d.started_at)
        else:
            assert d.due_at == add_calendar_days(d.started_at, d.policy.amount, cal), (d.stage, d.started_at)
        end = d.met_at or d.cancelled_at
        if end is not None:
            assert d.working_days_taken == count_working_days(d.started_at, end, cal)
        checked += 1
        local = (d.started_at.astimezone(cal.zone).date(), d.due_at.astimezone(cal.zone).date())
        if d.policy.unit == DayUnit.WORKING and local[0] < date(2026, 12, 25) < local[1]:
            across += 1
    assert checked > 1000
    assert across > 0  # some working-day clocks run over Christmas 2026
    zone = cal.zone
    assert {date(2026, 12, 24), date(2026, 12, 25)} <= cal.holidays
    start = datetime(2026, 12, 23, 9, tzinfo=zone)  # Wednesday
    assert add_working_days(start, 1, cal) == datetime(2026, 12, 28, 9, tzinfo=zone)


def test_zone_calendars_are_the_pemda_calendars_over_every_generated_year(db):
    pemda = Pemda(pk=1, timezone="Asia/Makassar")
    place = Place(pemda_id=1, code="SY001", koordinator_id=1, opds=[], weight=1.0, zone="Asia/Makassar")
    now = datetime(2026, 11, 27, 3, tzinfo=UTC)
    cal = zone_calendars([place], now=now, years=3)["Asia/Makassar"]
    for start in (datetime(2023, 12, 22, 1, tzinfo=UTC), datetime(2026, 12, 24, 1, tzinfo=UTC)):
        real = calendar_for(pemda, around=start)
        for n in (1, 3, 5, 10):
            assert add_working_days(start, n, cal) == add_working_days(start, n, real), (start, n)
    assert date(2023, 12, 25) in cal.holidays  # three years back: beyond calendar_for(around=now)
    assert date(2023, 12, 25) not in calendar_for(pemda, around=now).holidays


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
    counts = generate(size_name="par", now=NOW, workers=2, drop_indexes=True, stdout=open("/dev/null", "w"))
    assert counts["workers"] == 2
    assert Complaint.objects.count() == 600 == counts["complaints"]
    assert Complaint.objects.values("ticket_number").distinct().count() == 600
    assert ComplaintEvent.objects.count() == counts["events"]
    assert index_names() == before  # every dropped index is back
    assert "complaint_fulltext_id" in before
    # the sequences continue after the highest id: a normal insert still works
    assert ComplaintFactory_ok()


def ComplaintFactory_ok() -> bool:
    from tests.factories import ComplaintFactory

    pemda = Complaint.objects.first().pemda
    return ComplaintFactory(pemda=pemda).pk > 0
