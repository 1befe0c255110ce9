"""Staff intake (complaints.intake): a complaint received off-line goes through the same
complaint_submit as the web form — ticket numbers, clocks from the moment it was received, the
first event in the hash chain, the outbox — and every refusal stores nothing."""

import io
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from PIL import Image

from aduan.complaints.attachments import validate_upload
from aduan.complaints.audit import chain_verify
from aduan.complaints.intake import IntakeData, complaint_intake
from aduan.complaints.models import (
    ActorRole,
    Attachment,
    Channel,
    Complaint,
    ComplaintEvent,
    IntakeRecord,
    ReporterIdentity,
)
from aduan.complaints.selectors import Actor, complaints_visible_to, reporter_identity_for
from aduan.complaints.services import ReporterData, complaint_submit
from aduan.core.exceptions import InvalidInput, PermissionDenied
from aduan.notifications.models import Notification
from aduan.sla.models import Deadline, Stage
from tests.factories import MembershipFactory, PemdaFactory, wita


@pytest.fixture
def loket(world):
    return MembershipFactory(role="petugas_loket", pemda=world.pemda).user


def record(world, user, *, received_at, channel=Channel.PHONE, now=None, **extra):
    intake_extra = {k: extra.pop(k) for k in ("late_reason", "lapor_number") if k in extra}
    fields = {
        "title": "Lampu jalan mati",
        "chronology": "Lampu di Jl. Sudirman mati sejak seminggu.",
        "reporter": ReporterData(name="Siti Aminah", email="siti@example.id", phone="0812345678"),
        **extra,
    }
    return complaint_intake(
        pemda=world.pemda,
        intake=IntakeData(channel=channel, received_at=received_at, **intake_extra),
        recorded_by=user,
        now=now,
        **fields,
    )


def counts():
    return (
        Complaint.objects.count(),
        ComplaintEvent.objects.count(),
        IntakeRecord.objects.count(),
        ReporterIdentity.objects.count(),
        Deadline.objects.count(),
        Notification.objects.count(),
        Attachment.objects.count(),
    )


def png_upload():
    buffer = io.BytesIO()
    Image.new("RGB", (30, 40), (200, 200, 200)).save(buffer, "PNG")
    buffer.name = "surat.png"
    buffer.seek(0)
    return validate_upload(buffer)


def test_clocks_start_when_received_and_the_event_is_written_by_the_recorder(world, loket):
    received = wita(2026, 3, 2, 9, 0)  # Monday
    now = wita(2026, 3, 3, 14, 0)  # typed in the next day
    complaint = record(world, loket, received_at=received, now=now)

    assert complaint.submitted_at == received
    assert complaint.channel == Channel.PHONE
    assert complaint.ticket_number.startswith(f"{world.pemda.code}-2026-")
    verification = Deadline.objects.get(complaint=complaint, stage=Stage.VERIFICATION)
    assert verification.started_at == received
    assert verification.due_at == wita(2026, 3, 5, 9, 0)  # 3 working days from receipt, not from typing
    event = ComplaintEvent.objects.get(complaint=complaint)
    assert (event.actor, event.actor_role, event.created_at) == (loket, ActorRole.PETUGAS_LOKET, now)
    assert "Telepon" in event.note
    assert "2 Maret 2026 09:00" in event.note
    assert list(chain_verify()) == []
    intake = IntakeRecord.objects.get(complaint=complaint)
    assert (intake.recorded_by, intake.recorded_at, intake.late_reason) == (loket, now, "")
    # The reporter is sent the tracking link, as from the web form.
    sent = Notification.objects.get(complaint=complaint, kind="citizen_update")
    assert sent.address == "siti@example.id"
    assert complaint.tracking_secret in sent.context["link"]


def test_ticket_numbers_are_shared_with_the_web_form(world, loket):
    web = complaint_submit(
        pemda=world.pemda, title="A", chronology="B", reporter=ReporterData(name="X", email="x@example.id")
    )
    desk = record(world, loket, received_at=timezone.now() - timedelta(hours=1))

    assert int(desk.ticket_number[-6:]) == int(web.ticket_number[-6:]) + 1


def test_an_entry_more_than_two_working_days_late_needs_a_reason_shown_on_the_timeline(world, loket):
    received = wita(2026, 3, 2, 9, 0)  # Monday
    late = wita(2026, 3, 5, 10, 0)  # Thursday: 3 working days later
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        record(world, loket, received_at=received, now=late)
    assert refused.value.params["field"] == "late_reason"
    assert counts() == before

    complaint = record(
        world, loket, received_at=received, now=late, late_reason="Surat baru diteruskan bagian umum."
    )
    event = ComplaintEvent.objects.get(complaint=complaint)
    assert "Dicatat terlambat: Surat baru diteruskan bagian umum." in event.note
    # Two working days late needs no reason.
    assert record(world, loket, received_at=received, now=wita(2026, 3, 4, 10, 0)).pk


