"""On PostgreSQL the database itself refuses to change the timeline, internal notes, survey answers,
ratings (except the comment) and every compliance score input — whatever the Python code does: raw
SQL through the application's connection and the ORM's plain manager fail and leave the rows as
they were. The triggers fire under session_replication_role = replica too (ENABLE ALWAYS)."""

import io
import os
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from aduan.complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintNote,
    ComplaintRating,
    SkmResponse,
    Status,
)
from aduan.complaints.selectors import Actor
from aduan.complaints.services import complaint_note_add
from aduan.compliance.methodologies import ensure_initial_methodologies
from aduan.compliance.models import AssessmentEntry, ComplianceScore, EvidenceItem, Methodology
from tests.factories import complaint_in_status

pytestmark = pytest.mark.postgres


@pytest.fixture
def rows(world):
    """One row of every protected table."""
    complaint = complaint_in_status(
        Status.RESOLVED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    staff = Actor.staff(world.koordinator)
    note = complaint_note_add(complaint_id=complaint.pk, actor=staff, body="Cek lagi.")
    rating = ComplaintRating.objects.create(complaint=complaint, score=4, comment="Cepat, makasih Pak Budi.")
    skm = SkmResponse.objects.create(complaint=complaint, **{f"u{i}": 3 for i in range(1, 10)})
    entry = AssessmentEntry.objects.create(
        pemda=world.pemda, year=2025, kind="dimension", code="input", value=Decimal("80")
    )
    evidence = EvidenceItem.objects.create(
        pemda=world.pemda, kind="sop", title="SOP 1/2025", document_date=date(2025, 1, 2),
        file="compliance/evidence/x", original_name="sop.pdf",
    )  # fmt: skip
    ensure_initial_methodologies(Methodology)
    methodology = Methodology.objects.order_by("-year_from").first()
    score = ComplianceScore.objects.create(
        pemda=world.pemda, year=2025, methodology=methodology, definition={}, inputs={}, result={},
        input_hash="0" * 64, total=Decimal("81.50"), category="B",
    )  # fmt: skip
    return {
        "event": complaint.events.order_by("seq").first(),
        "note": note,
        "rating": rating,
        "skm": skm,
        "entry": entry,
        "evidence": evidence,
        "score": score,
    }


# (row, table, an UPDATE's SET clause)
CASES = [
    ("event", ComplaintEvent._meta.db_table, "note = 'diubah'"),
    ("event", ComplaintEvent._meta.db_table, "actor_role = 'koordinator'"),
    ("note", ComplaintNote._meta.db_table, "body = 'diubah'"),
    ("skm", SkmResponse._meta.db_table, "u1 = 4"),
    ("rating", ComplaintRating._meta.db_table, "score = 1"),
    ("entry", AssessmentEntry._meta.db_table, "value = 99"),
    ("evidence", EvidenceItem._meta.db_table, "title = 'palsu'"),
    ("score", ComplianceScore._meta.db_table, "total = 99"),
]


def snapshot(obj) -> dict:
    return type(obj).objects.values().get(pk=obj.pk)


def refused(sql: str, params=()) -> str:
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(excinfo.value)


@pytest.mark.parametrize(("name", "table", "assignment"), CASES)
def test_raw_update_and_delete_are_refused_and_change_nothing(rows, name, table, assignment):
    obj = rows[name]
    before = snapshot(obj)
    pk = obj._meta.pk.column

    message = refused(f"UPDATE {table} SET {assignment} WHERE {pk} = %s", [obj.pk])
    assert "append-only" in message or "immutable" in message
    refused(f"DELETE FROM {table} WHERE {pk} = %s", [obj.pk])
    refused(f"DELETE FROM {table}")

    assert snapshot(obj) == before


@pytest.mark.parametrize("name", ["event", "note", "skm", "entry", "evidence", "score"])
def test_the_orm_plain_manager_cannot_update_or_delete_either(rows, name):
    """The Python guards (AppendOnlyQuerySet and the like) are not what stops it."""
    obj = rows[name]
    model = type(obj)
    before = snapshot(obj)
    field = next(f for f in ("note", "body", "title", "u2", "code", "category") if hasattr(obj, f))
    value = 2 if field == "u2" else "X"
    with pytest.raises(DatabaseError), transaction.atomic():
        model._base_manager.filter(pk=obj.pk).update(**{field: value})
    with pytest.raises(DatabaseError), transaction.atomic():
        model._base_manager.filter(pk=obj.pk)._raw_delete(connection.alias)
    assert snapshot(obj) == before


def test_triggers_fire_even_with_replication_role_replica(rows):
    """``session_replication_role = replica`` switches ordinary triggers off; ours are ENABLE ALWAYS.
    Only a superuser may set it: as one, the UPDATE is still refused; as the application's ordinary
    role (CI's), setting it is refused in the first place."""
    event = rows["event"]
    before = snapshot(event)
    table = ComplaintEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table]
        )
        assert {row[0] for row in cursor.fetchall()} == {"A"}  # A = ENABLE ALWAYS
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
    with transaction.atomic(), connection.cursor() as cursor:
        if superuser:
            cursor.execute("SET LOCAL session_replication_role = replica")
            with pytest.raises(DatabaseError):
                cursor.execute(f"UPDATE {table} SET note = 'x' WHERE id = %s", [event.pk])
        else:
            with pytest.raises(DatabaseError, match="permission denied"):
                cursor.execute("SET LOCAL session_replication_role = replica")
        transaction.set_rollback(True)
    assert snapshot(event) == before


