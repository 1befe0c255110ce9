"""Figures per intake channel on the compliance dashboard: received and on-time % per channel,
in two queries whatever the size, adding up to the Pemda's own figures."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aduan.complaints.intake import IntakeData, complaint_intake
from aduan.complaints.models import Channel, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.services import ReporterData
from aduan.complaints.workflow import complaint_transition
from aduan.compliance.channels import channel_figures
from aduan.compliance.metrics import metrics_for
from aduan.compliance.periods import Period
from tests.factories import MembershipFactory, complaint_in_status


def _phone(world, loket, received_at):
    return complaint_intake(
        pemda=world.pemda,
        intake=IntakeData(channel=Channel.PHONE, received_at=received_at),
        recorded_by=loket,
        title="Telepon",
        chronology="Isi.",
        reporter=ReporterData(name="Warga", phone="0812345678"),
    )


def test_received_and_on_time_per_channel(world, django_assert_num_queries):
    loket = MembershipFactory(role="petugas_loket", pemda=world.pemda).user
    now = timezone.now()
    period = Period.parse(str(timezone.localtime(now, world.pemda.zoneinfo).year))
    on_time = _phone(world, loket, now - timedelta(hours=2))
    complaint_transition(
        complaint_id=on_time.pk, action="dispatch", actor=Actor.staff(world.koordinator), opd=world.opd
    )
    _phone(world, loket, now - timedelta(hours=1))
    complaint_in_status(Status.SUBMITTED, pemda=world.pemda, koordinator=world.koordinator)  # web

    with django_assert_num_queries(1):
        rows = channel_figures(pemda=world.pemda, period=period)

    by_channel = {r.channel: r for r in rows}
    assert [r.channel for r in rows] == ["phone", "web"]  # busiest first
    assert (by_channel["phone"].received, by_channel["web"].received) == (2, 1)
    assert (by_channel["phone"].verified_total, by_channel["phone"].verified_on_time) == (1, 1)
    assert by_channel["phone"].verified_on_time_pct == 100
    assert by_channel["web"].verified_on_time_pct is None
    pemda_figures = metrics_for(pemdas=[world.pemda], period=period, now=now).by_pemda[world.pemda.pk]
    assert sum(r.received for r in rows) == pemda_figures.received
    assert sum(r.verified_total for r in rows) == pemda_figures.verified_total


@pytest.mark.usefixtures("methodologies")
def test_the_dashboard_shows_the_channel_table(client, world):
    loket = MembershipFactory(role="petugas_loket", pemda=world.pemda).user
    _phone(world, loket, timezone.now() - timedelta(hours=1))
    client.force_login(world.koordinator)

    html = client.get(reverse("compliance:pemda", args=[world.pemda.pk])).content.decode()

    assert 'id="channel-table"' in html
    assert 'data-channel="phone"' in html
    assert "Telepon / hotline" in html
