"""Messages an SMS/WhatsApp gateway sends in (POST /api/v1/gateway/inbound/).

The gateway signs each call as Aduan signs its outbound webhook: headers ``X-Aduan-Timestamp``
(unix seconds) and ``X-Aduan-Signature: sha256=<HMAC-SHA256 of "<timestamp>.<body>">`` with
``ADUAN_GATEWAY_INBOUND_SECRET``. ``gateway_verify()`` refuses a wrong signature, a timestamp more
than 5 minutes away and a signature already used (a replay): nothing is stored.

``gateway_receive()`` then, once per gateway ``message_id`` (GatewayMessage):
- when the text names a ticket number of an open complaint whose reporter's phone is the sender,
  adds to it: on hold → the reporter completes it, followed up → the reporter's reply, with the
  media attached (through the upload checks) in any open status;
- otherwise files a new complaint through ``services.complaint_submit`` (channel whatsapp or sms,
  the sender's phone as contact; without a sender name it is filed anonim).
The reporter's answer (ticket number and tracking link) goes out through the outbound webhook
like every message to a reporter who left only a phone number (notifications).
"""

import base64
import binascii
import hmac
import io
import re
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.agencies.models import Pemda
from aduan.core.exceptions import DomainError, InvalidInput
from aduan.notifications.channels import webhook_signature

from .attachments import MAX_FILES, CleanUpload, attachment_add, validate_upload
from .models import CLOSED_STATUSES, Channel, Complaint, GatewayMessage, Status
from .selectors import Actor
from .services import ReporterData, complaint_submit
from .workflow import Action, complaint_transition

MAX_SKEW_SECONDS = 300
TICKET_RE = re.compile(r"\b([A-Z0-9]{2,10}-\d{4}-\d{6})\b")
GATEWAY_CHANNELS = (Channel.WHATSAPP, Channel.SMS)
TITLE_MAX = 80


class SignatureInvalid(DomainError):
    code = "signature_invalid"
    default_message = _("Tanda tangan pesan gateway tidak sah atau sudah dipakai.")


@dataclass(frozen=True)
class GatewayResult:
    complaint: Complaint
    created: bool  # a new complaint (else: added to the sender's open complaint)
    duplicate: bool = False  # this message id was received before; nothing stored now


def gateway_verify(*, body: bytes, timestamp: str, signature: str, now: float | None = None) -> None:
    """Raise SignatureInvalid unless the call is signed with the inbound secret, fresh and new."""
    secret = settings.ADUAN_GATEWAY_INBOUND_SECRET
    now = time.time() if now is None else now
    try:
        fresh = abs(now - int(timestamp)) <= MAX_SKEW_SECONDS
    except (TypeError, ValueError):
        fresh = False
    expected = webhook_signature(body, secret, timestamp or "") if secret else ""
    if not (secret and fresh and hmac.compare_digest(expected, signature or "")):
        raise SignatureInvalid()
    # A replay of a signed call inside the window: the cache remembers each signature used.
    if not cache.add(f"aduan:gateway-signature:{expected}", 1, timeout=2 * MAX_SKEW_SECONDS):
        raise SignatureInvalid()


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    return "0" + digits[2:] if digits.startswith("62") else digits


def _media(items) -> list[CleanUpload]:
    if not isinstance(items, list) or len(items) > MAX_FILES:
        raise InvalidInput(
            _("Paling banyak %(n)d lampiran per aduan.") % {"n": MAX_FILES},
            code="too_many_files",
            field="media",
        )
    uploads = []
    for item in items:
        try:
            data = base64.b64decode(str(item.get("data", "")), validate=True)
        except (AttributeError, binascii.Error, ValueError):
            raise InvalidInput(
                _("Lampiran tidak dapat dibaca."), code="media_invalid", field="media"
            ) from None
        file = io.BytesIO(data)
        file.name = str(item.get("filename") or "lampiran")[:100]
        uploads.append(validate_upload(file))
    return uploads


def _open_complaint_of(pemda: Pemda, text: str, sender: str) -> Complaint | None:
    match = TICKET_RE.search(text.upper())
    if not match:
        return None
    complaint = (
        Complaint.objects.select_related("reporter")
        .filter(pemda=pemda, ticket_number=match.group(1))
        .exclude(status__in=CLOSED_STATUSES)
        .first()
    )
    if complaint is None or _digits(getattr(complaint.reporter, "phone", "")) != _digits(sender):
        return None
    return complaint


def gateway_receive(*, payload: dict, now: datetime | None = None) -> GatewayResult:
    """File or add one gateway message (see the module docstring); raise InvalidInput and store
    nothing when it cannot be used."""
    now = now or timezone.now()
    pemda = Pemda.objects.filter(code=str(payload.get("pemda", "")).upper()).first()
    if pemda is None:
        raise InvalidInput(_("Pemda tidak dikenal."), code="pemda_invalid", field="pemda")
    channel = payload.get("channel")
    if channel not in GATEWAY_CHANNELS:
        raise InvalidInput(_("Kanal harus whatsapp atau sms."), code="channel_invalid", field="channel")
    message_id = str(payload.get("message_id") or "").strip()[:100]
    if not message_id:
        raise InvalidInput(_("message_id wajib diisi."), code="message_id_required", field="message_id")
    text = str(payload.get("text") or "").strip()
    sender, name = str(payload.get("sender") or "").strip(), str(payload.get("name") or "").strip()
    seen = (
        GatewayMessage.objects.filter(pemda=pemda, message_id=message_id).select_related("complaint").first()
    )
    if seen is not None:
        return GatewayResult(seen.complaint, seen.created, duplicate=True)
    uploads = _media(payload.get("media") or [])
    try:
        with transaction.atomic():
            existing = _open_complaint_of(pemda, text, sender)
            if existing is not None:
                complaint = _add_to(existing, text=text, uploads=uploads, now=now)
            else:
                complaint = complaint_submit(
                    pemda=pemda,
                    title=(text.splitlines()[0] if text else "")[:TITLE_MAX],
                    chronology=text,
                    reporter=ReporterData(name=name[:150], phone=sender[:20]),
                    is_anonymous=not name,
                    channel=channel,
                    now=now,
                )
                for upload in uploads:
                    attachment_add(complaint=complaint, upload=upload, now=now)
            GatewayMessage.objects.create(
                pemda=pemda,
                message_id=message_id,
                complaint=complaint,
                created=existing is None,
                received_at=now,
            )
    except IntegrityError:  # the same message delivered twice at once: the first one counts
        seen = GatewayMessage.objects.select_related("complaint").get(pemda=pemda, message_id=message_id)
        return GatewayResult(seen.complaint, seen.created, duplicate=True)
    return GatewayResult(complaint, existing is None)


def _add_to(complaint: Complaint, *, text: str, uploads: list[CleanUpload], now) -> Complaint:
    actor = Actor.citizen(complaint.tracking_secret)
    for upload in uploads:
        attachment_add(complaint=complaint, upload=upload, now=now)
    action = {Status.ON_HOLD: Action.COMPLETE, Status.FOLLOWED_UP: Action.REPLY}.get(complaint.status)
    if action and text:
        complaint_transition(complaint_id=complaint.pk, action=action, actor=actor, note=text, now=now)
    elif not uploads:
        raise InvalidInput(
            _("Aduan %(ticket)s sedang diproses dan tidak menunggu jawaban Anda.")
            % {"ticket": complaint.ticket_number},
            code="not_awaiting_reporter",
            field="text",
        )
    complaint.refresh_from_db()
    return complaint
