"""Integration webhooks of a Pemda (WebhookEndpoint; notifications/services.py notify_integrations,
channels.py send_integration): every accepted move becomes a signed JSON event in the outbox,
delivered to a real HTTP server on loopback, retried after a failure, carrying no personal data.
HTTPS is required except http:// on loopback where tests or DEBUG allow it."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest

from aduan.complaints.selectors import Actor
from aduan.complaints.services import ReporterData
from aduan.complaints.workflow import Action, complaint_transition
from aduan.core.exceptions import InvalidInput
from aduan.notifications.models import Channel, DeliveryState, Notification, WebhookEndpoint
from aduan.notifications.services import notification_deliver, webhook_endpoint_register
from tests.factories import ComplaintFactory, PemdaFactory

from .test_outbox import T


@pytest.fixture
def endpoint(world, webhook, settings):
    settings.ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    return webhook_endpoint_register(pemda=world.pemda, url=settings.ADUAN_WEBHOOK_URL, description="Dasbor")


def integration_rows(complaint):
    return Notification.objects.filter(complaint=complaint, channel=Channel.INTEGRATION).order_by("pk")


def verify(headers, body, secret) -> bool:
    signed = headers["X-Aduan-Timestamp"].encode() + b"." + body
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-Aduan-Signature"], expected)


def test_every_move_is_a_signed_event_without_personal_data(
    world, endpoint, webhook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = ComplaintFactory(
            pemda=world.pemda, now=T,
            reporter=ReporterData(
                name="Siti Pelapor", email="siti@example.id", phone="081211112222", nik="6471010101010001"
            ),
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        complaint_transition(
            complaint_id=complaint.pk, action=Action.DISPATCH, actor=Actor.staff(world.koordinator),
            opd=world.opd, note="Pelapor Siti minta segera.", now=T + timedelta(hours=1),
        )  # fmt: skip

    assert [r.state for r in integration_rows(complaint)] == [DeliveryState.SENT] * 2
    assert len(webhook.requests) == 2
    headers, body = webhook.requests[1]
    assert verify(headers, body, endpoint.secret)
    assert not verify(headers, body, "another-secret")
    assert headers["X-Aduan-Event"] == "complaint.dispatch"
    payload = json.loads(body)
    assert payload["type"] == "complaint.dispatch"
    assert payload["complaint"]["ticket_number"] == complaint.ticket_number
    assert (payload["complaint"]["status"], payload["complaint"]["from_status"]) == (
        "dispatched",
        "submitted",
    )
    assert payload["complaint"]["opd"] == {"id": world.opd.pk, "name": world.opd.name}
    for _headers, raw in webhook.requests:
        text = raw.decode()
        for secret_bit in ("Siti", "siti@", "081211112222", "6471010101010001", complaint.tracking_secret):
            assert secret_bit not in text
        assert complaint.chronology not in text


def test_a_failing_receiver_gets_the_same_event_again_later(world, endpoint, webhook):
    complaint = ComplaintFactory(pemda=world.pemda, now=T)
    row = integration_rows(complaint).get()
    webhook.status = 503

    assert notification_deliver(row.pk, now=T) is False
    row.refresh_from_db()
    assert (row.state, row.attempts, row.next_attempt_at, row.last_error) == (
        DeliveryState.PENDING, 1, T + timedelta(seconds=15), "HTTP 503",
    )  # fmt: skip
    assert notification_deliver(row.pk, now=T + timedelta(seconds=5)) is False  # not due yet

    webhook.status = 200
    assert notification_deliver(row.pk, now=T + timedelta(seconds=15)) is True
    row.refresh_from_db()
    assert (row.state, row.attempts) == (DeliveryState.SENT, 2)
    assert len(webhook.requests) == 2
    first, second = webhook.requests
    assert first[1] == second[1]
    assert first[0]["X-Aduan-Delivery"] == second[0]["X-Aduan-Delivery"] == row.key
    assert verify(*second, endpoint.secret)


def test_an_inactive_endpoint_or_another_pemda_gets_nothing(world, endpoint):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    mine = ComplaintFactory(pemda=world.pemda, now=T)
    other = ComplaintFactory(pemda=PemdaFactory(), now=T)

    assert not integration_rows(mine).exists()
    assert not integration_rows(other).exists()


def test_a_deactivated_endpoint_is_not_sent_what_was_queued(world, endpoint, webhook):
    complaint = ComplaintFactory(pemda=world.pemda, now=T)
    row = integration_rows(complaint).get()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)

    assert notification_deliver(row.pk, now=T) is False
    row.refresh_from_db()
    assert row.state == DeliveryState.FAILED
    assert webhook.requests == []


@pytest.mark.parametrize(
    ("url", "allow_loopback", "ok"),
    [
        ("https://integrasi.example.id/aduan", False, True),
        ("http://integrasi.example.id/aduan", True, False),
        ("http://127.0.0.1:9000/aduan", False, False),
        ("http://127.0.0.1:9000/aduan", True, True),
        ("https://user:pw@integrasi.example.id/", False, False),
        ("ftp://integrasi.example.id/", True, False),
        ("bukan url", True, False),
        # an address inside the server's own network is never a webhook (no SSRF)
        ("https://127.0.0.1/aduan", False, False),
        ("https://10.1.2.3/aduan", True, False),
        ("https://169.254.169.254/latest/meta-data", False, False),
        ("https://[::1]/aduan", False, False),
        ("https://db.internal/aduan", False, False),
        ("https://203.0.113.9/aduan", False, False),  # documentation range: not global
        ("https://8.8.8.8/aduan", False, True),
    ],
)
def test_https_is_required_outside_tests(pemda, settings, url, allow_loopback, ok):
    settings.ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK = allow_loopback

    if ok:
        assert webhook_endpoint_register(pemda=pemda, url=url).url == url
    else:
        with pytest.raises(InvalidInput) as refused:
            webhook_endpoint_register(pemda=pemda, url=url)
        assert refused.value.code == "webhook_url_invalid"
        assert not WebhookEndpoint.objects.exists()


def test_loopback_http_needs_the_setting_even_in_debug(pemda, settings):
    settings.ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    settings.DEBUG = True
    with pytest.raises(InvalidInput):
        webhook_endpoint_register(pemda=pemda, url="http://localhost:9/x")
    assert not pemda.webhook_endpoints.exists()

    settings.ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK = True

    assert webhook_endpoint_register(pemda=pemda, url="http://localhost:9/x").pk is not None


def test_a_redirecting_receiver_is_not_followed(world, endpoint, webhook, settings):
    from aduan.notifications.channels import ChannelError as Err
    from aduan.notifications.channels import _post_signed

    webhook.status = 302
    with pytest.raises(Err) as failed:
        _post_signed(endpoint.url, b"{}", endpoint.secret)
    assert str(failed.value) == "HTTP 302"
    assert len(webhook.requests) == 1  # one request, to the receiver only
