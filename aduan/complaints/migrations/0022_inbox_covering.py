"""complaint_opd_status carries submitted_at and id (INCLUDE): an OPD's inbox chooses its page of 50
among everything the OPD holds (sorted by next due time, submission, id) from the index alone.

Built as 0021 did: on PostgreSQL CONCURRENTLY under a temporary name, the old index dropped
CONCURRENTLY and the new one renamed, so filings and moves go on while it builds; elsewhere
(SQLite, where INCLUDE is ignored) the index is simply replaced."""

from django.db import migrations, models

FIELDS = ["current_opd", "status"]
OLD = models.Index(fields=FIELDS, name="complaint_opd_status")
NEW = models.Index(fields=FIELDS, include=["submitted_at", "id"], name="complaint_opd_status")


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
        ("complaints", "0021_complaint_pemda_status_covering"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="complaint", name="complaint_opd_status"),
                migrations.AddIndex(model_name="complaint", index=NEW),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
