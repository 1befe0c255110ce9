"""The OPD's planned date of a *dijadwalkan* step, shown to the reporter on the tracking page and
to everyone on the public page (/publik/<ticket>/), as a day in the Pemda's zone — also after the
promise is met, when its clock is no longer among the open deadlines."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from aduan.complaints.citizen_view import planned_dates
from aduan.complaints.models import Status
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import Action, complaint_transition
from tests.factories import complaint_in_status


def scheduled(world, *, days_ahead=4):
    complaint = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    now = timezone.now()
    planned = timezone.localtime(now, world.pemda.zoneinfo).date() + timedelta(days=days_ahead)
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.SCHEDULE,
        actor=Actor.staff(world.petugas[0]),
        note="Penambalan dijadwalkan.",
        planned_date=planned,
        now=now,
    )
    return complaint, planned


def label(planned, language="id"):
    with translation.override(language):
        return date_format(planned, "l, j F Y")


@pytest.mark.django_db
def test_the_planned_date_is_read_from_the_promise_in_the_pemdas_zone(world):
    complaint, planned = scheduled(world)
    events = list(complaint.events.order_by("created_at", "pk"))
    (schedule,) = [e for e in events if e.action == Action.SCHEDULE]
    assert planned_dates(complaint, events) == {schedule.pk: planned}
    with CaptureQueriesContext(connection) as queries:
        assert planned_dates(complaint, [e for e in events if e.action != Action.SCHEDULE]) == {}
    assert len(queries) == 0


@pytest.mark.django_db
def test_the_tracking_page_shows_the_planned_date_also_after_the_answer(world, client):
    complaint, planned = scheduled(world, days_ahead=6)
    page = client.get(f"/lacak/{complaint.tracking_secret}/").content.decode()
    assert f"OPD menjadwalkan penanganan — tanggal rencana {label(planned)}" in page

    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.FOLLOW_UP,
        actor=Actor.staff(world.petugas[0]),
        note="Selesai.",
    )
    page = client.get(f"/lacak/{complaint.tracking_secret}/").content.decode()
    assert f"tanggal rencana {label(planned)}" in page


@pytest.mark.django_db
def test_the_public_page_shows_the_planned_date_in_either_language(world, client):
    complaint, planned = scheduled(world)
    url = reverse("complaints:public-detail", args=[complaint.ticket_number])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert f"OPD menjadwalkan penanganan — tanggal rencana {label(planned)}" in page
    assert "Penambalan dijadwalkan." in page
    assert len(queries) == 4  # the page's 3, and the promise clocks behind its schedule step
    english = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert f"planned date {label(planned, 'en')}" in english
