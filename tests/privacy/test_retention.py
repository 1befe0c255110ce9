"""The retention job: per data class, counted from closing, closed complaints only, in chunks,
idempotent, recorded in RetentionRun without personal data."""

import io
import json
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from aduan.complaints.models import Attachment, Complaint, ComplaintRating, ReporterIdentity, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import Action, complaint_transition
from aduan.notifications.models import Audience, Notification
from aduan.privacy.models import RetentionRun
from aduan.privacy.services import retention_apply
from aduan.privacy.tasks import retention_apply as retention_task
from tests.factories import MembershipFactory, OpdFactory, PemdaFactory, complaint_in_status

from .helpers import REPORTER, add_file, file_exists, snapshot

DAYS = {"reporter_identity": 1825, "attachments": 730, "outbox": 365}


def closed_days_ago(complaint, days: int, now):
    Complaint.objects.filter(pk=complaint.pk).update(closed_at=now - timedelta(days=days))
    complaint.refresh_from_db()
    return complaint


def make(status, *, pemda, opd, petugas, files=True, **kwargs):
    """A complaint brought to ``status`` with a file from the reporter and one from staff."""
    complaint = complaint_in_status(Status.DISPATCHED, pemda=pemda, opd=opd, reporter=REPORTER, **kwargs)
    if files:
        add_file(complaint)
        add_file(complaint, uploaded_by=petugas, is_internal=True)
    if status != Status.DISPATCHED:
        complaint_transition(
            complaint_id=complaint.pk,
            action=Action.FOLLOW_UP,
            actor=Actor.staff(petugas),
            note="Sudah diperbaiki.",
        )
        complaint_transition(
            complaint_id=complaint.pk, action=Action.ACCEPT, actor=Actor.citizen(complaint.tracking_secret)
        )
    complaint.refresh_from_db()
    assert complaint.status == status
    return complaint


@pytest.fixture
def place(default_policies):
    pemda = PemdaFactory()
    opd = OpdFactory(pemda=pemda)
    petugas = MembershipFactory(role="petugas_opd", opd=opd).user
    return pemda, opd, petugas


@override_settings(ADUAN_RETENTION_DAYS=DAYS)
def test_expired_data_is_erased_per_class_and_open_or_recent_complaints_are_untouched(place):
    pemda, opd, petugas = place
    now = timezone.now()
    expired_all = closed_days_ago(make(Status.RESOLVED, pemda=pemda, opd=opd, petugas=petugas), 2000, now)
    expired_outbox = closed_days_ago(make(Status.RESOLVED, pemda=pemda, opd=opd, petugas=petugas), 400, now)
    recent = closed_days_ago(make(Status.RESOLVED, pemda=pemda, opd=opd, petugas=petugas), 100, now)
    old_open = make(Status.DISPATCHED, pemda=pemda, opd=opd, petugas=petugas)
    Complaint.objects.filter(pk=old_open.pk).update(submitted_at=now - timedelta(days=4000))
    citizen_rows = Notification.objects.filter(audience=Audience.CITIZEN)
    staff_rows_before = sorted(
        Notification.objects.exclude(audience=Audience.CITIZEN).values_list("pk", "address", "context")
    )
    for rated in (expired_all, recent):
        ComplaintRating.objects.create(
            complaint=rated, score=4, comment=f"Terima kasih, saya {REPORTER.name}"
        )
    expected_scrubbed = citizen_rows.filter(complaint__in=[expired_all, expired_outbox]).count()
    assert expected_scrubbed >= 4  # submit, dispatch, follow-up, accept of each
    before = snapshot()

    run = retention_apply(now=now)

    # The identity of the complaint closed longest ago only.
    identity = ReporterIdentity.objects.get(complaint=expired_all)
    assert (identity.name, identity.email, identity.phone, identity.nik) == ("", "", "", "")
    assert identity.anonymised_at == now
    assert ComplaintRating.objects.get(complaint=expired_all).comment == ""  # may have named them
    assert ComplaintRating.objects.get(complaint=expired_all).score == 4
    assert REPORTER.name in ComplaintRating.objects.get(complaint=recent).comment
    for kept in (expired_outbox, recent, old_open):
        assert ReporterIdentity.objects.get(complaint=kept).nik == REPORTER.nik
        assert ReporterIdentity.objects.get(complaint=kept).anonymised_at is None
    # Every file of that complaint (the reporter's and staff's): file gone, row kept.
    purged = list(Attachment.objects.filter(complaint=expired_all))
    assert len(purged) == 2
    assert all(a.purged_at == now and not file_exists(a) for a in purged)
    kept_files = Attachment.objects.exclude(complaint=expired_all)
    assert kept_files.count() == 6
    assert all(a.purged_at is None and file_exists(a) for a in kept_files)
    # Outbox addresses of the two complaints closed more than a year ago; staff rows untouched.
    scrubbed = citizen_rows.filter(complaint__in=[expired_all, expired_outbox])
    assert set(scrubbed.values_list("address", flat=True)) == {""}
    assert all("link" not in n.context and "ticket_number" in n.context for n in scrubbed)
    assert set(citizen_rows.filter(complaint__in=[recent, old_open]).values_list("address", flat=True)) == {
        REPORTER.email
    }
    assert (
        sorted(
            Notification.objects.exclude(audience=Audience.CITIZEN).values_list("pk", "address", "context")
        )
        == staff_rows_before
    )
    # Statuses, closing times and the timeline never change.
    after = snapshot()
    assert after["complaints"] == before["complaints"]
    assert after["events"] == before["events"]

    assert (run.identities_anonymised, run.attachments_purged, run.outbox_scrubbed) == (
        1,
        2,
        expected_scrubbed,
    )
    assert run.retention_days == DAYS
    assert run.finished_at is not None


