"""complaint_pemda_status carries current_opd (INCLUDE): the current backlog of every Pemda by OPD
and age is an index-only scan (aduan/compliance/backlog.py).

On PostgreSQL the new index is built CONCURRENTLY under a temporary name, the old one dropped
CONCURRENTLY and the new one renamed, so filings and moves are not blocked while it builds (at
national size it takes about a minute); elsewhere (SQLite, where INCLUDE is ignored) the index is
simply replaced."""

from django.db import migrations, models

FIELDS = ["pemda", "status", "submitted_at"]
OLD = models.Index(fields=FIELDS, name="complaint_pemda_status")
NEW = models.Index(fields=FIELDS, include=["current_opd"], name="complaint_pemda_status")


def _swap(apps, schema_editor, before, after):
    model = apps.get_model("complaints", "Complaint")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.remove_index(model, before)
        schema_editor.add_index(model, after)
        return
    building = models.Index(fields=after.fields, include=after.include, name=f"{after.name}_new")
    schema_editor.add_index(model, building, concurrently=True)
    schema_editor.remove_index(model, before, concurrently=True)
    schema_editor.rename_index(model, building, after)


def forwards(apps, schema_editor):
    _swap(apps, schema_editor, OLD, NEW)


def backwards(apps, schema_editor):
    _swap(apps, schema_editor, NEW, OLD)


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("agencies", "0007_areas_kecamatan_kelurahan"),
        ("complaints", "0020_complaint_pemda_closed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="complaint", name="complaint_pemda_status"),
                migrations.AddIndex(model_name="complaint", index=NEW),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
