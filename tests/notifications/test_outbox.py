"""The notification outbox (aduan/notifications/services.py, channels.py, tasks.py; README: Deadlines).

Rows are written in the business transaction; the send task runs on commit (eagerly in tests, so
``django_capture_on_commit_callbacks(execute=True)`` stands in for the commit). ``now=`` instants
are in June 2026, WITA; the eager task uses the real clock, which is later.
"""

import hashlib
import hmac
import json
import smtplib
import time
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.utils import timezone

from aduan.complaints.digests import digests_send
from aduan.complaints.models import Complaint
from aduan.complaints.selectors import Actor
from aduan.complaints.services import ReporterData
from aduan.complaints.workflow import Action, complaint_transition
from aduan.notifications import tasks
from aduan.notifications.channels import render
from aduan.notifications.models import Audience, Channel, DeliveryState, Notification
from aduan.notifications.services import MAX_ATTEMPTS, notification_deliver, notification_queue
from aduan.sla.services import deadlines_sweep
from tests.factories import ComplaintFactory, wita

from .conftest import WEBHOOK_SECRET

T = wita(2026, 6, 8, 9, 0)  # Monday
PENDING, SENT, FAILED = DeliveryState.PENDING, DeliveryState.SENT, DeliveryState.FAILED


def submit(world, now=T, **kwargs):
    return ComplaintFactory(pemda=world.pemda, now=now, **kwargs)


def citizen_row(complaint) -> Notification:
    return Notification.objects.get(complaint=complaint, kind="citizen_update", context__action="submit")


def state(n: Notification) -> tuple:
    n.refresh_from_db()
    return (n.state, n.attempts, n.next_attempt_at)


# ------------------------------------------------------------------------------------ queueing


def test_a_key_is_queued_once(world):
    args = {
        "key": "uji:1", "kind": "staff_digest", "channel": Channel.EMAIL, "audience": Audience.STAFF,
        "address": "a@example.id", "now": T,
    }  # fmt: skip

    first = notification_queue(**args)
    second = notification_queue(**{**args, "address": "b@example.id"})

    assert isinstance(first, Notification)
    assert second is None
    assert list(Notification.objects.values_list("key", "address", "state")) == [
        ("uji:1", "a@example.id", PENDING)
    ]


def test_nothing_is_queued_without_an_address(world):
    queued = notification_queue(
        key="uji:2", kind="staff_digest", channel=Channel.EMAIL, audience=Audience.STAFF, address="", now=T
    )

    assert queued is None
    assert Notification.objects.count() == 0


