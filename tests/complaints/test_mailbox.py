"""Complaints by e-mail against a real IMAP server (dovecot on loopback, tests/complaints/imap_server.py):
aduan/complaints/mailbox.py reads a Pemda's mailbox, aduan/complaints/mail_intake.py files each new
message through complaint_submit (channel e-mail), once per Message-ID, turns a reply to our
notification into the reporter's reply, and keeps what it cannot read for the koordinator."""

import base64
import io
import os
import re
import threading
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core import mail
from django.db import connection
from PIL import Image

from aduan.complaints.audit import chain_verify
from aduan.complaints.mail_intake import mail_receive
from aduan.complaints.mailbox import mailbox_poll
from aduan.complaints.models import (
    Attachment,
    Channel,
    Complaint,
    ComplaintEvent,
    InboundEmail,
    InboundOutcome,
    Mailbox,
    MailboxSecurity,
    Status,
    UnreadableReason,
)
from aduan.complaints.selectors import Actor, reporter_identity_for
from aduan.complaints.workflow import Action, complaint_transition
from aduan.notifications.channels import notification_message_id
from aduan.notifications.models import Audience, Notification
from aduan.notifications.services import notification_deliver
from tests.factories import PemdaFactory

from .imap_server import imap_server

pytestmark = pytest.mark.imap

PASSWORD_ENV = "ADUAN_MAIL_PASSWORD_TEST"


@pytest.fixture(scope="session")
def imap():
    with imap_server() as server:
        os.environ[PASSWORD_ENV] = server.password
        yield server
        os.environ.pop(PASSWORD_ENV, None)


@pytest.fixture
def mailbox(imap, world, request):
    folder = imap.new_folder(f"t{abs(hash(request.node.nodeid)) % 10**12}")
    return Mailbox.objects.create(
        pemda=world.pemda,
        host=imap.host,
        port=imap.port,
        security=MailboxSecurity.NONE,
        username=imap.user,
        folder=folder,
        password_env=PASSWORD_ENV,
    )


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    return out.getvalue()


