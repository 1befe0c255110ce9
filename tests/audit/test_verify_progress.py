"""verify_audit is not silent on a long run: progress lines go to its output (a log under cron)."""

import io

import pytest
from django.core.management import call_command

from aduan.complaints.models import ComplaintEvent, Status
from tests.factories import complaint_in_status


@pytest.mark.django_db
def test_verify_audit_prints_progress_by_tenths_of_the_events(default_policies):
    complaint_in_status(Status.DISPATCHED)
    complaint_in_status(Status.SUBMITTED)
    events = ComplaintEvent.objects.count()
    assert events >= 3
    out, err = io.StringIO(), io.StringIO()

    call_command("verify_audit", "--chunk-size", "1", stdout=out, stderr=err)

    text = out.getvalue()
    assert f"verify_audit: {events}/{events} riwayat (100%)" in text
    assert text.count("verify_audit: ") == 10
    assert "\r" not in text
    assert "0 rantai rusak" in text
    assert err.getvalue() == ""