@override_settings(ADUAN_RETENTION_DAYS=DAYS)
def test_a_second_run_changes_nothing_and_is_recorded_with_zero_counts(place):
    pemda, opd, petugas = place
    now = timezone.now()
    for _ in range(3):
        closed_days_ago(make(Status.RESOLVED, pemda=pemda, opd=opd, petugas=petugas), 3000, now)
    first = retention_apply(now=now, chunk_size=2)  # two chunks per class
    after_first = snapshot()

    second = retention_apply(now=now + timedelta(hours=1), chunk_size=2)

    assert (first.identities_anonymised, first.attachments_purged) == (3, 6)
    assert first.outbox_scrubbed > 0
    assert (second.identities_anonymised, second.attachments_purged, second.outbox_scrubbed) == (0, 0, 0)
    assert snapshot() == after_first
    assert RetentionRun.objects.count() == 2


@override_settings(ADUAN_RETENTION_DAYS=DAYS)
def test_retention_run_records_no_personal_data_and_runs_as_a_celery_task(place):
    pemda, opd, petugas = place
    now = timezone.now()
    closed_days_ago(make(Status.RESOLVED, pemda=pemda, opd=opd, petugas=petugas), 3000, now)

    run_id = retention_task.apply().get()

    run = RetentionRun.objects.get(pk=run_id)
    assert run.identities_anonymised == 1
    stored = json.dumps(list(RetentionRun.objects.values()), default=str)
    for personal in (REPORTER.name, REPORTER.email, REPORTER.phone, REPORTER.nik):
        assert personal not in stored


@override_settings(ADUAN_RETENTION_DAYS={"reporter_identity": 30})
def test_only_configured_classes_are_applied(place):
    pemda, opd, petugas = place
    now = timezone.now()
    complaint = closed_days_ago(make(Status.RESOLVED, pemda=pemda, opd=opd, petugas=petugas), 3000, now)

    run = retention_apply(now=now)

    assert (run.identities_anonymised, run.attachments_purged, run.outbox_scrubbed) == (1, 0, 0)
    assert all(file_exists(a) for a in Attachment.objects.filter(complaint=complaint))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(ADUAN_RETENTION_DAYS=DAYS)
def test_a_complaint_locked_by_a_move_is_skipped_and_taken_by_the_next_run(default_policies):
    pemda = PemdaFactory()
    opd = OpdFactory(pemda=pemda)
    petugas = MembershipFactory(role="petugas_opd", opd=opd).user
    now = timezone.now()
    locked, free = (
        closed_days_ago(make(Status.RESOLVED, pemda=pemda, opd=opd, petugas=petugas, files=False), 3000, now)
        for _ in range(2)
    )
    holding, release, done = threading.Event(), threading.Event(), threading.Event()

    def hold_lock():
        try:
            with transaction.atomic():
                Complaint.objects.select_for_update().get(pk=locked.pk)
                holding.set()
                release.wait(timeout=20)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=hold_lock)
    thread.start()
    try:
        assert holding.wait(timeout=10)
        first = retention_apply(now=now)
    finally:
        release.set()
        thread.join(timeout=20)

    assert first.identities_anonymised == 1
    assert ReporterIdentity.objects.get(complaint=free).anonymised_at is not None
    assert ReporterIdentity.objects.get(complaint=locked).anonymised_at is None
    second = retention_apply(now=now)
    assert second.identities_anonymised == 1
    assert ReporterIdentity.objects.get(complaint=locked).nik == ""


