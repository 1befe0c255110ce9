"""The SMS/WhatsApp gateway's inbound webhook (POST /api/v1/gateway/inbound/): signed like the
outbound webhook; a bad signature, an old timestamp or a replay answers 401 and stores nothing; a
message files a complaint through complaint_submit (and the reporter is answered through the
outbound webhook), or adds to the sender's open complaint when it names its ticket."""

import base64
import io
import json
import time

import pytest
from django.core.cache import cache
from PIL import Image

from aduan.complaints.gateway import MAX_SKEW_SECONDS
from aduan.complaints.models import (
    Attachment,
    Channel,
    Complaint,
    ComplaintEvent,
    GatewayMessage,
    ReporterIdentity,
    Status,
)
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import complaint_transition
from aduan.notifications.channels import webhook_signature
from aduan.notifications.models import Notification

URL = "/api/v1/gateway/inbound/"
SECRET = "rahasia-gateway-uji"


@pytest.fixture(autouse=True)
def gateway(settings, world):
    settings.ADUAN_GATEWAY_INBOUND_SECRET = SECRET
    settings.ADUAN_WEBHOOK_URL = "https://gateway.example.id/kirim"
    settings.ADUAN_WEBHOOK_SECRET = "keluar"
    cache.clear()
    world.pemda.code = "BPN"
    world.pemda.save()


def message(**overrides) -> dict:
    return {
        "pemda": "BPN",
        "channel": "whatsapp",
        "message_id": "wamid.0001",
        "sender": "+6281254780012",
        "name": "Hendra",
        "text": "Lampu jalan di Jl. Sudirman mati sejak seminggu\nSudah gelap total di malam hari.",
        **overrides,
    }


def post(api, payload, *, secret=SECRET, timestamp=None, signature=None):
    body = json.dumps(payload).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "HTTP_X_ADUAN_TIMESTAMP": ts,
        "HTTP_X_ADUAN_SIGNATURE": signature or webhook_signature(body, secret, ts),
    }
    return api.post(URL, data=body, content_type="application/json", **headers)


def stored():
    return (
        Complaint.objects.count(),
        ComplaintEvent.objects.count(),
        GatewayMessage.objects.count(),
        Attachment.objects.count(),
        Notification.objects.count(),
    )


def png_b64() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 0, 0)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_a_message_files_a_complaint_and_the_answer_goes_out_through_the_webhook(api):
    response = post(api, message(media=[{"filename": "lampu.png", "data": png_b64()}]))

    assert response.status_code == 201
    complaint = Complaint.objects.get()
    assert response.json() == {
        "ticket_number": complaint.ticket_number,
        "status": "submitted",
        "created": True,
        "duplicate": False,
    }
    assert complaint.channel == Channel.WHATSAPP
    assert complaint.title == "Lampu jalan di Jl. Sudirman mati sejak seminggu"
    assert not complaint.is_anonymous
    assert ReporterIdentity.objects.get(complaint=complaint).phone == "+6281254780012"
    assert Attachment.objects.get(complaint=complaint).content_type == "image/png"
    answer = Notification.objects.get(complaint=complaint, kind="citizen_update")
    assert (answer.channel, answer.address) == ("webhook", "+6281254780012")
    assert complaint.tracking_secret in answer.context["link"]


def test_without_a_name_the_complaint_is_anonim_and_sms_is_the_channel(api):
    response = post(api, message(name="", channel="sms", message_id="sms-1"))
    assert response.status_code == 201, response.json()

    complaint = Complaint.objects.get(ticket_number=response.json()["ticket_number"])
    assert (complaint.channel, complaint.is_anonymous) == (Channel.SMS, True)


