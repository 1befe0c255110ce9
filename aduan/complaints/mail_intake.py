"""Complaints by e-mail: one message read from a Pemda's mailbox (complaints.mailbox) becomes a
complaint, the reporter's reply on one, or a row the koordinator must look at — exactly once.

``mail_receive(mailbox=, raw=)`` is idempotent by Message-ID (``InboundEmail``, unique per
mailbox; a message without one is keyed by the SHA-256 of its bytes): the row is inserted first in
the same transaction as the complaint, so a second run or a second worker reading the same message
waits on the unique index and then files nothing.

- **A reply**: In-Reply-To / References quote a Message-ID of a notification we sent the reporter
  (``notifications.channels.notification_ids_quoted``: signed, unforgeable), or the subject names a
  ticket number of this Pemda and the sender is that complaint's reporter. On hold → the reporter
  completes it; followed up → the reporter's reply (back to the OPD); the text (quoted lines and
  signature cut) is the move's note and the attachments are added. In any other status it is kept
  for the koordinator (``not_awaiting``), never filed as a new complaint; so is an answer to an
  e-mail we sent staff.
- **A new complaint** otherwise, through ``services.complaint_submit`` (channel e-mail; same ticket
  numbers, clocks, hash chain and outbox as the web form: the reporter is sent the ticket and the
  tracking link). Title: the subject; text: the body (plain text, else the HTML's text); reporter:
  the sender (name from the From header, else the address). **ANONIM** as a word in the subject
  files it anonim (the identity hidden from OPD staff), **RAHASIA** files it rahasia (not public);
  both words are removed from the title.
- **Attachments** go through the citizen upload checks (``attachments.validate_upload``): at most
  MAX_FILES, each at most MAX_BYTES, JPEG/PNG/WebP/PDF. A refused one is left out, the complaint is
  still filed with its text, and the sender is told which file was refused and why.
- **Kept, not filed** (outcome ``unreadable``, raw bytes stored, listed for the koordinator at
  /staf/surel-masuk/): broken MIME, no readable sender, no readable text, automatic messages
  (auto-replies, bounces: answering them could loop), a message too large to download, or one the
  complaint checks refuse. An unknown charset is decoded leniently, not refused.
"""

import email
import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from html.parser import HTMLParser

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.core.exceptions import DomainError, NotFound
from aduan.notifications.channels import notification_ids_quoted
from aduan.notifications.models import Audience, Notification
from aduan.notifications.models import Channel as NotificationChannel
from aduan.notifications.services import notification_queue, site_url

from .attachments import MAX_BYTES, MAX_FILES, CleanUpload, attachment_add, file_too_large, validate_upload
from .gateway import TICKET_RE
from .models import (
    Channel,
    Complaint,
    InboundEmail,
    InboundOutcome,
    Mailbox,
    ReporterIdentity,
    Status,
    UnreadableReason,
)
from .selectors import Actor, inbound_mail_kept_for
from .services import ReporterData, complaint_submit
from .workflow import NOTE_MAX_LENGTH, Action, complaint_transition

logger = logging.getLogger(__name__)

TITLE_MAX = 200
CHRONOLOGY_MAX = 10000
ANONYMOUS_WORD = re.compile(r"[\[(]?\bANONIM\b[\])]?:?", re.IGNORECASE)
CONFIDENTIAL_WORD = re.compile(r"[\[(]?\bRAHASIA\b[\])]?:?", re.IGNORECASE)
REPLY_PREFIX = re.compile(r"^\s*((re|aw|fwd?|balas)\s*:\s*)+", re.IGNORECASE)
QUOTE_HEADER = re.compile(
    r"^(on .+ wrote:|pada .+ menulis:|-+ ?original message ?-+|-+ ?pesan asli ?-+)\s*$", re.IGNORECASE
)
AUTOMATIC_SENDERS = ("mailer-daemon", "postmaster", "noreply", "no-reply")


class Unreadable(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail[:300]


@dataclass
class ParsedMail:
    message_id: str
    sender: str
    sender_name: str
    subject: str
    text: str
    references: str = ""
    automatic: bool = False
    attachments: list[tuple[str, bytes | None]] = field(default_factory=list)  # None: far too large


@dataclass
class Prepared:
    """The attachments checked before the transaction (image re-encoding is slow)."""

    uploads: list[CleanUpload] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)  # [{"name": ..., "reason": ...}]


