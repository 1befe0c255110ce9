"""complaint_opd_status carries submitted_at and id (INCLUDE): an OPD's inbox chooses its page of 50
among everything the OPD holds (sorted by next due time, submission, id) from the index alone.
Replaced as 0021 did: CONCURRENTLY on PostgreSQL (aduan/core/migration_ops.py)."""

from django.db import migrations, models

from aduan.core.migration_ops import index_replaced

FIELDS = ["current_opd", "status"]
OLD = models.Index(fields=FIELDS, name="complaint_opd_status")
NEW = models.Index(fields=FIELDS, include=["submitted_at", "id"], name="complaint_opd_status")


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("complaints", "0021_complaint_pemda_status_covering"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="complaint", name="complaint_opd_status"),
                migrations.AddIndex(model_name="complaint", index=NEW),
            ],
            database_operations=[index_replaced("complaints", "Complaint", OLD, NEW)],
        ),
    ]
