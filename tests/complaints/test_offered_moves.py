"""Every page and API answer offers exactly the moves the workflow would accept: a re-open only
within the Pemda's window (``workflow.allowed_actions``), and the citizen's moves from one list
(``citizen_view.CITIZEN_MOVES``) on the tracking page and in the citizen API alike.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from aduan.complaints.citizen_view import CITIZEN_MOVES
from aduan.complaints.models import ComplaintEvent, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import Action, ReopenWindowClosed, allowed_actions, complaint_transition
from tests.factories import complaint_in_status


def resolved(world, *, days_ago: int):
    """A complaint resolved ``days_ago`` days ago in a Pemda whose re-open window is 7 days."""
    world.pemda.reopen_window_days = 7
    world.pemda.save(update_fields=["reopen_window_days"])
    complaint = complaint_in_status(
        Status.RESOLVED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    complaint.closed_at = timezone.now() - timedelta(days=days_ago)
    complaint.save(update_fields=["closed_at"])
    return complaint


def offered_everywhere(world, client, complaint) -> dict[str, bool]:
    """Whether a re-open is offered by each place that lists moves."""
    secret = complaint.tracking_secret
    citizen, koordinator = Actor.citizen(secret), Actor.staff(world.koordinator)
    tracking_html = client.get(f"/lacak/{secret}/").content.decode()
    citizen_api = APIClient().get(f"/api/v1/track/{secret}/").json()
    staff_api = APIClient()
    staff_api.force_login(world.koordinator)
    staff_answer = staff_api.get(f"/api/v1/staff/complaints/{complaint.pk}/").json()
    client.force_login(world.koordinator)
    staff_html = client.get(f"/staf/aduan/{complaint.pk}/").content.decode()
    return {
        "allowed_actions citizen": Action.REOPEN in allowed_actions(actor=citizen, complaint=complaint),
        "allowed_actions koordinator": Action.REOPEN
        in allowed_actions(actor=koordinator, complaint=complaint),
        "tracking page": 'name="action" value="reopen"' in tracking_html,
        "citizen API": "reopen" in citizen_api["actions"],
        "staff API": "reopen" in staff_answer["allowed_actions"],
        "staff page": 'data-action="reopen"' in staff_html,
    }


def test_past_its_window_a_resolved_complaint_is_offered_a_reopen_nowhere_and_refuses_one(world, client):
    complaint = resolved(world, days_ago=8)

    offered = offered_everywhere(world, client, complaint)

    assert offered == dict.fromkeys(offered, False)
    events = ComplaintEvent.objects.filter(complaint=complaint).count()
    with pytest.raises(ReopenWindowClosed):
        complaint_transition(
            complaint_id=complaint.pk,
            action=Action.REOPEN,
            actor=Actor.citizen(complaint.tracking_secret),
            note="Masih rusak.",
        )
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events


def test_within_its_window_a_resolved_complaint_is_offered_a_reopen_everywhere(world, client):
    complaint = resolved(world, days_ago=6)

    offered = offered_everywhere(world, client, complaint)

    assert offered == dict.fromkeys(offered, True)


def tracking_page_moves(client, complaint) -> list[str]:
    html = client.get(f"/lacak/{complaint.tracking_secret}/").content.decode()
    return re.findall(r'<input type="hidden" name="action" value="([a-z_]+)">', html)


@pytest.mark.parametrize(
    "status",
    [
        Status.SUBMITTED,
        Status.ON_HOLD,
        Status.DISPATCHED,
        Status.FOLLOWED_UP,
        Status.RESOLVED,
        Status.ARCHIVED,
    ],
)
def test_the_tracking_page_and_the_citizen_api_offer_the_same_moves_in_each_status(world, client, status):
    complaint = complaint_in_status(status, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator)

    api_moves = APIClient().get(f"/api/v1/track/{complaint.tracking_secret}/").json()["actions"]
    page_moves = tracking_page_moves(client, complaint)

    assert sorted(page_moves) == sorted(api_moves)
    assert set(api_moves) <= set(CITIZEN_MOVES)
    expected = {
        Status.ON_HOLD: {"complete"},
        Status.FOLLOWED_UP: {"reply", "reject", "accept"},
        Status.RESOLVED: {"reopen"},
    }.get(status, set())
    assert set(api_moves) == expected