def raw_key(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _header(msg, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # a header the parser cannot turn into its structured form
        value = None
    return " ".join(str(value or "").split())


def _headers(raw: bytes):
    """The header block only (a 60 MB body is not parsed for a Message-ID)."""
    end = min((i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0), default=len(raw))
    return BytesHeaderParser(policy=policy.compat32).parsebytes(raw[: end + 4])


def message_key(raw: bytes) -> str:
    """The message's Message-ID (at most 255 characters), else the SHA-256 of its bytes."""
    try:
        message_id = _header(_headers(raw), "Message-ID")
    except Exception:
        message_id = ""
    return message_id if message_id and len(message_id) <= 255 else raw_key(raw)


class _HtmlText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "li", "tr"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _html_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    return "".join(parser.parts)


def _part_text(part) -> str:
    try:
        text = part.get_content()
    except (LookupError, UnicodeError, ValueError, AssertionError):  # an unknown or wrong charset
        text = (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")
    if not isinstance(text, str):
        text = (text or b"").decode("utf-8", errors="replace")
    return _html_text(text) if part.get_content_subtype() == "html" else text


def _is_automatic(msg, sender: str) -> bool:
    auto = _header(msg, "Auto-Submitted").lower()
    precedence = _header(msg, "Precedence").lower()
    return (
        (auto not in ("", "no"))
        or precedence in ("bulk", "junk", "list", "auto_reply")
        or bool(_header(msg, "X-Autoreply") or _header(msg, "X-Autorespond"))
        or msg.get_content_type() == "multipart/report"
        or sender.split("@")[0].lower() in AUTOMATIC_SENDERS
    )


def mail_parse(raw: bytes) -> ParsedMail:
    """Read what filing needs from a raw message; raise Unreadable when it cannot be used."""
    try:
        msg = email.message_from_bytes(raw, policy=policy.default)
        from_value = _header(msg, "From")
        addresses = [(n, a) for n, a in getaddresses([from_value]) if a]
        subject = _header(msg, "Subject")
        body = msg.get_body(preferencelist=("plain", "html"))
        text = _part_text(body) if body is not None else ""
        attachments = []
        for part in msg.walk():
            if part is body or part.is_multipart():
                continue
            disposition = part.get_content_disposition()
            if disposition != "attachment" and part.get_content_maintype() == "text":
                continue
            encoded = part.get_payload()
            # Far above the limit: refused without decoding it (base64 is 4/3 of the bytes).
            too_big = isinstance(encoded, str) and len(encoded) * 3 // 4 > MAX_BYTES * 1.1
            data = None if too_big else (part.get_payload(decode=True) or b"")
            attachments.append((part.get_filename() or "lampiran", data))
    except Unreadable:
        raise
    except Exception as exc:  # the parser's and decoders' errors are many; none may stop the job
        raise Unreadable(UnreadableReason.BROKEN, type(exc).__name__) from exc
    if not addresses:
        raise Unreadable(UnreadableReason.NO_SENDER)
    name, sender = addresses[0]
    sender = sender.strip().lower()
    try:
        validate_email(sender)
    except ValidationError:
        raise Unreadable(UnreadableReason.NO_SENDER, sender) from None
    if not text.strip() and not subject:
        raise Unreadable(UnreadableReason.NO_TEXT)
    message_id = _header(msg, "Message-ID")
    return ParsedMail(
        message_id=message_id if message_id and len(message_id) <= 255 else raw_key(raw),
        sender=sender[:254],
        sender_name=" ".join(name.split())[:150],
        subject=subject,
        text=text.replace("\r\n", "\n"),
        references=f"{_header(msg, 'In-Reply-To')} {_header(msg, 'References')}",
        automatic=_is_automatic(msg, sender),
        attachments=attachments,
    )


def _without_signature(text: str) -> str:
    return re.split(r"\n-- ?\n", "\n" + text, maxsplit=1)[0].strip()


def reply_text(text: str) -> str:
    """The reporter's own words of a reply: up to the quoted message, without quoted lines."""
    kept = []
    for line in _without_signature(text).splitlines():
        if QUOTE_HEADER.match(line.strip()):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return "\n".join(kept).strip()


def _prepare(parsed: ParsedMail) -> Prepared:
    prepared = Prepared()
    for name, data in parsed.attachments:
        if len(prepared.uploads) >= MAX_FILES:
            reason = _("Paling banyak %(n)d lampiran per aduan.") % {"n": MAX_FILES}
            prepared.refused.append({"name": name[:120], "reason": str(reason)})
            continue
        if data is None:
            prepared.refused.append({"name": name[:120], "reason": str(file_too_large().message)})
            continue
        file = io.BytesIO(data)
        file.name = name[:100]
        try:
            prepared.uploads.append(validate_upload(file))
        except DomainError as error:
            prepared.refused.append({"name": name[:120], "reason": str(error.message)})
    return prepared


def _replied_complaint(mailbox: Mailbox, parsed: ParsedMail) -> Complaint | None:
    quoted = notification_ids_quoted(parsed.references)
    if quoted:
        complaint = (
            Complaint.objects.filter(
                pemda=mailbox.pemda_id, notifications__pk__in=quoted, notifications__audience=Audience.CITIZEN
            )
            .order_by("-notifications__pk")
            .first()
        )
        if complaint is not None:
            return complaint
    match = TICKET_RE.search(parsed.subject.upper())
    if match:
        complaint = Complaint.objects.filter(pemda=mailbox.pemda_id, ticket_number=match.group(1)).first()
        reporter_email = (
            ReporterIdentity.objects.filter(complaint=complaint).values_list("email", flat=True).first()
            if complaint
            else None
        )
        if reporter_email and reporter_email.strip().lower() == parsed.sender:
            return complaint
    return None


def _keep(row: InboundEmail, raw: bytes, reason: str, detail: str = "", parsed: ParsedMail | None = None):
    row.outcome, row.reason, row.detail, row.raw = InboundOutcome.UNREADABLE, reason, detail[:300], raw
    if parsed is not None:
        row.sender, row.subject = parsed.sender, parsed.subject[:255]
    else:
        msg = _headers(raw)
        row.sender, row.subject = _header(msg, "From")[:254], _header(msg, "Subject")[:255]


def _attach(complaint: Complaint, prepared: Prepared, now: datetime) -> None:
    for upload in prepared.uploads:
        try:
            with transaction.atomic():
                attachment_add(complaint=complaint, upload=upload, now=now)
        except DomainError as error:
            prepared.refused.append({"name": upload.name, "reason": str(error.message)})


def _tell_refused(row: InboundEmail, complaint: Complaint, parsed: ParsedMail, refused: list, now) -> None:
    if refused:
        notification_queue(
            key=f"mail{row.pk}:refused",
            kind="mail_attachments_refused",
            channel=NotificationChannel.EMAIL,
            audience=Audience.CITIZEN,
            address=parsed.sender,
            complaint=complaint,
            context={
                "ticket_number": complaint.ticket_number,
                "title": complaint.title,
                "files": refused,
                "link": site_url(f"/lacak/{complaint.tracking_secret}/"),
            },
            now=now,
        )


def _reply(row, raw, parsed: ParsedMail, complaint: Complaint, prepared: Prepared, now) -> None:
    action = {Status.ON_HOLD: Action.COMPLETE, Status.FOLLOWED_UP: Action.REPLY}.get(complaint.status)
    note = reply_text(parsed.text)[:NOTE_MAX_LENGTH] or str(_("(lampiran melalui e-mail)"))
    row.complaint = complaint
    if action is None:
        _keep(row, raw, UnreadableReason.NOT_AWAITING, complaint.ticket_number, parsed)
        return
    try:
        with transaction.atomic():
            _attach(complaint, prepared, now)
            complaint_transition(
                complaint_id=complaint.pk,
                action=action,
                actor=Actor.citizen(complaint.tracking_secret),
                note=note,
                now=now,
            )
    except DomainError as error:
        _keep(row, raw, UnreadableReason.NOT_AWAITING, str(error.message), parsed)
        return
    row.outcome = InboundOutcome.REPLY
    _tell_refused(row, complaint, parsed, prepared.refused, now)


def _thread_confirmation(complaint: Complaint, parsed: ParsedMail) -> None:
    """The confirmation queued by complaint_submit answers the reporter's message (In-Reply-To), so
    their mail program shows it in the same thread. Still uncommitted: the send task sees it."""
    if parsed.message_id.startswith("<"):
        for notification in Notification.objects.filter(complaint=complaint, audience=Audience.CITIZEN):
            notification.context["in_reply_to"] = parsed.message_id
            notification.save(update_fields=["context"])


def _file(row, raw, parsed: ParsedMail, prepared: Prepared, now) -> None:
    subject = REPLY_PREFIX.sub("", parsed.subject)
    anonymous = bool(ANONYMOUS_WORD.search(subject))
    confidential = bool(CONFIDENTIAL_WORD.search(subject))
    title = " ".join(CONFIDENTIAL_WORD.sub(" ", ANONYMOUS_WORD.sub(" ", subject)).split()).strip(" -:")
    text = _without_signature(parsed.text) or title
    title = title or (text.strip().splitlines() or [""])[0]
    try:
        with transaction.atomic():
            complaint = complaint_submit(
                pemda=row.mailbox.pemda,
                title=title[:TITLE_MAX],
                chronology=text[:CHRONOLOGY_MAX],
                reporter=ReporterData(name=parsed.sender_name or parsed.sender, email=parsed.sender),
                is_anonymous=anonymous,
                is_confidential=confidential,
                channel=Channel.EMAIL,
                now=now,
            )
            _attach(complaint, prepared, now)
    except DomainError as error:
        _keep(row, raw, UnreadableReason.REFUSED, str(error.message), parsed)
        return
    _thread_confirmation(complaint, parsed)
    row.outcome, row.complaint = InboundOutcome.FILED, complaint
    _tell_refused(row, complaint, parsed, prepared.refused, now)


def mail_receive(
    *, mailbox: Mailbox, raw: bytes, now: datetime | None = None, too_large: bool = False, size: int = 0
) -> tuple[InboundEmail, bool]:
    """File, add or keep one message (see the module docstring): (its row, whether it is new).
    ``too_large``: only the headers were downloaded (``raw``); the message is kept for the
    koordinator and stays in the mailbox."""
    now = now or timezone.now()
    key = message_key(raw)
    existing = InboundEmail.objects.filter(mailbox=mailbox, message_id=key).first()
    if existing is not None:
        return existing, False
    parsed = error = None
    prepared = Prepared()
    if too_large:
        error = Unreadable(UnreadableReason.TOO_LARGE, f"{size} B")
    else:
        try:
            parsed = mail_parse(raw)
            prepared = _prepare(parsed)
        except Unreadable as exc:
            error = exc
    try:
        return _receive(mailbox, raw, key, parsed, error, prepared, now, size or len(raw)), True
    except IntegrityError:
        existing = InboundEmail.objects.filter(mailbox=mailbox, message_id=key).first()
        if existing is None:
            raise
        return existing, False  # another worker filed it a moment ago
    except Exception as exc:  # never lose the message: keep it for the koordinator instead
        logger.exception("inbound e-mail of mailbox %s could not be filed", mailbox.pk)
        broken = Unreadable(UnreadableReason.BROKEN, type(exc).__name__)
        return _receive(mailbox, raw, key, None, broken, Prepared(), now, size or len(raw)), True


def _receive(mailbox, raw, key, parsed, error, prepared, now, size) -> InboundEmail:
    with transaction.atomic():
        # Inserted first: a second reader of the same message waits here, then fails on the index.
        row = InboundEmail.objects.create(
            mailbox=mailbox,
            pemda_id=mailbox.pemda_id,
            message_id=key,
            received_at=now,
            outcome=InboundOutcome.UNREADABLE,
            size=size,
        )
        if error is not None:
            _keep(row, raw, error.reason, error.detail, parsed)
        elif parsed.automatic:
            _keep(row, raw, UnreadableReason.AUTOMATIC, "", parsed)
        elif (complaint := _replied_complaint(mailbox, parsed)) is not None:
            _reply(row, raw, parsed, complaint, prepared, now)
        elif notification_ids_quoted(parsed.references):  # answers an e-mail we sent staff: no complaint
            _keep(row, raw, UnreadableReason.NOT_AWAITING, "", parsed)
        else:
            _file(row, raw, parsed, prepared, now)
        row.save()
    return row


def inbound_mail_mark_handled(*, user, pk: int, now: datetime | None = None) -> InboundEmail:
    """The koordinator marks a kept message handled (once; again changes nothing)."""
    with transaction.atomic():
        row = inbound_mail_kept_for(user).select_for_update(of=("self",)).filter(pk=pk).first()
        if row is None:
            raise NotFound()
        if row.handled_at is None:
            row.handled_at, row.handled_by = now or timezone.now(), user
            row.save(update_fields=["handled_at", "handled_by"])
    return row
