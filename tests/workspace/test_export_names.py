"""Export file names carry the moment of the export in the user's Pemda's zone, labelled."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import MembershipFactory, PemdaFactory

MOMENT = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # 7 December 07:30 WITA, 08:30 WIT


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("Asia/Makassar", "aduan-20261207-0730-WITA"), ("Asia/Jayapura", "aduan-20261207-0830-WIT")],
)
@pytest.mark.parametrize("name", ["complaints:staff-export-csv", "complaints:staff-export-xlsx"])
def test_export_file_names_use_the_pemdas_zone(db, client, monkeypatch, zone, expected, name):
    pemda = PemdaFactory(timezone=zone)
    client.force_login(MembershipFactory(role="koordinator", pemda=pemda).user)
    monkeypatch.setattr(timezone, "now", lambda: MOMENT)

    response = client.get(reverse(name))

    ext = name.rsplit("-", 1)[1]
    assert response["Content-Disposition"] == f'attachment; filename="{expected}.{ext}"'


def test_the_ombudsman_gets_the_sites_zone(db, client, monkeypatch):
    pemda = PemdaFactory()
    client.force_login(MembershipFactory(role="ombudsman", province=pemda.province).user)
    monkeypatch.setattr(timezone, "now", lambda: MOMENT)

    response = client.get(reverse("complaints:staff-export-csv"))

    assert response["Content-Disposition"] == 'attachment; filename="aduan-20261207-0630-WIB.csv"'
