"""The breach forecast on the staff pages: the inbox's risk column (labelled as an estimate) and
``?sort=risk``, the kepala's "likely to breach this week" list, their scope and query counts."""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aduan.complaints.models import Complaint, Status
from aduan.compliance.forecast import forecasts_for
from aduan.sla.calendar import add_working_days
from aduan.sla.models import Deadline, Stage
from aduan.sla.rollups import rollup_apply
from aduan.sla.services import calendar_for
from aduan.workspace.views.staff_common import calendars_for, list_queryset, with_clocks
from aduan.workspace.views.staff_queues import queue_caches_clear
from aduan.workspace.views.staff_risk import forecasts, histograms_kept
from tests.factories import complaint_in_status
from tests.workspace.test_staff_queries import clone

pytestmark = pytest.mark.postgres

INBOX = reverse("complaints:staff-inbox")
KEPALA = reverse("complaints:staff-kepala")


def history(pemda, opd, *, durations: dict, breached: int) -> None:
    """The OPD's trailing year in the rollups: first follow-ups by working days taken, breaches."""
    day = timezone.localdate() - timedelta(days=30)
    facts = Counter({(pemda.pk, opd.pk, day, "follow_up_days", "", v): n for v, n in durations.items()})
    facts[(pemda.pk, opd.pk, day, "follow_up_br", "", 0)] = breached
    rollup_apply(facts)


def dispatched(world, *, opd=None, ran: int, title: str) -> Complaint:
    """A dispatched complaint whose follow-up clock (5 working days) has run ``ran`` working days."""
    c = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=opd or world.opd, koordinator=world.koordinator, title=title
    )
    now = timezone.now()
    cal = calendar_for(world.pemda, around=now)
    start = now
    for _ in range(ran):
        start -= timedelta(days=1)
        while not cal.is_working_day(start.astimezone(cal.zone).date()):
            start -= timedelta(days=1)
    clock = Deadline.objects.get(complaint=c, stage=Stage.FOLLOW_UP, met_at__isnull=True)
    clock.started_at = start
    clock.due_at = add_working_days(start, 5, cal)
    clock.save(update_fields=["started_at", "due_at"])
    return c


@pytest.fixture
def risky(world):
    """Three complaints of the OPD: fresh, 4 of 5 working days run, and one of the other OPD."""
    history(world.pemda, world.opd, durations={1: 20, 2: 20, 3: 10, 4: 5}, breached=10)
    history(world.pemda, world.other_opd, durations={1: 40}, breached=0)
    fresh = dispatched(world, ran=0, title="Lampu jalan padam")
    late = dispatched(world, ran=4, title="Jalan berlubang")
    other = dispatched(world, opd=world.other_opd, ran=4, title="Halte rusak")
    return fresh, late, other


def risk_cells(html: str) -> dict[str, int]:
    """ticket → percent shown in the risk column."""
    found = {}
    for row in re.findall(r'<tr id="row-\d+">(.*?)</tr>', html, re.S):
        ticket = re.search(r'class="ticket"[^>]*>([^<]+)<', row).group(1)
        pct = re.search(r'class="risk risk-\w+"[^>]*>≈(\d+)%', row)
        found[ticket] = int(pct.group(1)) if pct else None
    return found


def test_inbox_shows_the_estimated_risk_labelled_as_an_estimate(world, client, risky):
    fresh, late, other = risky
    client.force_login(world.petugas[0])
    html = client.get(INBOX).content.decode()
    assert "Perkiraan risiko terlambat" in html
    assert "Hanya perkiraan." in html  # the column's tooltip
    assert "Ini perkiraan, bukan kepastian." in html  # the legend
    cells = risk_cells(html)
    assert set(cells) == {fresh.ticket_number, late.ticket_number}  # scope unchanged
    assert cells[late.ticket_number] > 50 > cells[fresh.ticket_number]


def test_inbox_sorts_by_risk(world, client, risky):
    fresh, late, _ = risky
    client.force_login(world.petugas[0])
    by_due = list(risk_cells(client.get(INBOX + "?sort=oldest").content.decode()))
    assert by_due == [fresh.ticket_number, late.ticket_number]
    response = client.get(INBOX + "?sort=risk")
    assert response.status_code == 200
    html = response.content.decode()
    assert list(risk_cells(html)) == [late.ticket_number, fresh.ticket_number]
    assert re.search(r'<option value="risk" selected>', html)  # the form shows the sort asked for
    # filters still apply with the risk sort
    only = list(risk_cells(client.get(INBOX + "?sort=risk&q=Lampu").content.decode()))
    assert only == [fresh.ticket_number]


