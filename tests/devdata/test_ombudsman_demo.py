"""The demo's Ombudsman reports: one under clarification with its calendar-day clock running, one
closed with a finding and corrective actions (one done on time); written once."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from aduan.agencies.models import Pemda
from aduan.compliance.ombudsman_followup import ombudsman_followup
from aduan.ombudsman.models import Finding, OmbudsmanReport, ReportStatus
from aduan.sla.models import Deadline, Stage


@pytest.fixture
def demo(default_policies):
    call_command("load_demo", verbosity=0)
    return Pemda.objects.get(code="BPN")


def test_a_report_under_clarification_and_a_closed_one(demo):
    reports = {r.status: r for r in OmbudsmanReport.objects.filter(complaint__pemda=demo)}
    assert set(reports) == {ReportStatus.CLARIFICATION, ReportStatus.CLOSED}
    waiting = reports[ReportStatus.CLARIFICATION]
    clock = Deadline.objects.open().get(complaint=waiting.complaint, stage=Stage.CLARIFICATION)
    assert clock.due_at > timezone.now()
    closed = reports[ReportStatus.CLOSED]
    assert closed.finding == Finding.MALADMINISTRATION
    assert closed.identity_shared is False
    assert waiting.identity_shared is True
    assert [a.done_at is not None for a in closed.actions.order_by("due_date")] == [True, False]
    now = timezone.now()
    year = closed.actions.order_by("due_date").first().due_date.year
    figures = ombudsman_followup(pemda=demo, year=year, now=now)
    assert figures.on_time >= 1
    assert figures.on_time == figures.settled


def test_second_run_adds_no_report(demo):
    before = OmbudsmanReport.objects.count()
    call_command("load_demo", verbosity=0)
    assert OmbudsmanReport.objects.count() == before == 2
