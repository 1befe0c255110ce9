"""Reading a Pemda's IMAP mailbox (stdlib imaplib) and handing each new message to
``mail_intake.mail_receive`` — the beat job ``aduan.complaints.tasks.mailboxes_poll``.

Per mailbox: connect (IMAPS, STARTTLS, or plain for a server on this machine), sign in with the
password from the environment variable the mailbox names (``Mailbox.password_env``, an
``ADUAN_MAIL_…`` name), select the folder, and read every message whose UID is above
``last_uid`` (all of them again when the server's UIDVALIDITY changed: the Message-ID keeps that
harmless), oldest first. Each message is fetched with BODY.PEEK[] (its size first: one above
MAX_MESSAGE_BYTES is not downloaded, its headers are kept for the koordinator), filed, then marked
\\Seen, and ``last_uid`` moves on. Messages are never deleted from the server. A connection or
sign-in failure is recorded on the mailbox (``last_error``, without the password or the server's
text) and the next run tries again; one message's failure never stops the others.
"""

import imaplib
import logging
import os
import re
import ssl
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from .mail_intake import mail_receive
from .models import InboundOutcome, Mailbox, MailboxSecurity
from .models.mail import PASSWORD_ENV_RE

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 60
_SIZE_RE = re.compile(rb"RFC822\.SIZE (\d+)")


class MailboxError(Exception):
    pass


@dataclass
class PollResult:
    read: int = 0
    counts: dict = field(default_factory=dict)  # outcome → messages new this run
    duplicates: int = 0
    error: str = ""


def mailbox_password(mailbox: Mailbox) -> str:
    if not PASSWORD_ENV_RE.match(mailbox.password_env or ""):
        raise MailboxError("password_env must be an ADUAN_MAIL_* variable name")
    password = os.environ.get(mailbox.password_env, "")
    if not password:
        raise MailboxError(f"environment variable {mailbox.password_env} is not set")
    return password


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    context = ssl.create_default_context()
    if mailbox.security == MailboxSecurity.SSL:
        conn = imaplib.IMAP4_SSL(mailbox.host, mailbox.port, ssl_context=context, timeout=TIMEOUT_SECONDS)
    else:
        conn = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS)
        if mailbox.security == MailboxSecurity.STARTTLS:
            conn.starttls(ssl_context=context)
    try:
        conn.login(mailbox.username, mailbox_password(mailbox))
        typ, _data = conn.select(_quote(mailbox.folder))
        if typ != "OK":
            raise MailboxError(f"folder {mailbox.folder!r} cannot be selected")
    except BaseException:
        _close(conn)
        raise
    return conn


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _close(conn) -> None:
    try:
        conn.logout()
    except Exception:  # already gone: nothing to close
        logger.debug("IMAP logout failed", exc_info=True)


def _uid_validity(conn) -> int | None:
    _typ, data = conn.response("UIDVALIDITY")
    try:
        return int(data[0])
    except (TypeError, ValueError, IndexError):
        return None


def _new_uids(conn, after: int) -> list[int]:
    typ, data = conn.uid("SEARCH", None, f"UID {after + 1}:*")
    if typ != "OK":
        raise MailboxError("UID SEARCH failed")
    uids = sorted(int(u) for u in b" ".join(d for d in data if d).split())
    return [u for u in uids if u > after]  # "n:*" answers the last message even when it is older


def _literal(data) -> bytes | None:
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def _fetch(conn, uid: int) -> tuple[bytes, bool, int]:
    """(raw bytes, too large, size): the whole message, or only its headers when too large."""
    typ, data = conn.uid("FETCH", str(uid), "(RFC822.SIZE)")
    match = _SIZE_RE.search(b" ".join(d if isinstance(d, bytes) else d[0] for d in data if d))
    size = int(match.group(1)) if typ == "OK" and match else 0
    too_large = size > settings.ADUAN_MAIL_MAX_MESSAGE_BYTES
    typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[HEADER])" if too_large else "(BODY.PEEK[])")
    raw = _literal(data) if typ == "OK" else None
    if raw is None:
        raise MailboxError(f"UID {uid} cannot be fetched")
    return raw, too_large, size or len(raw)


def mailbox_poll(mailbox: Mailbox, *, now=None) -> PollResult:
    """Read the new messages of one mailbox (see the module docstring)."""
    result = PollResult()
    try:
        conn = _connect(mailbox)
    except (OSError, imaplib.IMAP4.error, MailboxError) as exc:
        return _failed(mailbox, result, exc)
    try:
        validity = _uid_validity(conn)
        last_uid = mailbox.last_uid if validity == mailbox.uid_validity else 0
        if validity != mailbox.uid_validity:
            Mailbox.objects.filter(pk=mailbox.pk).update(uid_validity=validity, last_uid=0)
        for uid in _new_uids(conn, last_uid):
            raw, too_large, size = _fetch(conn, uid)
            row, created = mail_receive(mailbox=mailbox, raw=raw, now=now, too_large=too_large, size=size)
            result.read += 1
            if created:
                result.counts[row.outcome] = result.counts.get(row.outcome, 0) + 1
            else:
                result.duplicates += 1
            if row.outcome != InboundOutcome.UNREADABLE or not too_large:
                conn.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
            Mailbox.objects.filter(pk=mailbox.pk, last_uid__lt=uid).update(last_uid=uid)
    except (OSError, imaplib.IMAP4.error, MailboxError) as exc:
        return _failed(mailbox, result, exc)
    finally:
        _close(conn)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error="")
    return result


def _failed(mailbox: Mailbox, result: PollResult, exc: Exception) -> PollResult:
    # Our own messages only (MailboxError); the server's text may quote the user name.
    result.error = f"{type(exc).__name__}: {exc}" if isinstance(exc, MailboxError) else type(exc).__name__
    logger.warning("mailbox %s not read: %s", mailbox.pk, result.error)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error=result.error[:300])
    return result


def mailboxes_poll_all(*, now=None) -> dict[int, PollResult]:
    """Every active mailbox, one after the other."""
    return {m.pk: mailbox_poll(m, now=now) for m in Mailbox.objects.filter(is_active=True).order_by("pk")}
