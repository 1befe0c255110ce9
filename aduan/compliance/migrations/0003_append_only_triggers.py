"""Score inputs are append-only in the database too (PostgreSQL only; SQLite keeps the Python guards).

- AssessmentEntry and EvidenceItem: UPDATE and DELETE refused (a correction is a new row).
- ComplianceScore: DELETE refused; an UPDATE only when it publishes a not yet published snapshot
  and changes nothing but ``published_at`` and ``published_by``.

The function aduan_refuse_change() comes from complaints 0010. Triggers are ENABLE ALWAYS (they
fire under session_replication_role = replica too); TRUNCATE is not covered.
"""

from django.db import migrations

PUBLISH_ONCE = """
CREATE OR REPLACE FUNCTION aduan_score_publish_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.published_at IS NULL AND NEW.published_at IS NOT NULL
       AND (to_jsonb(NEW) - ARRAY['published_at', 'published_by_id'])
           = (to_jsonb(OLD) - ARRAY['published_at', 'published_by_id']) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'aduan: % on % refused: snapshots are immutable once computed (published once)',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

# (table, trigger name, function call)
PROTECTED = [
    ("compliance_assessmententry", "assessmententry_append_only", "aduan_refuse_change()"),
    ("compliance_evidenceitem", "evidenceitem_append_only", "aduan_refuse_change()"),
    ("compliance_compliancescore", "compliancescore_immutable", "aduan_score_publish_once()"),
]


def triggers_install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(PUBLISH_ONCE)
        for table, name, function in PROTECTED:
            cursor.execute(
                f"DROP TRIGGER IF EXISTS {name} ON {table};"
                f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {function};"
                f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name};"
            )


def triggers_remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, name, _function in PROTECTED:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0002_initial_methodologies"),
        ("complaints", "0010_event_hash_chain"),
    ]

    operations = [
        migrations.RunPython(triggers_install, triggers_remove, elidable=False),
    ]
