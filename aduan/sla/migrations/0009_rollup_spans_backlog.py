"""Compliance rollups: dekad, quarter and year cells next to the day and month ones, the gap
metrics' near and far cells, the backlog's cells (``open``, ``open_days``), two partial indexes
(the trend's month cells, the backlog's cells) and the gap metrics' index by metric; see
aduan/sla/rollups.py.

On PostgreSQL the indexes also carry, as INCLUDE columns, what the reading needs (the unique
index ``n``, the partial ones the cell's columns), so that periods are read by index-only scans
(aduan.compliance.metrics.rollup_rows); the model declares them without (other databases have no
INCLUDE), so the difference lives here only. And the new cells are filled here, in SQL: the gap
metrics' far cells are their day cells with a gap over 31 days renamed, their near cells and the
dekad, quarter and year cells are sums of the day cells already there (exact by construction), the
backlog's cells come from the complaints as ``aduan.complaints.rollups.submitted_facts`` defines
them (tests/compliance/test_rollup_spans.py checks that this fill equals a rebuild). Autovacuum
then sets the visibility map the index-only scans need. On other databases run ``manage.py
metrics_rebuild``.
"""

from django.db import migrations, models

# Frozen copies of aduan.sla.rollups.DAY_ONLY, NEAR_DAYS and BACKLOG_DAYS at this migration.
DAY_ONLY = ("ch_fu_both", "follow_up_both", "hop_recv_dup", "promise_both", "verification_both")
NEAR_DAYS = 31
BACKLOG_DAYS = 61
CELL = "pemda_id, span, day, opd_id, metric, label, value"

TREND = models.Index(
    condition=models.Q(("metric__in", ["follow_up_br", "follow_up_ok", "sub"]), ("span", 1)),
    fields=["pemda_id", "day"],
    name="metric_rollup_trend",
)
BACKLOG = models.Index(
    condition=models.Q(("metric__in", ["open", "open_days"])),
    fields=["pemda_id", "metric", "span", "day"],
    name="metric_rollup_backlog",
)
BY_DAY_GAPS = sorted([*DAY_ONLY, *(f"{m}_far" for m in DAY_ONLY)])
OLD_DAY_ONLY = models.Index(
    fields=["pemda_id", "day"],
    condition=models.Q(("metric__in", list(DAY_ONLY))),
    name="metric_rollup_day_only",
)
NEW_DAY_ONLY = models.Index(
    fields=["pemda_id", "metric", "day"],
    condition=models.Q(("metric__in", BY_DAY_GAPS)),
    name="metric_rollup_day_only",
)
DAY_ONLY_WHERE = "metric IN (" + ", ".join(f"'{m}'" for m in DAY_ONLY) + ")"
BY_DAY_GAPS_WHERE = "metric IN (" + ", ".join(f"'{m}'" for m in BY_DAY_GAPS) + ")"

COVERING_SQL = [
    "ALTER TABLE sla_metricrollup DROP CONSTRAINT metric_rollup_cell, "
    f"ADD CONSTRAINT metric_rollup_cell UNIQUE ({CELL}) INCLUDE (n)",
    "DROP INDEX metric_rollup_day_only",
    "CREATE INDEX metric_rollup_day_only ON sla_metricrollup (pemda_id, metric, day) "
    f"INCLUDE (value, opd_id, label, n) WHERE {BY_DAY_GAPS_WHERE}",
    "CREATE INDEX metric_rollup_trend ON sla_metricrollup (pemda_id, day) INCLUDE (opd_id, metric, n) "
    "WHERE span = 1 AND metric IN ('follow_up_br', 'follow_up_ok', 'sub')",
    "CREATE INDEX metric_rollup_backlog ON sla_metricrollup (pemda_id, metric, span, day) "
    "INCLUDE (opd_id, value, n) WHERE metric IN ('open', 'open_days')",
]
PLAIN_SQL = [
    "DROP INDEX metric_rollup_backlog",
    "DROP INDEX metric_rollup_trend",
    "DROP INDEX metric_rollup_day_only",
    f"CREATE INDEX metric_rollup_day_only ON sla_metricrollup (pemda_id, day) WHERE {DAY_ONLY_WHERE}",
    f"ALTER TABLE sla_metricrollup DROP CONSTRAINT metric_rollup_cell, ADD CONSTRAINT metric_rollup_cell UNIQUE ({CELL})",
]

