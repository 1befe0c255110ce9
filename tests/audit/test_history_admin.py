"""The configuration history pages work on both backends (on SQLite the tables exist and stay empty:
the history triggers are PostgreSQL's), and tracking never gets in the way of a change there."""

from django.db import connection
from django.urls import reverse

from aduan.core.history import history_models
from aduan.sla.models import SlaPolicy
from aduan.users.models import User


def test_every_history_list_opens_for_a_superuser_and_offers_no_edits(client, db):
    client.force_login(User.objects.create_superuser(email="root@example.id", password="rahasia-123"))
    for model in history_models():
        meta = model._meta
        listing = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert listing.status_code == 200, meta.label
        assert client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add")).status_code == 403


def test_tracking_never_gets_in_the_way_and_records_only_on_postgresql(default_policies):
    changed = SlaPolicy.objects.update(note="x")
    assert changed >= 3
    event_model = next(m for m in history_models() if m.pgh_tracked_model is SlaPolicy)
    recorded = event_model.objects.filter(note="x").count()
    assert recorded == (changed if connection.vendor == "postgresql" else 0)
