"""Attachment virus scanning (issue 9): repeat-safe tasks that re-read the row and do nothing once
a verdict is recorded (aduan/complaints/attachments.py: attachment_scan); the daily digest; the
Pemdas' mailboxes (complaints by e-mail, aduan/complaints/mailbox.py)."""

import time

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from aduan.core.scanning import ERROR

from .attachments import attachment_scan as scan_one
from .attachments import attachments_due_for_scan
from .digests import digests_send
from .mailbox import mailboxes_poll_all


@shared_task(name="aduan.complaints.tasks.attachment_scan", ignore_result=True)
def attachment_scan(pk: int) -> str | None:
    """Scan one stored attachment (queued when its upload commits). A failed scan (scanner
    unreachable) leaves the file in quarantine with ``error`` and its time: the beat job
    ``attachments_rescan`` tries again once RESCAN_AFTER has passed (no long ETA in the broker)."""
    return scan_one(pk)


@shared_task(name="aduan.complaints.tasks.attachments_rescan", ignore_result=True)
def attachments_rescan(limit: int = 100, budget_seconds: float = 120.0) -> dict:
    """Scan attachments left in quarantine: pending ones whose task was lost (broker down at upload
    time, worker killed) and failed ones, ``limit`` at a time until none is due or
    ``budget_seconds`` have passed. Stops at the first scanner failure (the scanner is down: the
    next run tries again); a file missing from storage is recorded and the queue goes on."""
    counts: dict[str, int] = {}
    deadline = time.monotonic() + budget_seconds
    seen: set[int] = set()
    while time.monotonic() < deadline:
        batch = [pk for pk in attachments_due_for_scan(limit=limit) if pk not in seen]
        if not batch:
            return counts
        for pk in batch:
            seen.add(pk)
            verdict = scan_one(pk)
            key = verdict or "skipped"
            counts[key] = counts.get(key, 0) + 1
            if verdict == ERROR:
                return counts
    return counts


@shared_task(
    name="aduan.complaints.tasks.digests",
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),  # a lost database connection: retry soon
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=8,
)
def digests() -> int:
    """Queue the daily digest per OPD (once per local day; runs often, acts once)."""
    return digests_send(now=timezone.now())


@shared_task(name="aduan.complaints.tasks.mailboxes_poll", ignore_result=True)
def mailboxes_poll() -> dict:
    """Read every active Pemda mailbox and file its new messages (idempotent by Message-ID: a run
    overlapping another files nothing twice)."""
    return {pk: {"read": r.read, "error": r.error} for pk, r in mailboxes_poll_all().items()}
