"""Tamper-evident timeline.

1. Existing events get their hash chain (seq, prev_hash, hash) in time order (created_at, id) per
   complaint, computed by aduan.complaints.audit.event_hash — the same function that seals new events.
2. ``seq`` becomes NOT NULL.
3. On PostgreSQL only: triggers refuse UPDATE and DELETE of events, internal notes and SKM answers,
   and of a rating except its free-text comment (which retention may blank). They are ENABLE ALWAYS,
   so they also fire under session_replication_role = replica. TRUNCATE is not covered (test
   databases are emptied with it); the application never truncates.
"""

from django.db import migrations, models

from aduan.complaints.audit import GENESIS, event_hash

FUNCTION = """
CREATE OR REPLACE FUNCTION aduan_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Arguments, if any, name the columns an UPDATE may change; everything else is frozen.
    IF TG_OP = 'UPDATE' AND TG_NARGS > 0
       AND (to_jsonb(NEW) - TG_ARGV::text[]) = (to_jsonb(OLD) - TG_ARGV::text[]) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'aduan: % on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

# (table, trigger name, columns an UPDATE may change)
PROTECTED = [
    ("complaints_complaintevent", "complaintevent_append_only", []),
    ("complaints_complaintnote", "complaintnote_append_only", []),
    ("complaints_skmresponse", "skmresponse_append_only", []),
    ("complaints_complaintrating", "complaintrating_append_only", ["comment"]),
]


def trigger_sql(table: str, name: str, allowed: list[str]) -> str:
    args = ", ".join(f"'{column}'" for column in allowed)
    return (
        f"DROP TRIGGER IF EXISTS {name} ON {table};"
        f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION aduan_refuse_change({args});"
        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name};"
    )


def backfill(apps, schema_editor):
    ComplaintEvent = apps.get_model("complaints", "ComplaintEvent")
    table = ComplaintEvent._meta.db_table
    # seq is still NULL everywhere here (0009 added it; nothing wrote it before this migration).
    rows = (
        ComplaintEvent.objects.order_by("complaint_id", "created_at", "id")
        .values_list(
            "id",
            "complaint_id",
            "action",
            "from_status",
            "to_status",
            "actor_id",
            "actor_role",
            "opd_id",
            "note",
            "created_at",
        )
        .iterator(chunk_size=5000)
    )
    batch, current, seq, prev = [], None, 0, GENESIS
    sql = f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s"
    with schema_editor.connection.cursor() as cursor:
        for pk, complaint_id, action, from_status, to_status, actor_id, role, opd_id, note, at in rows:
            if complaint_id != current:
                current, seq, prev = complaint_id, 0, GENESIS
            seq += 1
            digest = event_hash(
                prev_hash=prev,
                complaint_id=complaint_id,
                seq=seq,
                action=action,
                from_status=from_status,
                to_status=to_status,
                actor_id=actor_id,
                actor_role=role,
                opd_id=opd_id,
                note=note,
                created_at=at,
            )
            batch.append((seq, prev, digest, pk))
            prev = digest
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def triggers_install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        for table, name, allowed in PROTECTED:
            cursor.execute(trigger_sql(table, name, allowed))


def triggers_remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, name, _allowed in PROTECTED:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0009_security_foundation"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="complaintevent",
            name="seq",
            field=models.PositiveIntegerField(editable=False, verbose_name="urutan"),
        ),
        migrations.RunPython(triggers_install, triggers_remove, elidable=False),
    ]