def message(
    *,
    subject="Jalan berlubang di Jl. Ahmad Yani",
    body="Lubang besar di depan pasar sejak dua minggu, sudah dua motor jatuh.\n",
    sender="Siti Aminah <siti@example.id>",
    message_id=None,
    attachments=(),
    **headers,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "aduan@balikpapan.test"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or make_msgid(domain="example.id")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    for filename, data, maintype, subtype in attachments:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def mail_counts():
    return Complaint.objects.count(), ComplaintEvent.objects.count(), InboundEmail.objects.count()


def test_a_new_message_files_one_complaint_by_email_and_queues_the_reply(imap, mailbox, world):
    row_id = "<laporan-1@example.id>"
    imap.append(
        mailbox.folder, message(message_id=row_id, attachments=[("lubang.png", png_bytes(), "image", "png")])
    )

    result = mailbox_poll(mailbox)

    assert (result.read, result.error) == (1, "")
    [complaint] = Complaint.objects.all()
    assert (complaint.channel, complaint.status, complaint.pemda) == (
        Channel.EMAIL, Status.SUBMITTED, world.pemda,
    )  # fmt: skip
    assert complaint.title == "Jalan berlubang di Jl. Ahmad Yani"
    assert complaint.chronology.startswith("Lubang besar di depan pasar")
    assert complaint.ticket_number.startswith(f"{world.pemda.code}-")
    identity = reporter_identity_for(actor=Actor.staff(world.koordinator), complaint=complaint)
    assert (identity.name, identity.email) == ("Siti Aminah", "siti@example.id")
    assert not complaint.is_anonymous
    assert list(chain_verify()) == []  # the first event is in the hash chain
    assert complaint.deadlines.filter(stage="verification").exists()  # the clocks of the web form
    [attachment] = Attachment.objects.filter(complaint=complaint)
    assert attachment.content_type == "image/png"
    [reply] = Notification.objects.filter(complaint=complaint, audience=Audience.CITIZEN)
    assert (reply.kind, reply.address, reply.context["action"]) == (
        "citizen_update",
        "siti@example.id",
        "submit",
    )
    assert reply.context["link"].endswith(f"/lacak/{complaint.tracking_secret}/")
    assert reply.context["ticket_number"] == complaint.ticket_number
    assert reply.context["in_reply_to"] == row_id  # the answer threads under the reporter's e-mail
    row = InboundEmail.objects.get()
    assert (row.outcome, row.complaint, row.raw, row.sender) == (InboundOutcome.FILED, complaint, b"", "")
    assert b"\\Seen" in imap.flags(mailbox.folder)[0]
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 1
    assert mailbox.last_polled_at is not None
    assert mailbox_poll(mailbox).read == 0  # nothing new: nothing read again


def test_the_same_message_seen_twice_files_one_complaint(imap, mailbox):
    raw = message(message_id="<dua-kali@example.id>")
    imap.append(mailbox.folder, raw)
    imap.append(mailbox.folder, raw)  # the same message delivered twice (two UIDs)

    first = mailbox_poll(mailbox)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=0)  # the job runs again from the start
    mailbox.refresh_from_db()
    second = mailbox_poll(mailbox)

    assert (first.read, first.duplicates, second.read, second.duplicates) == (2, 1, 2, 2)
    assert Complaint.objects.count() == 1
    assert InboundEmail.objects.filter(message_id="<dua-kali@example.id>").count() == 1
    assert Notification.objects.filter(audience=Audience.CITIZEN).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_reading_the_same_message_at_once_file_one(default_policies):
    pemda = PemdaFactory()
    box = Mailbox.objects.create(
        pemda=pemda, host="127.0.0.1", port=1, username="u", folder="INBOX", password_env=PASSWORD_ENV
    )
    raw = message(message_id="<bersamaan@example.id>")
    barrier, results = threading.Barrier(2), []

    def worker():
        try:
            barrier.wait()
            results.append(mail_receive(mailbox=box, raw=raw)[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results) == [False, True]
    assert (Complaint.objects.count(), InboundEmail.objects.count()) == (1, 1)


def _filed(imap, mailbox, **kwargs) -> Complaint:
    imap.append(mailbox.folder, message(**kwargs))
    mailbox_poll(mailbox)
    mailbox.refresh_from_db()
    return Complaint.objects.latest("pk")


def test_a_reply_to_our_notification_becomes_the_reporters_reply(imap, mailbox, world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    complaint = _filed(imap, mailbox)
    complaint_transition(
        complaint_id=complaint.pk, action=Action.HOLD, actor=Actor.staff(world.koordinator),
        note="Mohon sebutkan nomor rumah terdekat.",
    )  # fmt: skip
    hold = Notification.objects.get(complaint=complaint, context__action="hold")
    assert notification_deliver(hold.pk)
    sent_id = mail.outbox[-1].message()["Message-ID"]
    assert sent_id == notification_message_id(hold)  # the Message-ID we recognise is the one sent
    confirmation = Notification.objects.get(complaint=complaint, context__action="submit")
    assert notification_deliver(confirmation.pk)
    assert mail.outbox[-1].message()["In-Reply-To"] == confirmation.context["in_reply_to"]
    before = Complaint.objects.count()

    imap.append(
        mailbox.folder,
        message(
            subject="Re: Mohon lengkapi aduan Anda",  # no ticket number: the header alone is enough
            sender="Siti <SITI@example.id>",
            body="Depan rumah nomor 12.\n\nOn Mon, 1 Dec 2026, Aduan wrote:\n> Mohon sebutkan nomor rumah\n",
            In_Reply_To=sent_id,
            References=f"<lain@example.id> {sent_id}",
        ),
    )
    mailbox_poll(mailbox)

    complaint.refresh_from_db()
    assert Complaint.objects.count() == before  # never a new complaint
    assert complaint.status == Status.SUBMITTED  # on hold → completed by the reporter
    event = complaint.events.latest("pk")
    assert (event.action, event.note, event.actor_role) == (
        Action.COMPLETE,
        "Depan rumah nomor 12.",
        "citizen",
    )
    row = InboundEmail.objects.latest("pk")
    assert (row.outcome, row.complaint) == (InboundOutcome.REPLY, complaint)


def test_a_forged_message_id_or_another_sender_with_the_ticket_files_a_new_complaint(imap, mailbox, world):
    complaint = _filed(imap, mailbox)
    complaint_transition(
        complaint_id=complaint.pk, action=Action.HOLD, actor=Actor.staff(world.koordinator), note="Lengkapi."
    )
    hold = Notification.objects.get(complaint=complaint, context__action="hold")
    forged = notification_message_id(hold).replace(">", "").rsplit(".", 1)[0][:-4] + "abcd.x>"
    forged_reply = message(
        subject=f"Re: [{complaint.ticket_number}]",
        In_Reply_To=forged,
        sender="orang.lain@example.id",
        body="Bukan pelapornya.",
    )
    imap.append(mailbox.folder, forged_reply)

    mailbox_poll(mailbox)

    assert Complaint.objects.count() == 2
    complaint.refresh_from_db()
    assert complaint.status == Status.ON_HOLD


def test_the_ticket_in_the_subject_from_the_reporter_replies_to_the_answer(imap, mailbox, world):
    complaint = _filed(imap, mailbox)
    koordinator = Actor.staff(world.koordinator)
    complaint_transition(complaint_id=complaint.pk, action=Action.DISPATCH, actor=koordinator, opd=world.opd)
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.FOLLOW_UP,
        actor=Actor.staff(world.petugas[0]),
        note="Sudah ditambal.",
    )
    imap.append(
        mailbox.folder,
        message(subject=f"Re: [{complaint.ticket_number}] Aduan Anda telah ditindaklanjuti",
                body="Belum ditambal, masih berlubang.\n-- \nSiti Aminah\n0812345678\n"),
    )  # fmt: skip

    mailbox_poll(mailbox)

    complaint.refresh_from_db()
    assert (Complaint.objects.count(), complaint.status) == (1, Status.DISPATCHED)  # back to the OPD
    event = complaint.events.latest("pk")
    assert (event.action, event.note) == (Action.REPLY, "Belum ditambal, masih berlubang.")  # no signature


def test_a_reply_to_a_complaint_not_awaiting_the_reporter_is_kept_for_the_koordinator(imap, mailbox):
    complaint = _filed(imap, mailbox)  # submitted: nothing asked of the reporter
    raw = message(subject=f"Re: [{complaint.ticket_number}]", body="Ada kabar?")
    imap.append(mailbox.folder, raw)

    mailbox_poll(mailbox)

    assert Complaint.objects.count() == 1
    row = InboundEmail.objects.latest("pk")
    assert (row.outcome, row.reason, row.complaint) == (
        InboundOutcome.UNREADABLE, UnreadableReason.NOT_AWAITING, complaint,
    )  # fmt: skip
    assert bytes(row.raw).replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")


BROKEN = (
    b"Subject: =?x-unknown?B?////?=\r\n"
    b"Message-ID: <rusak@example.id>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="tidak-ada"\r\n'
    b"\r\n"
    b"--salah-batas\r\nContent-Type: text/plain\r\n\r\n\xff\xfe isi tanpa pengirim\r\n"
)


def test_a_malformed_message_lands_in_the_could_not_read_list_whole(imap, mailbox):
    imap.append(mailbox.folder, BROKEN)
    before = Complaint.objects.count()

    result = mailbox_poll(mailbox)

    assert (result.read, result.error, Complaint.objects.count()) == (1, "", before)
    row = InboundEmail.objects.get()
    assert (row.outcome, row.reason, row.message_id) == (
        InboundOutcome.UNREADABLE, UnreadableReason.NO_SENDER, "<rusak@example.id>",
    )  # fmt: skip
    assert bytes(row.raw).replace(b"\r\n", b"\n") == BROKEN.replace(b"\r\n", b"\n")  # nothing lost
    assert row.handled_at is None
    mailbox_poll(mailbox)
    assert InboundEmail.objects.count() == 1


def test_an_unknown_charset_is_read_leniently_and_an_automatic_reply_is_kept(imap, mailbox):
    imap.append(
        mailbox.folder,
        b"From: Budi <budi@example.id>\r\nSubject: Sampah menumpuk di pasar\r\n"
        b"Message-ID: <cs@example.id>\r\n"
        b"Content-Type: text/plain; charset=x-tidak-dikenal\r\n\r\nSampah tidak diangkut seminggu.\r\n",
    )
    imap.append(mailbox.folder, message(subject="Out of office", Auto_Submitted="auto-replied"))

    mailbox_poll(mailbox)

    [complaint] = Complaint.objects.all()
    assert complaint.chronology == "Sampah tidak diangkut seminggu."
    auto = InboundEmail.objects.get(outcome=InboundOutcome.UNREADABLE)
    assert auto.reason == UnreadableReason.AUTOMATIC


def test_a_60_mb_message_files_the_text_and_refuses_the_attachment_with_a_reply(imap, mailbox):
    small = message(attachments=[("foto.png", png_bytes(), "image", "png")])
    boundary = re.search(rb'boundary="([^"]+)"', small).group(1)
    huge = base64.encodebytes(os.urandom(45 * 1024 * 1024)).replace(b"\n", b"\r\n")  # ~60 MB on the wire
    part = (
        b"--" + boundary + b"\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="video-lubang.jpg"\r\n\r\n' + huge
    )
    closing = b"--" + boundary + b"--"
    raw = small.replace(b"\n", b"\r\n").replace(closing, part + closing)
    assert len(raw) > 60 * 1024 * 1024
    imap.append(mailbox.folder, raw)

    result = mailbox_poll(mailbox)

    assert (result.read, result.error) == (1, "")
    [complaint] = Complaint.objects.all()
    assert complaint.channel == Channel.EMAIL
    assert [a.content_type for a in Attachment.objects.filter(complaint=complaint)] == ["image/png"]
    refused = Notification.objects.get(kind="mail_attachments_refused")
    assert (refused.address, refused.complaint, refused.audience) == ("siti@example.id", complaint, "citizen")
    assert [f["name"] for f in refused.context["files"]] == ["video-lubang.jpg"]
    assert "10 MB" in refused.context["files"][0]["reason"]
    assert InboundEmail.objects.get().outcome == InboundOutcome.FILED


def test_a_message_above_the_download_limit_is_kept_with_its_headers(imap, mailbox, settings):
    settings.ADUAN_MAIL_MAX_MESSAGE_BYTES = 2000
    imap.append(mailbox.folder, message(body="x" * 5000))

    mailbox_poll(mailbox)

    row = InboundEmail.objects.get()
    assert (row.reason, Complaint.objects.count()) == (UnreadableReason.TOO_LARGE, 0)
    assert row.size > 5000
    assert b"Subject: Jalan berlubang" in bytes(row.raw)
    assert b"\\Seen" not in imap.flags(mailbox.folder)[0]  # left for a person to read in the mailbox


def test_anonim_in_the_subject_keeps_the_identity_from_opd_staff(imap, mailbox, world, client):
    complaint = _filed(imap, mailbox, subject="[ANONIM] Pungutan liar di kantor kelurahan")
    assert complaint.is_anonymous
    assert complaint.title == "Pungutan liar di kantor kelurahan"
    complaint_transition(
        complaint_id=complaint.pk, action=Action.DISPATCH, actor=Actor.staff(world.koordinator), opd=world.opd
    )

    assert reporter_identity_for(actor=Actor.staff(world.petugas[0]), complaint=complaint) is None
    assert (
        reporter_identity_for(actor=Actor.staff(world.koordinator), complaint=complaint).email
        == "siti@example.id"
    )
    staff_mail = Notification.objects.filter(complaint=complaint, audience=Audience.STAFF)
    assert staff_mail.exists()
    assert not any("siti" in str(n.context).lower() for n in staff_mail)
    client.force_login(world.petugas[0])
    page = client.get(f"/staf/aduan/{complaint.pk}/")
    assert page.status_code == 200
    assert b"siti@example.id" not in page.content
    assert b"Siti Aminah" not in page.content
    assert InboundEmail.objects.get().sender == ""  # the filed message keeps no copy of the sender


def test_a_wrong_password_variable_is_recorded_and_files_nothing(imap, mailbox):
    imap.append(mailbox.folder, message())
    mailbox.password_env = "ADUAN_MAIL_NOT_SET"

    result = mailbox_poll(mailbox)

    assert result.error.startswith("MailboxError")
    assert "ADUAN_MAIL_NOT_SET" in result.error
    assert mail_counts() == (0, 0, 0)
    mailbox.refresh_from_db()
    assert "ADUAN_MAIL_NOT_SET" in mailbox.last_error


def test_an_answer_to_an_email_we_sent_staff_is_kept_not_filed(imap, mailbox, world):
    complaint = _filed(imap, mailbox)
    complaint_transition(
        complaint_id=complaint.pk, action=Action.DISPATCH, actor=Actor.staff(world.koordinator), opd=world.opd
    )
    staff_mail = Notification.objects.filter(complaint=complaint, audience=Audience.STAFF).first()
    imap.append(
        mailbox.folder,
        message(subject="Re: Aduan baru untuk OPD Anda", sender=staff_mail.address,
                In_Reply_To=notification_message_id(staff_mail), body="Siap, kami tangani."),
    )  # fmt: skip

    mailbox_poll(mailbox)

    assert Complaint.objects.count() == 1
    row = InboundEmail.objects.latest("pk")
    assert (row.outcome, row.reason) == (InboundOutcome.UNREADABLE, UnreadableReason.NOT_AWAITING)
