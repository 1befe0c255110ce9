"""BRIN index on the append-only timeline's timestamp (PostgreSQL only; SQLite has no BRIN).

Events are only ever appended, so their physical order follows ``created_at``: a BRIN index answers
time-range scans (audits, exports by period) from a few pages where a B-tree over 100 M rows would
take gigabytes and slow every insert."""

from django.contrib.postgres.indexes import BrinIndex
from django.db import migrations

INDEX = BrinIndex(fields=["created_at"], name="event_created_brin", autosummarize=True)


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("complaints", "ComplaintEvent"), INDEX)


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("complaints", "ComplaintEvent"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0007_list_indexes")]
    operations = [migrations.RunPython(add_index, remove_index)]
