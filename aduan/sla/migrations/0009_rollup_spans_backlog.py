"""Compliance rollups: dekad, quarter and year cells next to the day and month ones, the backlog's
cells (``open``, ``open_days``), two partial indexes (the trend's month cells, the backlog's
cells), and ``n`` included in the indexes so that periods are read by index-only scans; see
aduan/sla/rollups.py.

On PostgreSQL the new cells are filled here, in SQL: the dekad, quarter and year cells are sums of
the day cells already there (exact by construction), the backlog's cells come from the complaints
(as ``aduan.complaints.rollups.submitted_facts`` defines them; tests/compliance/test_rollup_spans.py
checks that this fill equals a rebuild). On other databases run ``manage.py metrics_rebuild``.
"""

from django.db import migrations, models

# Frozen copies of aduan.sla.rollups.DAY_ONLY and BACKLOG_DAYS at this migration.
DAY_ONLY = ("ch_fu_both", "follow_up_both", "hop_recv_dup", "promise_both", "verification_both")
BACKLOG_DAYS = 61

SPANS_SQL = """
INSERT INTO sla_metricrollup (pemda_id, span, day, opd_id, metric, label, value, n)
SELECT r.pemda_id, s.span, s.start, r.opd_id, r.metric, r.label, r.value, sum(r.n)
FROM sla_metricrollup r
CROSS JOIN LATERAL (VALUES
    (2, make_date(extract(year FROM r.day)::int, extract(month FROM r.day)::int,
                  least((extract(day FROM r.day)::int - 1) / 10, 2) * 10 + 1)),
    (3, date_trunc('quarter', r.day)::date),
    (4, date_trunc('year', r.day)::date)
) AS s(span, start)
WHERE r.span = 0 AND r.n <> 0 AND r.metric <> ALL(%s) AND r.metric NOT IN ('open', 'open_days')
GROUP BY 1, 2, 3, 4, 5, 6, 7
HAVING sum(r.n) <> 0
ON CONFLICT (pemda_id, span, day, opd_id, metric, label, value) DO UPDATE SET n = excluded.n
"""

BACKLOG_SQL = """
WITH c AS (
    SELECT c.pemda_id, coalesce(c.current_opd_id, 0) AS opd_id,
           (c.submitted_at AT TIME ZONE p.timezone)::date AS submitted,
           (c.closed_at AT TIME ZONE p.timezone)::date AS closed
    FROM complaints_complaint c JOIN agencies_pemda p ON p.id = c.pemda_id
), facts AS (
    SELECT pemda_id, opd_id, submitted AS day, 'open' AS metric, 0 AS value, 1 AS n FROM c
    UNION ALL
    SELECT pemda_id, opd_id, closed, 'open', 0, -1 FROM c WHERE closed IS NOT NULL
    UNION ALL
    SELECT pemda_id, opd_id, submitted, 'open_days',
           CASE WHEN closed IS NULL THEN %(days)s ELSE least(closed - submitted, %(days)s) END, 1
    FROM c
)
INSERT INTO sla_metricrollup (pemda_id, span, day, opd_id, metric, label, value, n)
SELECT f.pemda_id, s.span, s.start, f.opd_id, f.metric, '', f.value, sum(f.n)
FROM facts f
CROSS JOIN LATERAL (VALUES
    (0, f.day),
    (1, date_trunc('month', f.day)::date),
    (2, make_date(extract(year FROM f.day)::int, extract(month FROM f.day)::int,
                  least((extract(day FROM f.day)::int - 1) / 10, 2) * 10 + 1)),
    (3, date_trunc('quarter', f.day)::date),
    (4, date_trunc('year', f.day)::date)
) AS s(span, start)
WHERE s.span = 0 OR f.metric = 'open'
GROUP BY 1, 2, 3, 4, 5, 6, 7
HAVING sum(f.n) <> 0
ON CONFLICT (pemda_id, span, day, opd_id, metric, label, value) DO UPDATE SET n = excluded.n
"""


def fill(cursor) -> None:
    """Add the new cells to those there (PostgreSQL): dekads, quarters and years of the day
    cells, and the backlog's cells from the complaints."""
    cursor.execute("DELETE FROM sla_metricrollup WHERE span IN (2, 3, 4) OR metric IN ('open', 'open_days')")
    cursor.execute(SPANS_SQL, [list(DAY_ONLY)])
    cursor.execute(BACKLOG_SQL, {"days": BACKLOG_DAYS})
    cursor.execute("ANALYZE sla_metricrollup")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            fill(cursor)


def backwards(apps, schema_editor):
    apps.get_model("sla", "MetricRollup").objects.filter(
        models.Q(span__in=[2, 3, 4]) | models.Q(metric__in=["open", "open_days"])
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0008_metric_rollup"),
        ("complaints", "0020_complaint_pemda_closed"),
        ("agencies", "0007_areas_kecamatan_kelurahan"),
    ]

    operations = [
        # ``n`` in the indexes: periods are read by index-only scans.
        migrations.RemoveConstraint(model_name="metricrollup", name="metric_rollup_cell"),
        migrations.AddConstraint(
            model_name="metricrollup",
            constraint=models.UniqueConstraint(
                fields=("pemda_id", "span", "day", "opd_id", "metric", "label", "value"),
                include=("n",),
                name="metric_rollup_cell",
            ),
        ),
        migrations.RemoveIndex(model_name="metricrollup", name="metric_rollup_day_only"),
        migrations.AddIndex(
            model_name="metricrollup",
            index=models.Index(
                condition=models.Q(
                    (
                        "metric__in",
                        ["ch_fu_both", "follow_up_both", "hop_recv_dup", "promise_both", "verification_both"],
                    )
                ),
                fields=["pemda_id", "day"],
                include=("metric", "value", "opd_id", "label", "n"),
                name="metric_rollup_day_only",
            ),
        ),
        migrations.AddIndex(
            model_name="metricrollup",
            index=models.Index(
                condition=models.Q(("metric__in", ["follow_up_br", "follow_up_ok", "sub"]), ("span", 1)),
                fields=["pemda_id", "day"],
                include=("opd_id", "metric", "n"),
                name="metric_rollup_trend",
            ),
        ),
        migrations.AddIndex(
            model_name="metricrollup",
            index=models.Index(
                condition=models.Q(("metric__in", ["open", "open_days"])),
                fields=["pemda_id", "metric", "span", "day"],
                include=("opd_id", "value", "n"),
                name="metric_rollup_backlog",
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
