"""The reason the reporter gave the Ombudsman may identify them (UU 27/2022): it is erased with
their identity (approved erasure or retention); the report, its ground and finding stay."""

import pytest
from django.db import transaction

from aduan.ombudsman.models import OmbudsmanReport
from aduan.privacy.services import personal_data_erase

from .conftest import archived, reported

pytestmark = pytest.mark.django_db


def test_reason_erased_with_the_identity(world, omb):
    complaint = archived(world)
    reported(complaint, consent=True)
    with transaction.atomic():
        personal_data_erase(complaint_id=complaint.pk, now=complaint.closed_at)
    report = OmbudsmanReport.objects.get(complaint=complaint)
    assert report.reason == ""
    assert report.ground == "archived"
