"""Configuration history (django-pghistory): PostgreSQL triggers copy every insert, update and delete
of SLA policies, holiday overrides, methodologies, staff roles, Pemda settings and users' admin
flags — bulk ``QuerySet.update()`` included, which no Django signal sees — into append-only event
tables; a change made in a signed-in request records who made it; the admin lists it."""

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.urls import reverse

from aduan.agencies.models import Pemda, StaffMembership
from aduan.compliance.methodologies import ensure_initial_methodologies
from aduan.compliance.models import Methodology
from aduan.core.history import history_models
from aduan.sla.models import HolidayOverride, SlaPolicy
from aduan.users.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.postgres


def events_of(model, **filters):
    event_model = next(m for m in history_models() if m.pgh_tracked_model is model)
    return event_model.objects.filter(**filters).order_by("pgh_id")


def test_a_bulk_update_of_sla_policies_records_every_row(default_policies):
    policies = list(SlaPolicy.objects.order_by("pk"))
    assert len(policies) >= 3
    before = events_of(SlaPolicy).count()

    changed = SlaPolicy.objects.filter(pk__in=[p.pk for p in policies]).update(
        amount=7, note="Perwali 9/2026"
    )

    assert changed == len(policies)
    updates = list(events_of(SlaPolicy, pgh_label="update"))
    assert events_of(SlaPolicy).count() == before + len(policies)
    assert sorted(e.pgh_obj_id for e in updates) == [p.pk for p in policies]
    assert {(e.amount, e.note) for e in updates} == {(7, "Perwali 9/2026")}
    assert all(e.pgh_context_id is None for e in updates)  # no request: the system did it


def test_an_update_that_changes_nothing_records_nothing(default_policies):
    before = events_of(SlaPolicy).count()
    SlaPolicy.objects.update(amount=F("amount"))
    assert events_of(SlaPolicy).count() == before


def test_memberships_bulk_deactivated_and_deleted_are_recorded(world):
    memberships = StaffMembership.objects.filter(opd=world.opd)
    ids = sorted(memberships.values_list("pk", flat=True))
    assert len(ids) == 3
    inserted = events_of(StaffMembership, pgh_label="insert", pgh_obj_id__in=ids)
    assert inserted.count() == 3  # created by the fixture: insert events

    memberships.update(is_active=False)
    StaffMembership.objects.filter(pk=ids[0]).delete()

    updates = events_of(StaffMembership, pgh_label="update", pgh_obj_id__in=ids)
    assert sorted(updates.values_list("pgh_obj_id", flat=True)) == ids
    assert set(updates.values_list("is_active", flat=True)) == {False}
    deleted = events_of(StaffMembership, pgh_label="delete").get()
    assert (deleted.pgh_obj_id, deleted.role, deleted.opd_id) == (ids[0], "petugas_opd", world.opd.pk)


def test_methodology_rows_and_holidays_are_recorded(pemda):
    ensure_initial_methodologies(Methodology)
    count = Methodology.objects.count()
    Methodology.objects.update(basis="Permen PANRB baru")
    assert events_of(Methodology, pgh_label="update").count() == count
    assert set(events_of(Methodology, pgh_label="update").values_list("basis", flat=True)) == {
        "Permen PANRB baru"
    }
    HolidayOverride.objects.bulk_create(
        [
            HolidayOverride(date=date(2026, 12, 24), is_holiday=True, reason="Cuti bersama"),
            HolidayOverride(pemda=pemda, date=date(2026, 12, 26), is_holiday=False, reason="Sabtu kerja"),
        ]
    )
    HolidayOverride.objects.filter(pemda=pemda).update(is_holiday=True, reason="Batal")
    labels = list(events_of(HolidayOverride).values_list("pgh_label", "reason"))
    assert labels == [("insert", "Cuti bersama"), ("insert", "Sabtu kerja"), ("update", "Batal")]


def test_pemda_two_factor_switch_and_admin_flags_are_recorded_but_not_logins(pemda):
    Pemda.objects.filter(pk=pemda.pk).update(two_factor_required=True)
    assert events_of(Pemda, pgh_label="update").get().two_factor_required is True
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(last_login="2026-11-28T01:00:00Z", full_name="Nama Baru")
    assert not events_of(User, pgh_label="update", pgh_obj_id=user.pk).exists()
    User.objects.filter(pk=user.pk).update(is_superuser=True)
    event = events_of(User, pgh_label="update", pgh_obj_id=user.pk).get()
    assert event.is_superuser is True
    assert not hasattr(event, "email")  # personal data stays out of the history


def test_a_pemdas_map_centre_is_recorded(pemda):
    from decimal import Decimal

    Pemda.objects.filter(pk=pemda.pk).update(
        map_latitude=Decimal("-1.2654"), map_longitude=Decimal("116.8312")
    )
    event = events_of(Pemda, pgh_label="update").get()
    assert (event.map_latitude, event.map_longitude, event.map_zoom) == (
        Decimal("-1.265400"),
        Decimal("116.831200"),
        12,
    )


def test_history_rows_cannot_be_edited_or_deleted(default_policies):
    SlaPolicy.objects.update(note="x")
    event = events_of(SlaPolicy).last()
    table = type(event)._meta.db_table
    for sql in (f"UPDATE {table} SET note = 'y' WHERE pgh_id = %s", f"DELETE FROM {table} WHERE pgh_id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pgh_id])
    assert events_of(SlaPolicy).last().note == "x"


def test_a_change_made_in_the_admin_records_who_made_it_and_the_admin_lists_it(client, db):
    admin = User.objects.create_superuser(email="admin@example.id", password="rahasia-123")
    client.force_login(admin)
    response = client.post(
        reverse("admin:sla_holidayoverride_add"),
        {
            "date": "2026-12-31",
            "is_holiday": "on",
            "reason": "Cuti bersama akhir tahun",
            "decree_number": "SKB 1",
        },
    )
    assert response.status_code == 302, response.content[:500]
    override = HolidayOverride.objects.get(date=date(2026, 12, 31))
    event = events_of(HolidayOverride, pgh_obj_id=override.pk).get()
    assert event.pgh_label == "insert"
    assert event.pgh_context.metadata["user"] == admin.pk
    assert event.pgh_context.metadata["url"] == reverse("admin:sla_holidayoverride_add")

    event_model = type(event)
    listing = client.get(
        reverse(f"admin:{event_model._meta.app_label}_{event_model._meta.model_name}_changelist")
    )
    assert listing.status_code == 200
    assert b"admin@example.id" in listing.content
    assert b"Cuti bersama akhir tahun" in listing.content