def test_kepala_lists_likely_breaches_of_their_opd_only(world, client, risky):
    fresh, late, other = risky
    client.force_login(world.kepala)
    html = client.get(KEPALA).content.decode()
    likely = re.search(r'<ul class="plain" id="likely">(.*?)</ul>', html, re.S).group(1)
    assert "Kemungkinan terlambat minggu ini" in html
    assert late.ticket_number in likely
    assert fresh.ticket_number not in likely  # due this week, but unlikely to breach
    assert other.ticket_number not in likely  # another OPD's complaint
    cells = risk_cells(html)  # the kepala's inbox table has the column too
    assert set(cells) == {fresh.ticket_number, late.ticket_number}
    assert cells[late.ticket_number] > 50 > cells[fresh.ticket_number]
    # a clock already late is on the overdue list, not among the forecasts
    Deadline.objects.filter(complaint=late, stage=Stage.FOLLOW_UP).update(
        due_at=timezone.now() - timedelta(hours=1)
    )
    likely = re.search(r'<ul class="plain" id="likely">(.*?)</ul>', client.get(KEPALA).content.decode(), re.S)
    assert late.ticket_number not in likely.group(1)


def count(client, url) -> int:
    cache.clear()
    queue_caches_clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_forecast_pages_read_a_fixed_number_of_queries(world, client, risky):
    _, late, _ = risky
    urls = [INBOX, INBOX + "?sort=risk", INBOX + "?sort=risk&page=2"]
    clone(late, 9, 0)
    client.force_login(world.petugas[0])
    small = [count(client, u) for u in urls]
    client.force_login(world.kepala)
    small_kepala = count(client, KEPALA)
    clone(late, 140, 100)
    client.force_login(world.petugas[0])
    large = [count(client, u) for u in urls]
    client.force_login(world.kepala)
    large_kepala = count(client, KEPALA)
    assert large == small
    assert large_kepala == small_kepala
    assert small[0] <= 20  # the forecast costs the inbox one query: the histograms


def test_risk_sort_with_a_bad_filter_lists_nothing_and_changes_nothing(world, client, risky):
    client.force_login(world.petugas[0])
    clocks = Deadline.objects.order_by("pk").values_list("pk", "due_at", "met_at", "breached_at")
    before = list(clocks)
    response = client.get(INBOX + "?sort=risk&submitted_from=kemarin")
    assert response.status_code == 200
    assert risk_cells(response.content.decode()) == {}
    assert list(clocks.all()) == before


def test_the_estimate_label_is_translated(world, client, risky):
    client.force_login(world.petugas[0])
    html = client.get(INBOX, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Estimated risk of breach" in html
    assert "It is an estimate, not a certainty." in html


def test_the_export_link_of_the_risk_sorted_inbox_exports_the_list(world, client, risky):
    fresh, late, other = risky
    client.force_login(world.petugas[0])
    url = reverse("complaints:staff-export-csv") + "?view=inbox&sort=risk"
    body = b"".join(client.get(url).streaming_content).decode()
    assert fresh.ticket_number in body
    assert late.ticket_number in body
    assert other.ticket_number not in body  # scope unchanged


def test_the_pages_forecast_is_the_compliance_modules(world, risky):
    """staff_risk.forecasts keeps the histograms a while; its risks are forecasts_for's."""
    _, late, _ = risky
    overdue = dispatched(world, ran=9, title="Sudah lewat")
    complaint_in_status(Status.FOLLOWED_UP, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator)
    complaint_in_status(Status.ARCHIVED, pemda=world.pemda, koordinator=world.koordinator)
    objects = list(list_queryset(Complaint.objects.filter(pemda=world.pemda)))
    with_clocks(objects)
    now = timezone.now()
    calendars = calendars_for(objects, now)
    kept = forecasts(objects, now=now, calendars=calendars)
    assert kept == forecasts_for(objects, now=now, calendars=calendars)
    assert kept == forecasts(objects, now=now, calendars=calendars)  # from the kept histograms
    assert len(kept) == len(objects) - 1  # the archived complaint has no open clock
    assert kept[overdue.pk].probability == 1.0
    assert 0.5 < kept[late.pk].probability < 1.0
    assert {r.stage for r in kept.values()} == {Stage.FOLLOW_UP, Stage.RESOLUTION}


def test_the_histograms_are_read_once_per_day_and_pemdas(world, client, risky):
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as ctx:
        first = histograms_kept({world.pemda.pk}, today=today)
        assert histograms_kept({world.pemda.pk}, today=today) is first
    assert len(ctx.captured_queries) == 2  # the OPDs' histograms and their categories'
    with CaptureQueriesContext(connection) as ctx:
        histograms_kept({world.pemda.pk}, today=today + timedelta(days=1))
        histograms_kept({world.pemda.pk, world.pemda.pk + 1}, today=today)
    assert len(ctx.captured_queries) == 4

    def rollup_reads(url) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return sum("sla_metricrollup" in q["sql"] for q in ctx.captured_queries)

    queue_caches_clear()
    client.force_login(world.kepala)
    assert rollup_reads(KEPALA) == 2  # its two forecast lists share one read (of two queries)
    client.force_login(world.petugas[0])
    assert rollup_reads(INBOX) == 0
    assert rollup_reads(INBOX + "?sort=risk") == 0
