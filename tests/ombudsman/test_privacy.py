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


def test_the_reporters_data_copy_holds_their_report_and_its_outcome(client, world, omb):
    """Hak akses (UU 27/2022 Pasal 7): the report the reporter made is their data — in the JSON
    download, the readable page and the API, with the Ombudsman's finding once closed."""
    import json
    from datetime import UTC

    from django.urls import reverse

    from aduan.ombudsman import services
    from aduan.privacy.selectors import personal_data_export

    from .conftest import REASON, REPORTED_AT

    complaint = archived(world)
    secret = complaint.tracking_secret
    assert personal_data_export(complaint=complaint, secret=secret)["ombudsman_report"] is None
    report = reported(complaint, consent=True)
    data = personal_data_export(complaint=complaint, secret=secret)["ombudsman_report"]
    assert data["reason"] == REASON
    assert data["ground"] == "archived"
    assert data["identity_shared"] is True
    assert data["submitted_at"] == REPORTED_AT.astimezone(UTC).isoformat()  # times in UTC, as the export says
    assert data["finding"] == ""
    assert data["closed_at"] is None

    services.report_close(report_id=report.pk, user=omb, finding="tidak_ditemukan", note="Sesuai prosedur.")
    download = json.loads(client.get(reverse("privacy:my-data-json", args=[secret])).content)
    assert download["ombudsman_report"]["finding"] == "tidak_ditemukan"
    assert download["ombudsman_report"]["finding_note"] == "Sesuai prosedur."
    page = client.get(reverse("privacy:my-data", args=[secret])).content.decode()
    assert "Laporan Anda ke Ombudsman" in page
    assert "Sesuai prosedur." in page
    api = client.get(f"/api/v1/track/{secret}/my-data/")
    assert api.status_code == 200, api.status_code
    assert api.json()["ombudsman_report"]["reason"] == REASON