# The gap metrics' events more than NEAR_DAYS after the earlier one become their far cells; the
# others are also summed, without the gap, into near cells of every span.
FAR_SQL = """
UPDATE sla_metricrollup SET metric = metric || '_far' WHERE span = 0 AND metric = ANY(%s) AND value > %s
"""
NEAR_SQL = """
INSERT INTO sla_metricrollup (pemda_id, span, day, opd_id, metric, label, value, n)
SELECT r.pemda_id, s.span, s.start, r.opd_id, r.metric || '_near', r.label, 0, sum(r.n)
FROM sla_metricrollup r
CROSS JOIN LATERAL (VALUES
    (0, r.day),
    (1, date_trunc('month', r.day)::date),
    (2, make_date(extract(year FROM r.day)::int, extract(month FROM r.day)::int,
                  least((extract(day FROM r.day)::int - 1) / 10, 2) * 10 + 1)),
    (3, date_trunc('quarter', r.day)::date),
    (4, date_trunc('year', r.day)::date)
) AS s(span, start)
WHERE r.span = 0 AND r.n <> 0 AND r.metric = ANY(%s)
GROUP BY 1, 2, 3, 4, 5, 6, 7
HAVING sum(r.n) <> 0
ON CONFLICT (pemda_id, span, day, opd_id, metric, label, value) DO UPDATE SET n = excluded.n
"""

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
  AND r.metric NOT LIKE '%%\\_near' AND r.metric NOT LIKE '%%\\_far'
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
    """Add the new cells to those there (PostgreSQL): the far and near cells of the gap metrics,
    dekads, quarters and years of the day cells, and the backlog's cells from the complaints."""
    near = [f"{m}_near" for m in DAY_ONLY]
    cursor.execute(
        "DELETE FROM sla_metricrollup WHERE span IN (2, 3, 4) OR metric IN ('open', 'open_days') OR metric = ANY(%s)",
        [near],
    )
    cursor.execute(FAR_SQL, [list(DAY_ONLY), NEAR_DAYS])
    cursor.execute(NEAR_SQL, [list(DAY_ONLY)])
    cursor.execute(SPANS_SQL, [list(DAY_ONLY)])
    cursor.execute(BACKLOG_SQL, {"days": BACKLOG_DAYS})
    cursor.execute("ANALYZE sla_metricrollup")


def indexes_add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        model = apps.get_model("sla", "MetricRollup")
        schema_editor.remove_index(model, OLD_DAY_ONLY)
        for index in (NEW_DAY_ONLY, TREND, BACKLOG):
            schema_editor.add_index(model, index)
        return
    for sql in COVERING_SQL:
        schema_editor.execute(sql)


def indexes_remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        model = apps.get_model("sla", "MetricRollup")
        for index in (BACKLOG, TREND, NEW_DAY_ONLY):
            schema_editor.remove_index(model, index)
        schema_editor.add_index(model, OLD_DAY_ONLY)
        return
    for sql in PLAIN_SQL:
        schema_editor.execute(sql)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            fill(cursor)


def backwards(apps, schema_editor):
    cells = apps.get_model("sla", "MetricRollup").objects
    cells.filter(
        models.Q(span__in=[2, 3, 4])
        | models.Q(metric__in=["open", "open_days"])
        | models.Q(metric__in=[f"{m}_near" for m in DAY_ONLY])
    ).delete()
    for metric in DAY_ONLY:
        cells.filter(metric=f"{metric}_far").update(metric=metric)


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0008_metric_rollup"),
        ("complaints", "0020_complaint_pemda_closed"),
        ("agencies", "0007_areas_kecamatan_kelurahan"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="metricrollup", name="metric_rollup_day_only"),
                migrations.AddIndex(model_name="metricrollup", index=NEW_DAY_ONLY),
                migrations.AddIndex(model_name="metricrollup", index=TREND),
                migrations.AddIndex(model_name="metricrollup", index=BACKLOG),
            ],
            database_operations=[migrations.RunPython(indexes_add, indexes_remove)],
        ),
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
