"""The backup procedure of docs/backup.md, run for real: ``pg_dump --format=custom`` of the
database, ``pg_restore`` into a fresh database (created with a unique name, dropped after), then
every complaint, event (with its hash-chain columns), attachment, clock and outbox row is compared
between the two, and ``manage.py verify_audit`` checks the restored chains and triggers."""

import os
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from aduan.complaints.models import Attachment
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import Action, complaint_transition
from tests.factories import ComplaintFactory

from .harness import BASE_DIR, database_url, figures

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COMPARED = {
    "complaints_complaint": "*",
    "complaints_complaintevent": "id, complaint_id, seq, action, from_status, to_status, note, created_at, "
    "prev_hash, hash",
    "complaints_attachment": "*",
    "complaints_reporteridentity": "*",
    "sla_deadline": "*",
    "notifications_notification": "*",
}


def _url_for(database: str) -> str:
    base, _slash, _name = database_url().rpartition("/")
    return f"{base}/{database}"


def _rows(url: str, table: str, columns: str) -> list[tuple]:
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} ORDER BY 1")
        return cursor.fetchall()


def _admin(sql: str) -> None:
    with psycopg.connect(_url_for("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def test_pg_dump_restored_into_a_fresh_database_holds_every_complaint_and_event(
    sla_policies, pemda, opd, koordinator, tmp_path, record_property
):
    complaints = [ComplaintFactory(pemda=pemda) for _ in range(5)]
    for c in complaints[:3]:
        complaint_transition(
            complaint_id=c.pk,
            action=Action.DISPATCH,
            actor=Actor.staff(koordinator),
            opd=opd,
            now=timezone.now(),
        )
    for i, c in enumerate(complaints):
        Attachment.objects.create(
            complaint=c, file=f"aduan/{c.pk}/foto-{i}.jpg", original_name=f"foto-{i}.jpg",
            content_type="image/jpeg", size=1000 + i,
        )  # fmt: skip
    source = settings_name = connection.settings_dict["NAME"]
    dump = tmp_path / "aduan.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", f"--dbname={database_url()}"],
        check=True,
        timeout=120,
    )
    assert dump.stat().st_size > 0

    restored = f"{settings_name}_restore_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_url_for(restored)}", str(dump)],
            check=True,
            timeout=120,
        )
        differing = []
        for table, columns in COMPARED.items():
            original = _rows(_url_for(source), table, columns)
            copy = _rows(_url_for(restored), table, columns)
            if copy != original:
                differing.append(table)
        figures(record_property, "backup-restore", tables_compared=len(COMPARED), differing=len(differing))
        assert differing == []
        events = _rows(_url_for(restored), "complaints_complaintevent", "complaint_id, seq, hash")
        assert len(events) == 5 + 3  # five submits, three dispatches
        assert all(len(h) == 64 for _c, _s, h in events)  # the chain columns came along
        assert len(_rows(_url_for(restored), "complaints_complaint", "id")) == 5
        assert len(_rows(_url_for(restored), "sla_deadline", "id")) >= 5  # the clocks came along

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": _url_for(restored),
        }
        env.pop("PYTEST_XDIST_WORKER", None)
        check = subprocess.run(
            [sys.executable, "manage.py", "verify_audit"],
            cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert check.returncode == 0, check.stdout + check.stderr
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
