"""The timeline's hash chain: every way an event is written seals it onto its complaint's chain,
``manage.py verify_audit`` is clean on an untouched database and names the first broken link of
each tampered complaint (exit status 1), the migration's backfill computes the same chain, and the
benchmark generator writes verifiable chains. Runs on SQLite and PostgreSQL; on PostgreSQL the
tamperer first disables the append-only trigger inside the test's transaction (superuser powers)."""

import hashlib
import importlib
import io
import json
from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from aduan.complaints.audit import GENESIS, VerifyCounts, chain_verify, event_hash, hash_of
from aduan.complaints.models import ComplaintEvent, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.services import complaint_assign, complaint_flag, complaint_unflag
from aduan.complaints.workflow import Action, complaint_transition
from aduan.devdata.synthetic import SIZES, Size, generate
from tests.factories import ComplaintFactory, MembershipFactory, complaint_in_status

TABLE = ComplaintEvent._meta.db_table
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def tamper(sql: str, params=()) -> None:
    """Run an UPDATE/DELETE on the timeline as someone able to switch the trigger off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks: ALTER TABLE may run
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER complaintevent_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER complaintevent_append_only")


def verify(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def chain(complaint) -> list[ComplaintEvent]:
    return list(ComplaintEvent.objects.filter(complaint=complaint).order_by("seq"))


@pytest.fixture
def busy(world):
    """A complaint submitted, dispatched, assigned, flagged and unflagged by the Ombudsman,
    followed up and accepted: eight events written by four different services."""
    complaint = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    petugas = world.petugas[0]
    ombudsman = MembershipFactory(role="ombudsman", province=world.pemda.province).user
    complaint_assign(complaint_id=complaint.pk, actor=Actor.staff(petugas), assignee_id=petugas.pk)
    complaint_flag(complaint_id=complaint.pk, actor=Actor.staff(ombudsman), note="Mohon dipercepat.")
    complaint_unflag(complaint_id=complaint.pk, actor=Actor.staff(ombudsman))
    complaint_transition(
        complaint_id=complaint.pk, action=Action.FOLLOW_UP, actor=Actor.staff(petugas), note="Beres."
    )
    complaint_transition(
        complaint_id=complaint.pk, action=Action.ACCEPT, actor=Actor.citizen(complaint.tracking_secret)
    )
    return complaint


def test_every_service_writes_the_next_link_of_the_chain(busy):
    events = chain(busy)
    assert [e.action for e in events] == [
        "submit", "dispatch", "assign", "flag", "unflag", "follow_up", "accept",
    ]  # fmt: skip
    assert [e.seq for e in events] == list(range(1, 8))
    assert events[0].prev_hash == GENESIS
    for previous, event in zip(events, events[1:], strict=False):
        assert event.prev_hash == previous.hash
    for event in events:
        assert len(event.hash) == 64
        assert event.hash == hash_of(event)
    assert len({e.hash for e in events}) == 7


def test_the_hash_is_sha256_of_the_documented_canonical_json(busy):
    """The format is fixed: changing it would break every stored chain, so it is spelled out here."""
    event = chain(busy)[3]  # the Ombudsman's flag: has an actor, a note, no OPD
    payload = {
        "action": "flag",
        "actor_id": event.actor_id,
        "actor_role": "ombudsman",
        "complaint_id": busy.pk,
        "created_at": event.created_at.astimezone(UTC).isoformat(),
        "from_status": "dispatched",
        "note": "Mohon dipercepat.",
        "opd_id": None,
        "prev_hash": event.prev_hash,
        "seq": 4,
        "to_status": "dispatched",
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert event.hash == hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(max_size=40),
    number=st.one_of(st.none(), st.integers(min_value=0, max_value=2**62)),
    at=st.datetimes(timezones=st.sampled_from([UTC, ZoneInfo("Asia/Jayapura"), ZoneInfo("UTC")])),
)
def test_the_hand_written_canonical_form_equals_json_dumps_for_any_input(text, number, at):
    """Quotes, backslashes, control characters, emoji, any zone: the same bytes as json.dumps."""
    fields = {
        "prev_hash": text[:64],
        "complaint_id": number or 0,
        "seq": 1 + (number or 0),
        "action": text,
        "from_status": text[::-1],
        "to_status": "",
        "actor_id": number,
        "actor_role": text.upper(),
        "opd_id": number,
        "note": text * 2,
    }
    reference = json.dumps(
        {**fields, "created_at": at.astimezone(UTC).isoformat()},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    assert event_hash(**fields, created_at=at) == hashlib.sha256(reference.encode("utf-8")).hexdigest()


def test_an_event_saved_directly_through_the_orm_is_chained_too(busy):
    last = chain(busy)[-1]
    extra = ComplaintEvent.objects.create(
        complaint=busy, action="note", from_status=busy.status, to_status=busy.status, actor_role="system"
    )
    assert (extra.seq, extra.prev_hash) == (last.seq + 1, last.hash)
    assert extra.hash == hash_of(extra)
    assert verify()[0] == 0


def test_two_writers_cannot_fork_a_chain(busy):
    """Should a writer ever skip the complaint lock, the (complaint, seq) constraint refuses the
    second event with the same number instead of storing a fork."""
    last = chain(busy)[-1]
    fork = ComplaintEvent(complaint=busy, action="x", to_status=busy.status, actor_role="system")
    fork.seq, fork.prev_hash = last.seq, chain(busy)[-2].hash
    fork.hash = hash_of(fork)
    with pytest.raises(IntegrityError), transaction.atomic():
        fork.save()
    assert len(chain(busy)) == 7


def test_verify_audit_is_clean_on_an_untouched_database(busy):
    ComplaintFactory(pemda=busy.pemda)
    code, out, err = verify()
    assert code == 0
    assert "2 aduan, 8 riwayat" in out
    assert "0 rantai rusak; 0 aduan tanpa riwayat" in out
    assert err == ""


def test_verify_audit_reports_the_first_broken_link_and_exits_non_zero(busy):
    intact = complaint_in_status(Status.DISPATCHED, pemda=busy.pemda)
    events = chain(busy)
    original = events[2].hash
    tamper(f"UPDATE {TABLE} SET note = %s WHERE id = %s", ["Petugas Lain", events[2].pk])

    code, out, err = verify()
    assert code == 1
    assert "RUSAK" not in out
    expected = hash_of(ComplaintEvent.objects.get(pk=events[2].pk))
    line = f"RUSAK {busy.ticket_number} (aduan {busy.pk}) urutan 3, riwayat #{events[2].pk}: hash"
    assert line in err
    assert f"diharapkan {expected}, tersimpan {original}" in err
    assert err.count("RUSAK") == 1  # only the first link of the tampered complaint; not the intact one
    assert intact.ticket_number not in err
    assert "2 aduan, 9 riwayat" in err
    assert "1 rantai rusak" in err


def test_a_tamperer_who_rehashes_the_row_breaks_the_next_link(busy):
    events = chain(busy)
    forged = events[5]
    forged.note = "Tidak ada masalah."
    forged_hash = hash_of(forged)
    tamper(f"UPDATE {TABLE} SET note = %s, hash = %s WHERE id = %s", [forged.note, forged_hash, forged.pk])

    broken = list(chain_verify())
    assert len(broken) == 1
    link = broken[0]
    assert (link.complaint_id, link.seq, link.problem) == (busy.pk, 7, "prev_hash")
    assert (link.expected, link.stored) == (forged_hash, events[5].hash)


def fingerprint(until: datetime) -> str:
    code, out, _err = verify("--until", until.isoformat())
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("Sidik rantai"))
    assert line.startswith(f"Sidik rantai sampai {until.astimezone(UTC).isoformat()}: ")
    return line.rsplit(" ", 1)[1]


def test_a_fingerprint_kept_outside_catches_a_whole_chain_rewritten(busy):
    """Rewriting an event and rehashing every later one leaves a consistent chain that verifies;
    the fingerprint of the heads as of an earlier time, kept elsewhere, no longer matches."""
    recorded_at = timezone.now()
    kept = fingerprint(recorded_at)
    assert len(kept) == 64
    complaint_in_status(Status.DISPATCHED, pemda=busy.pemda)  # new events after the record,
    ComplaintEvent.objects.create(  # on a new complaint and on this one
        complaint=busy, action="note", from_status=busy.status, to_status=busy.status, actor_role="system"
    )
    assert fingerprint(recorded_at) == kept  # what came later does not change it
    assert fingerprint(timezone.now()) != kept

    events = chain(busy)
    prev = events[0].hash
    for event in events[1:]:  # including the event added after the record
        if event.seq == 2:
            event.note = "Didisposisikan ke OPD lain."
        event.prev_hash = prev
        event.hash = hash_of(event)
        prev = event.hash
        tamper(
            f"UPDATE {TABLE} SET note = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [event.note, event.prev_hash, event.hash, event.pk],
        )
    assert list(chain_verify()) == []  # the forged chain is consistent in itself
    assert fingerprint(recorded_at) != kept


def test_a_removed_event_shows_as_a_gap_in_the_sequence(busy):
    events = chain(busy)
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[3].pk])  # the Ombudsman's flag
    counts = VerifyCounts()
    broken = list(chain_verify(counts))
    assert [(b.complaint_id, b.seq, b.problem, b.expected, b.stored) for b in broken] == [
        (busy.pk, 5, "seq", "4", "5")
    ]
    assert (counts.complaints, counts.events, counts.broken) == (1, 6, 1)


def test_a_complaint_whose_whole_timeline_was_removed_is_reported(busy):
    bare = ComplaintFactory(pemda=busy.pemda)  # filed, no hop yet: only its submit event
    tamper(f"DELETE FROM {TABLE} WHERE complaint_id = %s", [bare.pk])
    code, _out, err = verify()
    assert code == 1
    assert f"TANPA RIWAYAT {bare.ticket_number} (aduan {bare.pk})" in err
    assert "0 rantai rusak; 1 aduan tanpa riwayat" in err
    assert busy.ticket_number not in err


def test_the_migration_backfill_computes_the_same_chain(busy):
    before = [(e.pk, e.seq, e.prev_hash, e.hash) for e in chain(busy)]
    tamper(f"UPDATE {TABLE} SET prev_hash = '', hash = ''")
    assert verify()[0] == 1

    migration = importlib.import_module("aduan.complaints.migrations.0010_event_hash_chain")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER complaintevent_append_only")
        migration.backfill(apps, SimpleNamespace(connection=connection))
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER complaintevent_append_only")

    assert [(e.pk, e.seq, e.prev_hash, e.hash) for e in chain(busy)] == before
    assert verify()[0] == 0


def test_synthetic_data_carries_verifiable_chains(default_policies, monkeypatch):
    monkeypatch.setitem(SIZES, "audit", Size(complaints=60, pemdas=2, opds_per_pemda=2, provinces=1, years=1))
    counts = generate(size_name="audit", seed=3, now=NOW, stdout=io.StringIO())
    verified = VerifyCounts()
    assert list(chain_verify(verified)) == []
    assert (verified.complaints, verified.events) == (60, counts["events"])
    assert verified.events > 60  # more than the submissions: the chains have length
    code, out, _err = verify()
    assert code == 0
    assert f"60 aduan, {counts['events']} riwayat" in out
