"""The koordinator's list of e-mail the Pemda's mailbox could not use (/staf/surel-masuk/,
aduan/workspace/views/staff_mail.py): their own Pemda only, the original to download, marked
handled once; in the staff menu of the koordinator only."""

import pytest
from django.urls import reverse
from django.utils import timezone

from aduan.complaints.models import InboundEmail, InboundOutcome, Mailbox, UnreadableReason
from tests.factories import MembershipFactory, PemdaFactory

RAW = b"Subject: =?x-unknown?B?////?=\r\nMessage-ID: <rusak@example.id>\r\n\r\n\xff\xfe tanpa pengirim\r\n"


def kept(pemda, **fields) -> InboundEmail:
    mailbox, _ = Mailbox.objects.get_or_create(
        pemda=pemda,
        host="imap.example.id",
        username=f"aduan-{pemda.code}",
        defaults={"password_env": "ADUAN_MAIL_X"},
    )
    values = {
        "message_id": f"<{InboundEmail.objects.count()}@example.id>",
        "received_at": timezone.now(),
        "outcome": InboundOutcome.UNREADABLE,
        "reason": UnreadableReason.NO_SENDER,
        "subject": "Subjek rusak",
        "raw": RAW,
        "size": len(RAW),
        **fields,
    }
    return InboundEmail.objects.create(mailbox=mailbox, pemda=pemda, **values)


@pytest.fixture
def two_pemdas(world):
    other = PemdaFactory()
    return world, kept(world.pemda, subject="Pesan milik pemda ini"), kept(other, subject="Pesan pemda lain")


def test_the_koordinator_sees_their_pemdas_messages_only_and_downloads_the_original(client, two_pemdas):
    world, own, _foreign = two_pemdas
    kept(world.pemda, outcome=InboundOutcome.FILED, subject="Sudah jadi aduan", raw=b"")
    client.force_login(world.koordinator)

    page = client.get(reverse("complaints:staff-inbound-mail"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Pesan milik pemda ini" in html
    assert "Pesan pemda lain" not in html
    assert "Sudah jadi aduan" not in html  # filed messages are not "could not read"
    assert str(UnreadableReason.NO_SENDER.label) in html
    assert reverse("complaints:staff-inbound-mail") in html  # in the staff menu
    original = client.get(reverse("complaints:staff-inbound-mail-raw", kwargs={"pk": own.pk}))
    assert (original.status_code, original["Content-Type"], original.content) == (200, "message/rfc822", RAW)


def test_marking_handled_keeps_the_message_listed_under_all(client, two_pemdas):
    world, own, _foreign = two_pemdas
    client.force_login(world.koordinator)

    response = client.post(reverse("complaints:staff-inbound-mail-handled", kwargs={"pk": own.pk}))

    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.handled_by, own.handled_at is not None) == (world.koordinator, True)
    first = own.handled_at
    client.post(reverse("complaints:staff-inbound-mail-handled", kwargs={"pk": own.pk}))
    own.refresh_from_db()
    assert own.handled_at == first  # again: nothing changes
    assert (
        "Pesan milik pemda ini" not in client.get(reverse("complaints:staff-inbound-mail")).content.decode()
    )
    listed_all = client.get(reverse("complaints:staff-inbound-mail"), {"semua": "1"}).content.decode()
    assert "Pesan milik pemda ini" in listed_all
    assert bytes(own.raw) == RAW


def test_a_get_does_not_mark_and_opd_staff_have_no_menu_entry(client, two_pemdas):
    world, own, _foreign = two_pemdas
    client.force_login(world.koordinator)
    assert (
        client.get(reverse("complaints:staff-inbound-mail-handled", kwargs={"pk": own.pk})).status_code == 405
    )
    own.refresh_from_db()
    assert own.handled_at is None
    client.force_login(world.petugas[0])
    inbox = client.get(reverse("complaints:staff-inbox")).content.decode()
    assert reverse("complaints:staff-inbound-mail") not in inbox
    loket = MembershipFactory(role="petugas_loket", pemda=world.pemda).user
    client.force_login(loket)
    assert client.get(reverse("complaints:staff-inbound-mail")).status_code == 403
