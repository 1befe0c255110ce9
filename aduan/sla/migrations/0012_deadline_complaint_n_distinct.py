"""Tell PostgreSQL's planner that a complaint has a handful of clocks (about five), not fifty.

ANALYZE's sample read about 440,000 distinct complaints among 24 million clocks at national size
(there are 5 million), so a complaint's clocks were estimated at 55 rows and the complaint page
hashed all 5,000 OPDs to join them: 0.8 ms instead of 0.02. A fixed ratio (distinct complaints are
a fifth of the rows) keeps the estimate right as the table grows (aduan/core/migration_ops.py)."""

from django.db import migrations

from aduan.core.migration_ops import column_n_distinct


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0011_deadline_running_due"),
    ]

    operations = [column_n_distinct("sla_deadline", "complaint_id", -0.2)]
