"""The holiday calendar and the SLA policies in the Django admin: holidays are added there, and a
policy that clocks already use cannot be edited or deleted (add a newer version instead)."""

import pytest

from aduan.sla.models import HolidayOverride, SlaPolicy, Stage
from tests.factories import ComplaintFactory, UserFactory


@pytest.fixture
def admin_client(client, db):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_a_holiday_override_is_added_in_the_admin(admin_client, pemda):
    response = admin_client.post(
        "/admin/sla/holidayoverride/add/",
        {
            "pemda": pemda.pk,
            "date": "2026-07-13",
            "is_holiday": "on",
            "reason": "Hari jadi kota",
            "decree_number": "Perwali 12/2026",
        },
    )

    assert response.status_code == 302
    override = HolidayOverride.objects.get()
    assert (override.pemda, str(override.date), override.is_holiday) == (pemda, "2026-07-13", True)
    assert admin_client.get("/admin/sla/holidayoverride/").status_code == 200


def test_a_policy_in_use_cannot_be_edited_or_deleted(admin_client, world):
    ComplaintFactory(pemda=world.pemda)  # starts a verification clock on the default policy
    used = SlaPolicy.objects.get(stage=Stage.VERIFICATION, classification="", category=None)
    assert used.deadlines.exists()

    edit = admin_client.post(
        f"/admin/sla/slapolicy/{used.pk}/change/",
        {"stage": "verification", "amount": 1, "unit": "working", "effective_from": "2000-01-01"},
    )
    delete = admin_client.post(f"/admin/sla/slapolicy/{used.pk}/delete/", {"post": "yes"})

    assert edit.status_code == 403
    assert delete.status_code == 403
    used.refresh_from_db()
    assert used.amount == 3
    # A newer version is added instead, and it is what new clocks use.
    added = admin_client.post(
        "/admin/sla/slapolicy/add/",
        {
            "stage": "verification",
            "amount": 2,
            "unit": "working",
            "effective_from": "2026-01-01",
            "classification": "",
            "remind_before": 1,
            "escalate_again_after": 2,
            "note": "Perwali baru",
        },
    )
    assert added.status_code == 302
    assert SlaPolicy.objects.filter(stage=Stage.VERIFICATION).count() == 2
