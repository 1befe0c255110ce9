"""Who may take a complaint to the Ombudsman (``eligibility.ombudsman_grounds``, pure)."""

from datetime import timedelta

import pytest

from aduan.ombudsman.eligibility import ombudsman_grounds
from aduan.ombudsman.models import Ground
from tests.factories import wita

NOW = wita(2026, 5, 1, 12, 0)
DUE_PAST = NOW - timedelta(minutes=1)
DUE_AHEAD = NOW + timedelta(days=3)


def grounds(status="dispatched", rejections=0, due=DUE_AHEAD):
    return ombudsman_grounds(status=status, rejections=rejections, resolution_due_at=due, now=NOW)


def test_archived_complaint_is_eligible():
    assert grounds("archived", due=None) == [Ground.ARCHIVED]


def test_forwarded_out_complaint_is_eligible():
    assert grounds("forwarded_out", due=None) == [Ground.FORWARDED_OUT]


def test_answer_rejected_twice_is_eligible_open_or_resolved():
    assert grounds("dispatched", rejections=2) == [Ground.REJECTED_TWICE]
    assert grounds("resolved", rejections=3, due=None) == [Ground.REJECTED_TWICE]


def test_past_the_60_day_resolution_time_is_eligible():
    assert grounds("dispatched", due=DUE_PAST) == [Ground.OVERDUE]
    assert grounds("on_hold", due=DUE_PAST) == [Ground.OVERDUE]


def test_several_grounds_strongest_first():
    assert grounds("followed_up", rejections=2, due=DUE_PAST) == [Ground.REJECTED_TWICE, Ground.OVERDUE]


@pytest.mark.parametrize(
    ("status", "rejections", "due"),
    [
        ("submitted", 0, DUE_AHEAD),  # being handled, within its time
        ("dispatched", 1, DUE_AHEAD),  # rejected once only
        ("followed_up", 1, DUE_AHEAD),
        ("resolved", 1, None),  # resolved (its resolution clock met), one rejection
        ("resolved", 0, DUE_PAST),  # a closed complaint is never "overdue"
        ("dispatched", 0, None),  # no resolution clock open
        ("dispatched", 0, NOW),  # due exactly now: not yet past
    ],
)
def test_not_eligible(status, rejections, due):
    assert grounds(status, rejections=rejections, due=due) == []
