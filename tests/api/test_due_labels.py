"""API labels of deadlines: the exact instant stays in ``due_at``; ``due_label`` reads like the
pages ("akhir hari kerja <the last working day>" for a clock that runs out at 00:00)."""

from datetime import datetime

import pytest
from django.urls import reverse

from tests.factories import ComplaintFactory, wita

pytestmark = pytest.mark.django_db


@pytest.fixture
def sunday(world):
    return ComplaintFactory(pemda=world.pemda, now=wita(2026, 12, 13, 10, 0))


def test_the_citizen_api_keeps_the_instant_and_labels_the_day(api, sunday):
    body = api.get(reverse("api:track", args=[sunday.tracking_secret]), HTTP_ACCEPT_LANGUAGE="id").json()
    clock = next(c for c in body["clocks"] if c["stage"] == "verification")
    assert datetime.fromisoformat(clock["due_at"]) == wita(2026, 12, 17, 0, 0)  # the exact instant
    assert clock["due_label"] == "akhir hari kerja Rabu, 16 Desember 2026"


def test_the_staff_api_labels_every_clock_in_the_requests_language(world, as_user, sunday):
    client = as_user(world.koordinator)
    url = reverse("api:staff-complaint-detail", args=[sunday.pk])
    indonesian = client.get(url, HTTP_ACCEPT_LANGUAGE="id").json()["deadlines"]
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["deadlines"]
    verification = next(d for d in indonesian if d["stage"] == "verification")
    assert datetime.fromisoformat(verification["due_at"]) == wita(2026, 12, 17, 0, 0)
    assert verification["due_label"] == "akhir hari kerja 16-12-2026"
    assert (
        next(d for d in english if d["stage"] == "verification")["due_label"]
        == "end of the working day 16-12-2026"
    )