def test_deleting_a_complaint_is_refused_with_its_timeline(rows):
    complaint_id = rows["event"].complaint_id
    events = ComplaintEvent.objects.filter(complaint_id=complaint_id).count()
    with pytest.raises(DatabaseError), transaction.atomic():
        Complaint.objects.filter(pk=complaint_id).delete()
    assert Complaint.objects.filter(pk=complaint_id).exists()
    assert ComplaintEvent.objects.filter(complaint_id=complaint_id).count() == events


def test_a_rating_comment_may_be_blanked_but_not_its_score(rows):
    """Retention may erase the free-text comment (it can name people); the score is a score input."""
    rating = rows["rating"]
    ComplaintRating.objects.filter(pk=rating.pk).update(comment="")
    rating.refresh_from_db()
    assert (rating.score, rating.comment) == (4, "")
    with pytest.raises(DatabaseError), transaction.atomic():
        ComplaintRating.objects.filter(pk=rating.pk).update(comment="baru", score=5)
    rating.refresh_from_db()
    assert (rating.score, rating.comment) == (4, "")


def test_a_snapshot_is_published_once_and_never_changed_after(rows, world):
    score = rows["score"]
    with pytest.raises(DatabaseError), transaction.atomic():  # publishing may not smuggle a change in
        ComplianceScore._base_manager.filter(pk=score.pk).update(
            published_at=timezone.now(), published_by=world.koordinator, total=Decimal("99")
        )
    first = timezone.now()
    ComplianceScore.objects.filter(pk=score.pk).update(published_at=first, published_by=world.koordinator)
    published = snapshot(score)
    assert published["published_at"] == first
    with pytest.raises(DatabaseError), transaction.atomic():
        ComplianceScore.objects.filter(pk=score.pk).update(published_at=timezone.now(), published_by=None)
    assert snapshot(score) == published


def test_inserts_still_work(rows, world):
    """Append-only, not read-only: new rows are accepted."""
    complaint = rows["event"].complaint
    complaint_note_add(complaint_id=complaint.pk, actor=Actor.staff(world.koordinator), body="Catatan kedua.")
    AssessmentEntry.objects.create(pemda=world.pemda, year=2025, kind="dimension", code="input", value=81)
    assert ComplaintNote.objects.filter(complaint=complaint).count() == 2
    assert AssessmentEntry.objects.filter(pemda=world.pemda).count() == 2


def test_verify_audit_fails_when_a_trigger_is_switched_off(rows):
    call_command("verify_audit", stdout=io.StringIO(), stderr=io.StringIO())  # all present: exit 0
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE compliance_evidenceitem DISABLE TRIGGER evidenceitem_append_only")
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit", stdout=io.StringIO(), stderr=err)
    assert excinfo.value.returncode == 1
    assert "compliance_evidenceitem.evidenceitem_append_only" in err.getvalue()
    assert "0 rantai rusak" in str(excinfo.value)  # the chains themselves are fine


def test_a_role_that_does_not_own_the_tables_cannot_switch_the_trigger_off(rows):
    """docs: run the application as a role that does not own the tables (migrations as the owner);
    then even its raw SQL cannot disable or drop the triggers."""
    event = rows["event"]
    before = snapshot(event)
    role = f"aduan_audit_app_{os.getpid()}"
    table = ComplaintEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role}")  # rolled back with the test's transaction
        cursor.execute(f"GRANT {role} TO current_user")  # a CREATEROLE owner (CI's role) may then SET ROLE
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {role}")
        cursor.execute(f"SET LOCAL ROLE {role}")
    try:
        assert "append-only" in refused(f"UPDATE {table} SET note = 'x' WHERE id = %s", [event.pk])
        assert "must be owner" in refused(f"ALTER TABLE {table} DISABLE TRIGGER complaintevent_append_only")
        assert "must be owner" in refused(f"DROP TRIGGER complaintevent_append_only ON {table}")
        assert "must be owner" in refused("DROP FUNCTION aduan_refuse_change() CASCADE")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert snapshot(event) == before