def test_received_in_the_future_or_unknown_channel_is_refused(world, loket):
    before = counts()
    with pytest.raises(InvalidInput) as future:
        record(world, loket, received_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(InvalidInput) as channel:
        record(world, loket, received_at=timezone.now(), channel=Channel.WEB)
    assert (future.value.params["field"], channel.value.params["field"]) == ("received_at", "channel")
    assert counts() == before


def test_lapor_number_is_required_for_lapor_and_unique_per_pemda(world, loket):
    now = timezone.now()
    before = counts()
    with pytest.raises(InvalidInput) as missing:
        record(world, loket, received_at=now, channel=Channel.LAPOR)
    assert missing.value.params["field"] == "lapor_number"
    assert counts() == before

    first = record(world, loket, received_at=now, channel=Channel.LAPOR, lapor_number="lpr-1234567")
    assert first.intake.lapor_number == "LPR-1234567"
    before = counts()
    with pytest.raises(InvalidInput) as taken:
        record(world, loket, received_at=now, channel=Channel.LAPOR, lapor_number=" LPR-1234567 ")
    assert taken.value.params["field"] == "lapor_number"
    assert first.ticket_number in str(taken.value)
    assert counts() == before

    # Another Pemda may hold the same number.
    other = PemdaFactory()
    koordinator = MembershipFactory(role="koordinator", pemda=other).user
    elsewhere = complaint_intake(
        pemda=other,
        intake=IntakeData(channel=Channel.LAPOR, received_at=now, lapor_number="LPR-1234567"),
        recorded_by=koordinator,
        title="T",
        chronology="K",
        reporter=ReporterData(name="Budi", phone="0811111111"),
    )
    assert elsewhere.intake.recorded_role == ActorRole.KOORDINATOR


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_desks_typing_the_same_lapor_number_at_once_store_one(default_policies):
    pemda = PemdaFactory()
    users = [MembershipFactory(role="petugas_loket", pemda=pemda).user for _ in range(2)]
    barrier, results = threading.Barrier(2), []

    def desk(user):
        try:
            barrier.wait()
            complaint_intake(
                pemda=pemda,
                intake=IntakeData(channel=Channel.LAPOR, received_at=timezone.now(), lapor_number="LPR-77"),
                recorded_by=user,
                title="T",
                chronology="K",
                reporter=ReporterData(name="Budi", phone="0811111111"),
            )
            results.append("ok")
        except InvalidInput as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results) == ["lapor_number_taken", "ok"]
    assert IntakeRecord.objects.filter(lapor_number="LPR-77").count() == 1
    assert Complaint.objects.count() == 1


def test_only_koordinator_and_loket_of_the_pemda_may_record(world):
    other_pemda_loket = MembershipFactory(role="petugas_loket", pemda=PemdaFactory()).user
    before = counts()
    for user in (world.petugas[0], world.kepala, other_pemda_loket):
        with pytest.raises(PermissionDenied):
            record(world, user, received_at=timezone.now())
    assert counts() == before


def test_anonim_identity_is_kept_from_opd_and_the_loket_sees_no_list(world, loket):
    complaint = record(
        world,
        loket,
        received_at=timezone.now(),
        is_anonymous=True,
        reporter=ReporterData(name="Rahasia Orang"),
    )
    assert complaint.is_anonymous
    assert reporter_identity_for(actor=Actor.staff(world.petugas[0]), complaint=complaint) is None
    assert (
        reporter_identity_for(actor=Actor.staff(world.koordinator), complaint=complaint).name
        == "Rahasia Orang"
    )
    assert not complaints_visible_to(loket).exists()


def test_anonim_rules_are_those_of_the_web_form(world, loket):
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        record(world, loket, received_at=timezone.now(), reporter=ReporterData(name="Tanpa Kontak"))
    assert refused.value.params["field"] == "email"
    assert counts() == before


def test_a_scanned_letter_is_stored_through_the_upload_checks_and_refused_on_anonim(world, loket):
    complaint = complaint_intake(
        pemda=world.pemda,
        intake=IntakeData(channel=Channel.LETTER, received_at=timezone.now()),
        recorded_by=loket,
        uploads=(png_upload(),),
        title="Surat keberatan",
        chronology="Isi surat.",
        reporter=ReporterData(name="Siti", phone="0812345678"),
    )
    letter = Attachment.objects.get(complaint=complaint)
    assert (letter.content_type, letter.scan_status) == ("image/png", "pending")

    before = counts()
    with pytest.raises(InvalidInput) as refused:
        complaint_intake(
            pemda=world.pemda,
            intake=IntakeData(channel=Channel.LETTER, received_at=timezone.now()),
            recorded_by=loket,
            uploads=(png_upload(),),
            title="Surat",
            chronology="Isi.",
            is_anonymous=True,
        )
    assert refused.value.params["field"] == "attachments"
    assert counts() == before
