"""deadline_running_due: a complaint's running clocks (open, not paused) by due time, so the lists'
"next due" (complaints.filters.with_next_due) is one index-only probe per complaint. Partial: at
national size it holds the ~200,000 running clocks of 24 million. Built CONCURRENTLY on
PostgreSQL (aduan/core/migration_ops.py), so clocks keep starting and stopping while it builds."""

from django.db import migrations, models
from django.db.models import Q

from aduan.core.migration_ops import index_added

INDEX = models.Index(
    fields=["complaint", "due_at"],
    name="deadline_running_due",
    condition=Q(met_at__isnull=True, cancelled_at__isnull=True, paused_at__isnull=True),
)


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("sla", "0010_rollup_category_cells"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="deadline", index=INDEX)],
            database_operations=[index_added("sla", "Deadline", INDEX)],
        ),
    ]
