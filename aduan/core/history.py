"""Configuration history: every insert, update and delete of SLA policies, holiday overrides,
compliance methodologies, staff memberships (roles), Pemda settings and users' admin flags is
copied by a PostgreSQL trigger (django-pghistory / django-pgtrigger) into an append-only
``<Model>Event`` table — ``QuerySet.update()``, ``bulk_create`` and raw SQL included, because the
database writes the row, not a Django signal.

- ``config_history()``: the decorator the tracked models use.
- ``ConfigHistoryMiddleware``: on PostgreSQL, a POST/PUT/PATCH/DELETE runs in a
  ``pghistory.context`` holding the URL and the user's id (a session user, or an API token's user
  once DRF has authenticated it), so each history row says who changed it (rows written by Celery
  or a management command have no user).
- ``HISTORY_MODELS``: the event models, shown read-only in the Django admin (aduan/core/admin.py).

On SQLite (the embedded development mode) pgtrigger installs nothing: the tables exist and stay
empty.
"""

import pghistory
from django.db import connection
from pghistory.middleware import HistoryMiddleware

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def config_history(**kwargs):
    """Track every insert, update (of a tracked field) and delete of a model; history rows are
    append-only themselves (pgtrigger protection triggers)."""
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        append_only=True,
        **kwargs,
    )


class ConfigHistoryMiddleware(HistoryMiddleware):
    """pghistory's middleware for writes (POST, PUT, PATCH, DELETE) on PostgreSQL: history rows
    written during the request carry the URL and the user, also one the API authenticates later
    by its token (pghistory follows ``request.user`` as DRF sets it). SQLite: nothing."""

    def __call__(self, request):
        if request.method not in UNSAFE_METHODS or connection.vendor != "postgresql":
            return self.get_response(request)
        return super().__call__(request)


def history_models() -> list:
    """The event models of the tracked configuration (after the app registry is ready)."""
    from django.apps import apps

    names = [
        ("sla", "SlaPolicyEvent"),
        ("sla", "HolidayOverrideEvent"),
        ("compliance", "MethodologyEvent"),
        ("agencies", "StaffMembershipEvent"),
        ("agencies", "PemdaEvent"),
        ("users", "UserEvent"),
    ]
    return [apps.get_model(app, name) for app, name in names]


def baseline_snapshot(app_label: str, pairs: list[tuple[str, str]]):
    """A migration step recording every existing row once (label "baseline"), so the history of a
    row tracked from now on starts from its state at installation (PostgreSQL only, like the rest)."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        from django.utils import timezone

        now = timezone.now()
        for model_name, event_name in pairs:
            model = apps.get_model(app_label, model_name)
            event = apps.get_model(app_label, event_name)
            copied = [f.attname for f in event._meta.concrete_fields if not f.name.startswith("pgh_")]
            rows = model._base_manager.using(schema_editor.connection.alias).values_list("pk", *copied)
            batch = []
            for pk, *values in rows.iterator(chunk_size=2000):
                batch.append(
                    event(
                        pgh_created_at=now,
                        pgh_label="baseline",
                        pgh_obj_id=pk,
                        **dict(zip(copied, values, strict=True)),
                    )
                )
                if len(batch) == 2000:
                    event.objects.bulk_create(batch)
                    batch = []
            event.objects.bulk_create(batch)

    return run