@pytest.mark.parametrize(
    "how",
    ["wrong secret", "no signature", "old timestamp", "future timestamp", "body changed", "no secret set"],
)
def test_a_bad_signature_is_refused_with_401_and_nothing_stored(api, settings, how):
    before = stored()
    payload = message()
    if how == "wrong secret":
        response = post(api, payload, secret="tebakan")
    elif how == "no signature":
        response = api.post(URL, data=payload, format="json")
    elif how == "old timestamp":
        response = post(api, payload, timestamp=int(time.time()) - MAX_SKEW_SECONDS - 1)
    elif how == "future timestamp":
        response = post(
            api, payload, timestamp=int(time.time()) + MAX_SKEW_SECONDS + 60
        )  # a second may pass before the check
    elif how == "body changed":
        ts = str(int(time.time()))
        signature = webhook_signature(json.dumps(payload).encode(), SECRET, ts)
        response = post(api, message(text="Lain"), timestamp=ts, signature=signature)
    else:
        settings.ADUAN_GATEWAY_INBOUND_SECRET = ""
        response = post(api, payload, secret="")

    assert response.status_code == 401
    assert response.json()["code"] == "signature_invalid"
    assert stored() == before


def test_a_replayed_call_is_refused_and_a_redelivered_message_is_stored_once(api):
    body = json.dumps(message()).encode()
    ts = str(int(time.time()))
    headers = {"HTTP_X_ADUAN_TIMESTAMP": ts, "HTTP_X_ADUAN_SIGNATURE": webhook_signature(body, SECRET, ts)}
    assert api.post(URL, data=body, content_type="application/json", **headers).status_code == 201
    before = stored()

    replay = api.post(URL, data=body, content_type="application/json", **headers)
    assert replay.status_code == 401
    assert stored() == before

    # The gateway delivering the same message again (freshly signed): the same answer, nothing new.
    again = post(api, message(), timestamp=int(ts) - 7)
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert stored() == before


def test_a_message_naming_the_senders_open_complaint_becomes_the_reply(api, world):
    filed = post(api, message()).json()
    complaint = Complaint.objects.get(ticket_number=filed["ticket_number"])
    complaint_transition(
        complaint_id=complaint.pk, action="dispatch", actor=Actor.staff(world.koordinator), opd=world.opd
    )
    complaint_transition(
        complaint_id=complaint.pk,
        action="follow_up",
        actor=Actor.staff(world.petugas[0]),
        note="Sudah diganti.",
    )

    reply = post(
        api,
        message(message_id="wamid.0002", sender="081254780012", text=f"{filed['ticket_number']} masih mati"),
    )

    assert reply.status_code == 200
    assert reply.json()["created"] is False
    complaint.refresh_from_db()
    assert complaint.status == Status.DISPATCHED
    last = complaint.events.order_by("-seq").first()
    assert (last.action, last.note) == ("reply", f"{filed['ticket_number']} masih mati")
    assert Complaint.objects.count() == 1


def test_another_senders_ticket_files_a_new_complaint_and_bad_input_stores_nothing(api):
    filed = post(api, message()).json()
    other = post(
        api, message(message_id="m-9", sender="+628111111111", text=f"{filed['ticket_number']} juga")
    )
    assert other.json()["created"] is True
    assert Complaint.objects.count() == 2

    before = stored()
    not_waiting = post(api, message(message_id="m-10", text=f"{filed['ticket_number']} kapan?"))
    unknown_pemda = post(api, message(message_id="m-11", pemda="XXX"))
    bad_media = post(api, message(message_id="m-12", media=[{"filename": "a.png", "data": "bukan base64!"}]))
    no_text = post(api, message(message_id="m-13", text=""))
    assert [r.status_code for r in (not_waiting, unknown_pemda, bad_media, no_text)] == [400, 400, 400, 400]
    assert not_waiting.json()["code"] == "not_awaiting_reporter"
    assert stored() == before


def test_staff_credentials_are_no_credential_here(as_user, world):
    before = stored()
    response = as_user(world.koordinator).post(URL, data=message(), format="json")
    assert response.status_code == 401
    assert stored() == before
