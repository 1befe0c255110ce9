"""The unfiltered inbox and kepala pages read their page through a QueryShape (compiled once per
process, page and number of OPDs): the same rows, in the same order, as the filtered path gives
for the same sort, on every page, and never another OPD's complaints."""

import pytest
from django.urls import reverse

from aduan.complaints.models import Status
from aduan.workspace.views import staff_common
from tests.factories import complaint_in_status

pytestmark = pytest.mark.postgres


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(staff_common, "PAGE_SIZE", 2)
    monkeypatch.setattr(staff_common, "_shaped_pages", {})


def _tickets(response):
    assert response.status_code == 200
    return [row.complaint.ticket_number for row in response.context["rows"]]


def test_unfiltered_pages_match_the_filtered_path(client, world, small_pages, sql_compilations):
    mine = [
        complaint_in_status(status, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator)
        for status in (Status.DISPATCHED, Status.FOLLOWED_UP, Status.DISPATCHED, Status.DISPATCHED)
    ]
    theirs = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.other_opd, koordinator=world.koordinator
    )
    complaint_in_status(Status.RESOLVED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator)
    for user, url in (
        (world.petugas[0], "complaints:staff-inbox"),
        (world.kepala, "complaints:staff-kepala"),
    ):
        client.force_login(user)
        inbox = reverse(url)
        shaped = _tickets(client.get(inbox)) + _tickets(client.get(inbox, {"page": 2}))
        plain = _tickets(client.get(inbox, {"sort": "due"})) + _tickets(
            client.get(inbox, {"sort": "due", "page": 2})
        )
        assert shaped == plain
        assert sorted(shaped) == sorted(c.ticket_number for c in mine)  # held now, this OPD only
        assert theirs.ticket_number not in shaped
    assert {key[:2] + key[3:] for key in staff_common._shaped_pages} == {
        ("inbox", "due", 1),
        ("inbox", "due", 2),
        ("kepala", "due", 1),
        ("kepala", "due", 2),
    }

    client.force_login(world.other_petugas)
    del sql_compilations[:]
    assert _tickets(client.get(reverse("complaints:staff-inbox"))) == [theirs.ticket_number]
    # the page query of the same shape (1 OPD, page 1) is not compiled again: only the paginator's count
    assert [m.__name__ for m in sql_compilations].count("Complaint") == 1
