"""Security review: the ticket number plus a contact is not a credential.

The look-up /lacak/ never shows or redirects to the secret tracking link. When the ticket and the
contact match, it sends the link to the contact on file (e-mail, or the SMS/WhatsApp gateway for a
phone), at most once per complaint per ten minutes; the answer page is the same whether or not
anything matched."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from aduan.complaints.models import Status
from aduan.complaints.services import ReporterData
from aduan.notifications.models import Channel, Notification
from tests.factories import complaint_in_status
from tests.notifications.conftest import WEBHOOK_SECRET, webhook  # noqa: F401 (a fixture)

KIND = "citizen_tracking_link"
STORED_EMAIL = "budi@example.id"  # tests.factories.ComplaintFactory's reporter
STORED_PHONE = "081234567890"


def make(world, **kwargs):
    return complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator, **kwargs
    )


def lookup(client, capture, ticket, contact):
    with capture(execute=True):
        return client.post("/lacak/", {"tiket": ticket, "kontak": contact})


def assert_no_secret(response, complaint):
    body = response.content.decode()
    assert response.status_code == 200
    assert not response.has_header("Location")
    assert complaint.tracking_secret not in body
    assert "/lacak/" + complaint.tracking_secret[:8] not in body


def normalised(response) -> str:
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)  # the CSP nonce differs per response


@pytest.mark.parametrize(
    "contact", ["budi@example.id", "BUDI@Example.ID", "081234567890", "+62 812-3456-7890"]
)
def test_a_match_sends_the_link_to_the_stored_e_mail_and_shows_nothing(
    world, client, django_capture_on_commit_callbacks, contact
):
    complaint = make(world)
    mail.outbox.clear()

    response = lookup(client, django_capture_on_commit_callbacks, complaint.ticket_number.lower(), contact)

    assert_no_secret(response, complaint)
    assert "kami telah mengirim tautan pelacakan" in response.content.decode()
    assert [m.to for m in mail.outbox] == [[STORED_EMAIL]]
    assert f"/lacak/{complaint.tracking_secret}/" in mail.outbox[0].body
    assert complaint.ticket_number in mail.outbox[0].subject
    sent = Notification.objects.get(kind=KIND)
    assert (sent.channel, sent.address, sent.complaint_id) == (Channel.EMAIL, STORED_EMAIL, complaint.pk)


@pytest.mark.parametrize(
    ("ticket", "contact"),
    [
        (None, "orang@lain.id"),  # the right ticket, a wrong e-mail
        (None, "089999999999"),  # the right ticket, a wrong phone
        ("ZZZ-2026-999999", STORED_EMAIL),  # an unknown ticket, someone's real e-mail
    ],
)
def test_a_mismatch_sends_nothing_and_shows_nothing(
    world, client, django_capture_on_commit_callbacks, ticket, contact
):
    complaint = make(world)
    mail.outbox.clear()

    response = lookup(client, django_capture_on_commit_callbacks, ticket or complaint.ticket_number, contact)

    assert_no_secret(response, complaint)
    assert mail.outbox == []
    assert not Notification.objects.filter(kind=KIND).exists()


def test_match_and_mismatch_answer_the_same_page(world, client, django_capture_on_commit_callbacks):
    complaint = make(world)
    ticket = complaint.ticket_number

    pages = [
        lookup(client, django_capture_on_commit_callbacks, ticket, STORED_EMAIL),
        lookup(client, django_capture_on_commit_callbacks, ticket, "orang@lain.id"),
        lookup(client, django_capture_on_commit_callbacks, "ZZZ-2026-999999", "orang@lain.id"),
        lookup(client, django_capture_on_commit_callbacks, ticket, STORED_EMAIL),  # already sent: quiet
    ]

    assert {p.status_code for p in pages} == {200}
    assert len({normalised(p) for p in pages}) == 1
    assert Notification.objects.filter(kind=KIND).count() == 1


def test_an_anonim_complaint_gets_its_link_only_at_its_own_contact(
    world, client, django_capture_on_commit_callbacks
):
    complaint = make(world, is_anonymous=True)
    mail.outbox.clear()

    response = lookup(client, django_capture_on_commit_callbacks, complaint.ticket_number, STORED_EMAIL)

    assert_no_secret(response, complaint)
    assert [m.to for m in mail.outbox] == [[STORED_EMAIL]]


def test_an_anonim_complaint_without_contact_sends_nothing(world, client, django_capture_on_commit_callbacks):
    complaint = make(world, is_anonymous=True, reporter=ReporterData())
    mail.outbox.clear()

    response = lookup(client, django_capture_on_commit_callbacks, complaint.ticket_number, STORED_EMAIL)

    assert_no_secret(response, complaint)
    assert mail.outbox == []
    assert not Notification.objects.filter(kind=KIND).exists()


def test_a_phone_match_goes_through_the_gateway_to_the_stored_number(
    world,
    client,
    django_capture_on_commit_callbacks,
    webhook,  # noqa: F811 (the fixture imported above)
):
    complaint = make(world, reporter=ReporterData(name="Siti", phone=STORED_PHONE))
    mail.outbox.clear()

    typed = "+62 812-3456-7890"
    response = lookup(client, django_capture_on_commit_callbacks, complaint.ticket_number, typed)

    assert_no_secret(response, complaint)
    assert mail.outbox == []
    assert len(webhook.requests) == 1
    sent = webhook.json()
    assert sent["to"] == STORED_PHONE  # the number on file, not the spelling typed
    assert sent["kind"] == KIND
    assert f"/lacak/{complaint.tracking_secret}/" in sent["text"]
    assert WEBHOOK_SECRET not in sent["text"]


def test_one_message_per_complaint_per_ten_minutes(
    world, client, django_capture_on_commit_callbacks, monkeypatch
):
    complaint = make(world)
    mail.outbox.clear()
    start = timezone.now()

    for contact in (STORED_EMAIL, STORED_EMAIL, "081234567890"):
        lookup(client, django_capture_on_commit_callbacks, complaint.ticket_number, contact)
    assert len(mail.outbox) == 1

    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=9))
    lookup(client, django_capture_on_commit_callbacks, complaint.ticket_number, STORED_EMAIL)
    assert len(mail.outbox) == 1

    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=11))
    lookup(client, django_capture_on_commit_callbacks, complaint.ticket_number, STORED_EMAIL)
    assert [m.to for m in mail.outbox] == [[STORED_EMAIL], [STORED_EMAIL]]


def test_the_lookup_throttle_still_holds(world, client):
    complaint = make(world)
    for _ in range(20):
        assert client.post("/lacak/", {"tiket": "ZZZ-2026-000001", "kontak": "a@b.id"}).status_code == 200

    throttled = client.post("/lacak/", {"tiket": complaint.ticket_number, "kontak": STORED_EMAIL})

    assert throttled.status_code == 429
    assert complaint.tracking_secret not in throttled.content.decode()
    assert not Notification.objects.filter(kind=KIND).exists()


def test_no_rest_endpoint_looks_up_by_ticket_and_contact():
    from pathlib import Path

    import aduan.api

    api_dir = Path(aduan.api.__file__).parent
    sources = "".join(path.read_text() for path in api_dir.rglob("*.py"))
    assert "complaint_by_ticket_and_contact" not in sources
