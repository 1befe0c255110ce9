"""Tell PostgreSQL's planner that a complaint has a handful of events (about four), not fifty.

ANALYZE's sample read about 360,000 distinct complaints among 19 million events at national size
(there are 5 million), so a complaint's history was estimated at 53 rows and the complaint page
hashed every user and OPD to join them: 1.8 ms instead of 0.03. A fixed ratio (n_distinct = -0.25:
distinct complaints are a quarter of the rows) keeps the estimate right as the table grows; ANALYZE
applies it at once. Takes no lock that blocks reads or writes; nothing to do on SQLite."""

from django.db import migrations

RATIO = -0.25


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE complaints_complaintevent ALTER COLUMN complaint_id SET (n_distinct = {RATIO})"
        )
        schema_editor.execute("ANALYZE complaints_complaintevent")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE complaints_complaintevent ALTER COLUMN complaint_id RESET (n_distinct)")
        schema_editor.execute("ANALYZE complaints_complaintevent")


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0022_inbox_covering"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