def test_a_submission_e_mails_the_reporter_in_their_language_with_the_tracking_link(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        indonesian = submit(world, reporter=ReporterData(name="Budi", email="budi@example.id", language="id"))
    with django_capture_on_commit_callbacks(execute=True):
        english = submit(world, reporter=ReporterData(name="Jane", email="jane@example.com", language="en"))

    assert len(mail.outbox) == 2
    budi, jane = mail.outbox
    assert budi.to == ["budi@example.id"]
    assert budi.subject == f"[{indonesian.ticket_number}] Aduan Anda telah diterima"
    assert "dalam 3 hari kerja" in budi.body
    assert f"Lacak aduan Anda: {settings.ADUAN_SITE_URL}/lacak/{indonesian.tracking_secret}/" in budi.body
    assert jane.to == ["jane@example.com"]
    assert jane.subject == f"[{english.ticket_number}] Your complaint has been received"
    assert "within 3 working days" in jane.body
    assert f"Track your complaint: {settings.ADUAN_SITE_URL}/lacak/{english.tracking_secret}/" in jane.body
    for complaint in (indonesian, english):
        row = citizen_row(complaint)
        assert (row.state, row.attempts, row.audience, row.channel) == (
            SENT,
            1,
            Audience.CITIZEN,
            Channel.EMAIL,
        )
        assert row.sent_at is not None
    assert budi.extra_headers["X-Aduan-Notification"] == citizen_row(indonesian).key


def test_a_failing_mail_server_does_not_fail_the_submission(
    world, flaky_mail, django_capture_on_commit_callbacks
):
    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        complaint = submit(world)
    finished = timezone.now()

    assert len(callbacks) == 1
    assert flaky_mail.calls == 1
    assert Complaint.objects.filter(pk=complaint.pk).exists()
    row = citizen_row(complaint)
    assert (row.state, row.attempts) == (PENDING, 1)
    assert row.last_error == "SMTPServerDisconnected: no detail"
    # The eager task used the real clock: next try 15 s after that.
    assert started + timedelta(seconds=15) <= row.next_attempt_at <= finished + timedelta(seconds=15)
    assert mail.outbox == []


def test_a_transient_failure_is_retried_after_the_backoff_and_sent_once(world, flaky_mail):
    complaint = submit(world)  # plain db test: the on-commit send does not run
    row = citizen_row(complaint)
    assert state(row) == (PENDING, 0, T)

    failed = notification_deliver(row.pk, now=T)
    assert failed is False
    assert state(row) == (PENDING, 1, T + timedelta(seconds=15))
    assert row.last_error.startswith("SMTPServerDisconnected")

    too_early = notification_deliver(row.pk, now=T + timedelta(seconds=14))
    assert too_early is False
    assert state(row) == (PENDING, 1, T + timedelta(seconds=15))
    assert flaky_mail.calls == 1

    flaky_mail.error = None  # the server is back
    flushed = tasks.outbox_flush.apply().get()  # real clock: long after the next attempt time
    assert flushed == 1
    assert state(row) == (SENT, 2, None)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["budi@example.id"]

    assert tasks.outbox_flush.apply().get() == 0
    assert notification_deliver(row.pk, now=T + timedelta(days=1)) is False
    assert len(mail.outbox) == 1
    assert state(row) == (SENT, 2, None)


def test_a_refused_recipient_is_a_permanent_failure(world, flaky_mail):
    complaint = submit(world)
    row = citizen_row(complaint)
    flaky_mail.error = smtplib.SMTPRecipientsRefused({"budi@example.id": (550, b"No such user")})

    sent = notification_deliver(row.pk, now=T)

    assert sent is False
    assert state(row) == (FAILED, 1, None)
    assert row.last_error.startswith("SMTPRecipientsRefused")
    flaky_mail.error = None
    assert notification_deliver(row.pk, now=T + timedelta(days=1)) is False
    assert tasks.outbox_flush.apply().get() == 0
    assert mail.outbox == []
    assert state(row) == (FAILED, 1, None)


def test_after_max_attempts_a_notification_is_failed(world, flaky_mail):
    complaint = submit(world)
    row = citizen_row(complaint)
    now, waits = T, []

    for _ in range(MAX_ATTEMPTS):
        assert notification_deliver(row.pk, now=now) is False
        row.refresh_from_db()
        if row.next_attempt_at is not None:
            waits.append(int((row.next_attempt_at - now).total_seconds()))
            now = row.next_attempt_at

    assert MAX_ATTEMPTS == 8
    assert waits == [15, 30, 60, 120, 240, 300, 300]
    assert state(row) == (FAILED, 8, None)
    flaky_mail.error = None
    assert notification_deliver(row.pk, now=now + timedelta(hours=1)) is False
    assert flaky_mail.calls == 8
    assert mail.outbox == []


def test_a_sent_notification_is_never_sent_again(world):
    complaint = submit(world)
    row = citizen_row(complaint)

    results = [notification_deliver(row.pk, now=T), notification_deliver(row.pk, now=T + timedelta(hours=1))]

    assert results == [True, False]
    assert len(mail.outbox) == 1
    assert state(row) == (SENT, 1, None)


# ------------------------------------------------------------------------------------- webhook


def test_a_reporter_with_only_a_phone_gets_a_signed_webhook(
    world, webhook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = submit(world, reporter=ReporterData(name="Wati", phone="081299990000", language="en"))

    row = citizen_row(complaint)
    assert (row.channel, row.address, row.state, row.attempts) == (Channel.WEBHOOK, "081299990000", SENT, 1)
    assert len(webhook.requests) == 1
    headers, body = webhook.requests[0]
    timestamp = headers["X-Aduan-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    signed = timestamp.encode() + b"." + body
    expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), signed, hashlib.sha256).hexdigest()
    assert headers["X-Aduan-Signature"] == expected
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(body)
    assert payload["id"] == row.key
    assert payload["to"] == "081299990000"
    assert payload["kind"] == "citizen_update"
    assert payload["text"].startswith(f"[{complaint.ticket_number}] Your complaint has been received\n")
    assert f"/lacak/{complaint.tracking_secret}/" in payload["text"]
    assert mail.outbox == []


def test_a_server_error_from_the_webhook_is_retried(world, webhook):
    complaint = submit(world, reporter=ReporterData(name="Wati", phone="081299990000"))
    row = citizen_row(complaint)
    webhook.status = 500

    assert notification_deliver(row.pk, now=T) is False
    assert state(row) == (PENDING, 1, T + timedelta(seconds=15))
    assert row.last_error == "HTTP 500"

    webhook.status = 200
    assert notification_deliver(row.pk, now=T + timedelta(seconds=15)) is True
    assert state(row) == (SENT, 2, None)
    assert len(webhook.requests) == 2
    assert webhook.requests[0][1] == webhook.requests[1][1]  # the same signed message


def test_a_client_error_from_the_webhook_is_permanent(world, webhook):
    complaint = submit(world, reporter=ReporterData(name="Wati", phone="081299990000"))
    row = citizen_row(complaint)
    webhook.status = 400

    assert notification_deliver(row.pk, now=T) is False

    assert state(row) == (FAILED, 1, None)
    assert row.last_error == "HTTP 400"
    assert notification_deliver(row.pk, now=T + timedelta(hours=1)) is False
    assert len(webhook.requests) == 1


def test_without_a_webhook_url_a_phone_only_reporter_gets_nothing(world):
    complaint = submit(world, reporter=ReporterData(name="Wati", phone="081299990000"))

    assert not Notification.objects.filter(complaint=complaint, audience=Audience.CITIZEN).exists()


# ------------------------------------------------------------------------------------- privacy

NAME, EMAIL, PHONE = "Siti Rahmawati Kusuma", "siti.rahasia@example.id", "081377712345"


def test_staff_notifications_of_an_anonim_complaint_never_carry_the_reporters_identity(
    world, django_capture_on_commit_callbacks
):
    koordinator, petugas = Actor.staff(world.koordinator), Actor.staff(world.petugas[0])
    with django_capture_on_commit_callbacks(execute=True):
        complaint = submit(
            world, is_anonymous=True, reporter=ReporterData(name=NAME, email=EMAIL, phone=PHONE)
        )
        citizen = Actor.citizen(complaint.tracking_secret)
        steps = [
            (Action.DISPATCH, koordinator, {"opd": world.opd, "note": "Mohon segera ditangani."}),
            (Action.REQUEST_REDISPATCH, petugas, {"note": "Lokasi di luar wilayah kami."}),
            (Action.FOLLOW_UP, petugas, {"note": "Sudah kami tinjau."}),
            (Action.REPLY, citizen, {"note": f"Saya {NAME} ({PHONE}), jalan belum diperbaiki."}),
        ]
        for hours, (action, actor, extra) in enumerate(steps, start=1):
            complaint_transition(
                complaint_id=complaint.pk, action=action, actor=actor, now=T + timedelta(hours=hours), **extra
            )
        deadlines_sweep(now=wita(2026, 6, 30, 9, 0))  # reminders and escalations too

    staff = list(Notification.objects.filter(audience=Audience.STAFF))
    kinds = {n.kind for n in staff}
    assert {
        "staff_assigned",
        "staff_redispatch_requested",
        "staff_citizen_replied",
        "staff_escalation",
    } <= kinds
    assert sorted(n.recipient_user_id for n in staff if n.kind == "staff_assigned") == sorted(
        u.pk for u in world.petugas
    )
    for n in staff:
        subject, body = render(n)
        stored = json.dumps(n.context, ensure_ascii=False) + n.address + subject + body
        for secret in (NAME, EMAIL, PHONE):
            assert secret not in stored, (n.kind, secret)
    staff_addresses = {u.email for u in [world.koordinator, world.kepala, *world.petugas]}
    staff_mail = [m for m in mail.outbox if set(m.to) <= staff_addresses]
    assert len(staff_mail) == len(staff)
    for message in staff_mail:
        assert not any(s in message.subject + message.body for s in (NAME, EMAIL, PHONE))
    citizen_mail = [m for m in mail.outbox if m.to == [EMAIL]]
    assert len(citizen_mail) == Notification.objects.filter(audience=Audience.CITIZEN).count() == 4


# ------------------------------------------------------------------------------------- digests


def _dispatched(world, opd):
    complaint = submit(world)
    complaint_transition(
        complaint_id=complaint.pk, action=Action.DISPATCH, actor=Actor.staff(world.koordinator), opd=opd,
        now=T + timedelta(hours=1),
    )  # fmt: skip
    return complaint  # follow-up due Mon 15 June 10:00 WITA


def digest_rows():
    return Notification.objects.filter(kind="staff_digest")


def test_digests_wait_for_seven_oclock_local_time(world):
    _dispatched(world, world.opd)

    queued = digests_send(now=wita(2026, 6, 13, 6, 59))

    assert queued == 0
    assert digest_rows().count() == 0


def test_digests_go_once_per_officer_and_head_per_local_day(world):
    due_soon = _dispatched(world, world.opd)
    _dispatched(world, world.other_opd)

    first = digests_send(now=wita(2026, 6, 13, 7, 0))  # 12 June 23:00 UTC
    again = [digests_send(now=wita(2026, 6, 13, 7, 1)), digests_send(now=wita(2026, 6, 13, 23, 59))]
    next_day = digests_send(now=wita(2026, 6, 14, 7, 0))

    # Saturday 07:00: both OPDs' clocks are due within three days.
    assert first == 5  # two petugas and the kepala of the first OPD, the petugas and kepala of the other
    assert again == [0, 0]
    assert next_day == 5
    rows = digest_rows().filter(created_at=wita(2026, 6, 13, 7, 0))
    expected = sorted(u.pk for u in [*world.petugas, world.kepala, world.other_petugas, world.other_kepala])
    assert sorted(rows.values_list("recipient_user_id", flat=True)) == expected
    assert world.koordinator.pk not in set(digest_rows().values_list("recipient_user_id", flat=True))
    mine = rows.get(recipient_user=world.kepala)
    assert mine.key == f"digest:{world.opd.pk}:20260613:u{world.kepala.pk}"
    assert mine.context["date"] == "13-06-2026"
    assert [i["ticket_number"] for i in mine.context["items"]] == [due_soon.ticket_number]
    assert mine.context["items"][0]["due_at"] == "15-06-2026 10:00 WITA"
    assert mine.context["overdue_count"] == 0
    assert digest_rows().count() == 10


def test_a_refused_recipient_is_stored_and_logged_without_the_address(db, monkeypatch, caplog):
    address = "anon.rahasia@warga.id"
    row = notification_queue(
        key="refused-1", kind="citizen_update", channel=Channel.EMAIL, audience=Audience.CITIZEN,
        address=address, now=timezone.now(), context={"ticket_number": "X-1", "title": "t", "status": "s"},
    )  # fmt: skip

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({address: (550, f"5.1.1 <{address}> unknown user".encode())})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with caplog.at_level("DEBUG"):
        assert notification_deliver(row.pk) is False
    row.refresh_from_db()
    assert row.state == DeliveryState.FAILED  # a refused recipient is permanent
    assert row.last_error == "SMTPRecipientsRefused: 550"
    assert address not in caplog.text