@override_settings(ADUAN_RETENTION_DAYS=DAYS)
def test_the_command_runs_the_job_and_prints_the_counts(place):
    pemda, opd, petugas = place
    closed_days_ago(make(Status.RESOLVED, pemda=pemda, opd=opd, petugas=petugas), 3000, timezone.now())
    out = io.StringIO()

    call_command("retention_apply", stdout=out)

    run = RetentionRun.objects.get()
    assert out.getvalue().startswith(
        f"RetentionRun {run.pk}: 1 identities anonymised, 2 attachment files purged"
    )
    assert REPORTER.nik not in out.getvalue()


@override_settings(ADUAN_RETENTION_DAYS=DAYS)
def test_the_dry_run_lists_what_would_be_erased_and_changes_nothing(place, django_assert_num_queries):
    pemda, opd, petugas = place
    now = timezone.now()
    expired_all = closed_days_ago(make(Status.RESOLVED, pemda=pemda, opd=opd, petugas=petugas), 2000, now)
    expired_outbox = closed_days_ago(make(Status.RESOLVED, pemda=pemda, opd=opd, petugas=petugas), 400, now)
    closed_days_ago(make(Status.RESOLVED, pemda=pemda, opd=opd, petugas=petugas), 100, now)
    scrubbable = Notification.objects.filter(audience=Audience.CITIZEN).exclude(address="")
    outbox_all = scrubbable.filter(complaint=expired_all).count()
    outbox_old = scrubbable.filter(complaint=expired_outbox).count()
    before = snapshot()
    out = io.StringIO()

    with django_assert_num_queries(3):  # one per data class, whatever the number of complaints
        call_command("retention_apply", "--dry-run", stdout=out)

    assert snapshot() == before
    assert not RetentionRun.objects.exists()
    assert all(file_exists(a) for a in Attachment.objects.all())
    lines = out.getvalue().splitlines()
    assert lines[0] == "Uji coba (--dry-run): tidak ada yang diubah. Yang akan dihapus sekarang:"
    assert lines[1:-1] == [
        f"identitas pelapor\t{expired_all.ticket_number}\t1",
        f"berkas lampiran\t{expired_all.ticket_number}\t2",
        f"alamat di kotak keluar\t{expired_all.ticket_number}\t{outbox_all}",
        f"alamat di kotak keluar\t{expired_outbox.ticket_number}\t{outbox_old}",
    ]
    total = outbox_all + outbox_old
    assert lines[-1] == f"Jumlah: 1 identitas pelapor, 2 berkas lampiran, {total} alamat di kotak keluar."
    for secret in (REPORTER.name, REPORTER.email, REPORTER.phone, REPORTER.nik):
        assert secret not in out.getvalue()

    run = retention_apply(now=timezone.now())  # the real run erases exactly what was listed
    assert (run.identities_anonymised, run.attachments_purged, run.outbox_scrubbed) == (1, 2, total)


@override_settings(ADUAN_RETENTION_DAYS=DAYS)
def test_an_email_kept_for_the_koordinator_loses_its_sender_and_bytes_with_the_identity(place):
    """A reporter's e-mail kept whole (aduan/complaints/mail_intake.py: a reply the complaint was not
    waiting for) holds their address and words: erased with the identity, the row stays."""
    from aduan.complaints.models import InboundEmail, InboundOutcome, Mailbox, UnreadableReason

    pemda, opd, petugas = place
    now = timezone.now()
    old = closed_days_ago(
        make(Status.RESOLVED, pemda=pemda, opd=opd, petugas=petugas, files=False), 1900, now
    )
    recent = closed_days_ago(
        make(Status.RESOLVED, pemda=pemda, opd=opd, petugas=petugas, files=False), 10, now
    )
    box = Mailbox.objects.create(
        pemda=pemda, host="imap.example.id", username="u", password_env="ADUAN_MAIL_X"
    )
    for complaint in (old, recent):
        InboundEmail.objects.create(
            mailbox=box, pemda=pemda, message_id=f"<{complaint.pk}@example.id>", received_at=now,
            outcome=InboundOutcome.UNREADABLE, reason=UnreadableReason.NOT_AWAITING, complaint=complaint,
            sender="pelapor@example.id", subject="Re: aduan", raw=b"From: pelapor@example.id\r\n\r\nIsi\r\n",
        )  # fmt: skip

    retention_apply(now=now)

    erased = InboundEmail.objects.get(complaint=old)
    assert (erased.sender, erased.subject, bytes(erased.raw)) == ("", "", b"")
    kept = InboundEmail.objects.get(complaint=recent)
    assert (kept.sender, bytes(kept.raw)) == (
        "pelapor@example.id",
        b"From: pelapor@example.id\r\n\r\nIsi\r\n",
    )
