"""Tell PostgreSQL's planner that a complaint has a handful of events (about four), not fifty.

ANALYZE's sample read about 360,000 distinct complaints among 19 million events at national size
(there are 5 million), so a complaint's history was estimated at 53 rows and the complaint page
hashed every user and OPD to join them: 1.8 ms instead of 0.03. A fixed ratio (distinct complaints
are a quarter of the rows) keeps the estimate right as the table grows (aduan/core/migration_ops.py)."""

from django.db import migrations

from aduan.core.migration_ops import column_n_distinct


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0022_inbox_covering"),
    ]

    operations = [column_n_distinct("complaints_complaintevent", "complaint_id", -0.25)]
