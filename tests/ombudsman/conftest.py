"""Helpers of the Ombudsman tests: a complaint archived on a day of 2026 (so it may be taken to
the Ombudsman), the reporter's report, and the Ombudsman of the Pemda's province."""

import pytest

from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import Action, complaint_transition
from aduan.ombudsman import services
from tests.factories import ComplaintFactory, MembershipFactory, wita

FILED_AT = wita(2026, 3, 2, 9, 0)
ARCHIVED_AT = wita(2026, 3, 3, 10, 0)
REPORTED_AT = wita(2026, 3, 5, 8, 0)
REASON = "Aduan saya diarsipkan tanpa alasan yang jelas dan jalan masih rusak."


def archived(world, *, now=ARCHIVED_AT, **kwargs):
    complaint = ComplaintFactory(pemda=world.pemda, now=FILED_AT, **kwargs)
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.ARCHIVE,
        actor=Actor.staff(world.koordinator),
        reason="unintelligible",
        now=now,
    )
    complaint.refresh_from_db()
    return complaint


def reported(complaint, *, consent=False, now=REPORTED_AT):
    return services.report_submit(
        complaint_id=complaint.pk, secret=complaint.tracking_secret, reason=REASON, consent=consent, now=now
    )


@pytest.fixture
def omb(world):
    return MembershipFactory(role="ombudsman", province=world.pemda.province).user
