"""Tell PostgreSQL's planner that a complaint has a handful of clocks (about five), not fifty.

ANALYZE's sample read about 440,000 distinct complaints among 24 million clocks at national size
(there are 5 million), so a complaint's clocks were estimated at 55 rows and the complaint page
hashed all 5,000 OPDs to join them: 0.8 ms instead of 0.02. A fixed ratio (n_distinct = -0.2:
distinct complaints are a fifth of the rows) keeps the estimate right as the table grows; ANALYZE
applies it at once. Takes no lock that blocks reads or writes; nothing to do on SQLite."""

from django.db import migrations

RATIO = -0.2


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE sla_deadline ALTER COLUMN complaint_id SET (n_distinct = {RATIO})")
        schema_editor.execute("ANALYZE sla_deadline")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE sla_deadline ALTER COLUMN complaint_id RESET (n_distinct)")
        schema_editor.execute("ANALYZE sla_deadline")


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0011_deadline_running_due"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
