"""Compliance rollups: the breach forecast's month cells per OPD and category
(``follow_up_days_cat``, ``resolved_cat``, ``follow_up_br_cat``, ``resolution_br_cat``; see
aduan/sla/rollups.py), filled here in SQL on PostgreSQL from the stopped first follow-up and
resolution clocks of complaints with a category, as ``aduan.sla.rollups.clock_facts`` defines them,
in month cells of their own span (5, ``MetricRollup.CATEGORY_MONTH``)
(tests/compliance/test_rollup_spans.py checks that this fill equals a rebuild). No schema change.
On other databases run ``manage.py metrics_rebuild`` (a new database has nothing to fill).
"""

from django.db import migrations

CELL = "pemda_id, span, day, opd_id, metric, label, value"

FILL_SQL = f"""
WITH d AS (
    SELECT c.pemda_id, c.category_id, d.stage, coalesce(d.opd_id, 0) AS opd_id, d.resolved_by_id,
           (d.met_at AT TIME ZONE p.timezone)::date AS met,
           (d.breached_at AT TIME ZONE p.timezone)::date AS breached,
           d.working_days_taken AS days
    FROM sla_deadline d
    JOIN complaints_complaint c ON c.id = d.complaint_id
    JOIN agencies_pemda p ON p.id = c.pemda_id
    WHERE c.category_id IS NOT NULL AND d.stage IN ('follow_up', 'resolution')
      AND (d.met_at IS NOT NULL OR d.breached_at IS NOT NULL)
), facts AS (
    SELECT pemda_id, opd_id, breached AS day, stage || '_br_cat' AS metric, category_id, 0 AS value
    FROM d WHERE breached IS NOT NULL
    UNION ALL
    SELECT pemda_id, opd_id, met, 'follow_up_days_cat', category_id, days
    FROM d WHERE stage = 'follow_up' AND met IS NOT NULL AND days IS NOT NULL
    UNION ALL
    SELECT pemda_id, resolved_by_id, met, 'resolved_cat', category_id, coalesce(days, -1)
    FROM d WHERE stage = 'resolution' AND met IS NOT NULL AND resolved_by_id IS NOT NULL
)
INSERT INTO sla_metricrollup ({CELL}, n)
SELECT pemda_id, 5, date_trunc('month', day)::date, opd_id, metric, category_id::text, value, count(*)
FROM facts
GROUP BY 1, 2, 3, 4, 5, 6, 7
ON CONFLICT ({CELL}) DO UPDATE SET n = excluded.n
"""
METRICS = ("follow_up_days_cat", "follow_up_br_cat", "resolved_cat", "resolution_br_cat")


def fill(cursor) -> None:
    """Replace the category cells by those of the stopped clocks (PostgreSQL)."""
    cursor.execute("DELETE FROM sla_metricrollup WHERE metric = ANY(%s)", [list(METRICS)])
    cursor.execute(FILL_SQL)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            fill(cursor)


def backwards(apps, schema_editor):
    model = apps.get_model("sla", "MetricRollup")
    model.objects.using(schema_editor.connection.alias).filter(metric__in=METRICS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0009_rollup_spans_backlog"),
        ("complaints", "0021_complaint_pemda_status_covering"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
