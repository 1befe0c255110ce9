"""Queue notifications in the business transaction and deliver them after commit.

- ``notification_queue``: one outbox row per unique key; the send task is queued on commit.
- ``notify_transition``: what an accepted move tells the audiences it declares (the reporter,
  the officers of an OPD, the koordinator).
- ``deadline_effects_queue``: reminders and escalations from the deadline sweep.
- ``notification_deliver``: send one pending row under a row lock; record the outcome.
- ``webhook_endpoint_register`` / ``webhook_endpoint_deactivate``: a Pemda's integration webhooks;
  ``notify_transition`` queues one signed event per active endpoint for every accepted move.

Staff notifications never carry the reporter's identity; citizen notifications go only to the
reporter's own contact, which the complaints app hands in.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.agencies.models import Role, StaffMembership
from aduan.core.exceptions import InvalidInput, NotFound

from .channels import CHANNELS, ChannelError
from .models import Audience, Channel, DeliveryState, Notification, WebhookEndpoint, webhook_url_allowed

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 300


@dataclass(frozen=True)
class ReporterContact:
    """Where the reporter can be reached (handed in by the complaints app, never stored elsewhere)."""

    email: str = ""
    phone: str = ""
    language: str = "id"


def site_url(path: str) -> str:
    return settings.ADUAN_SITE_URL.rstrip("/") + path


def local_str(moment: datetime | None, zone) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment, zone)
    return f"{local:%d-%m-%Y %H:%M} {local.tzname()}"


def notification_queue(
    *,
    key: str,
    kind: str,
    channel: str,
    audience: str,
    address: str,
    now: datetime,
    complaint=None,
    recipient_user=None,
    language: str = "id",
    context: dict | None = None,
    new_key: bool = False,
) -> Notification | None:
    """Write one outbox row (nothing if ``key`` exists) and send it once the transaction commits.
    ``new_key``: the caller knows the key cannot exist yet (it names an event written in this
    transaction), so no savepoint guards the insert."""
    if not address:
        return None
    fields = {
        "key": key[:200], "kind": kind, "channel": channel, "audience": audience, "address": address,
        "complaint": complaint, "recipient_user": recipient_user, "language": language,
        "context": context or {}, "created_at": now, "next_attempt_at": now,
    }  # fmt: skip
    if new_key:
        notification = Notification.objects.create(**fields)
    else:
        try:
            with transaction.atomic():
                notification = Notification.objects.create(**fields)
        except IntegrityError:
            return None  # already queued: every message is queued once
    pk = notification.pk
    transaction.on_commit(lambda: _enqueue(pk), robust=True)
    return notification


def _enqueue(pk: int) -> None:
    from .tasks import notification_send

    # No publish retries: if the broker is down the request must not wait; outbox_flush sends it.
    notification_send.apply_async((pk,), retry=False)


def staff_with_roles(*, roles, opd_id=None, pemda_id=None, cache: dict | None = None):
    """Active staff with one of ``roles`` in an OPD or a Pemda. ``cache`` (a dict the caller keeps
    for one batch, e.g. one sweep) answers repeated questions without a query."""
    key = (tuple(roles), opd_id, pemda_id)
    if cache is not None and key in cache:
        return list(cache[key])
    query = StaffMembership.objects.filter(is_active=True, user__is_active=True, role__in=roles)
    scope = Q()
    if opd_id is not None:
        scope |= Q(opd_id=opd_id)
    if pemda_id is not None:
        scope |= Q(pemda_id=pemda_id)
    users = [m.user for m in query.filter(scope).select_related("user").order_by("user_id")]
    if cache is not None:
        cache[key] = users
    return list(users)


def staff_cache_for(*, pemda_ids, opd_ids) -> dict:
    """A ``staff_with_roles`` cache filled for the koordinators of ``pemda_ids`` and the petugas and kepala of
    ``opd_ids`` with one query (what deadline effects of many complaints need)."""
    cache: dict = {}
    for pemda_id in pemda_ids:
        cache[((Role.KOORDINATOR,), None, pemda_id)] = []
    for opd_id in opd_ids:
        cache[((Role.PETUGAS_OPD,), opd_id, None)] = []
        cache[((Role.KEPALA_OPD,), opd_id, None)] = []
    if not cache:
        return cache
    memberships = (
        StaffMembership.objects.filter(is_active=True, user__is_active=True)
        .filter(
            Q(role=Role.KOORDINATOR, pemda_id__in=list(pemda_ids))
            | Q(role__in=[Role.PETUGAS_OPD, Role.KEPALA_OPD], opd_id__in=list(opd_ids))
        )
        .select_related("user")
        .order_by("user_id")
    )
    for m in memberships:
        key = ((m.role,), None, m.pemda_id) if m.role == Role.KOORDINATOR else ((m.role,), m.opd_id, None)
        cache[key].append(m.user)
    return cache


def _complaint_context(complaint) -> dict:
    return {
        "ticket_number": complaint.ticket_number,
        "title": complaint.title,
        "pemda": complaint.pemda.name,
        "status": str(complaint.get_status_display()),
        "opd": str(complaint.current_opd) if complaint.current_opd_id else "",
    }


def _notify_staff(users, *, kind: str, key: str, complaint, context: dict, now: datetime) -> int:
    count = 0
    for user in {u.pk: u for u in users}.values():
        queued = notification_queue(
            key=f"{key}:u{user.pk}",
            kind=kind,
            channel=Channel.EMAIL,
            audience=Audience.STAFF,
            address=user.email,
            recipient_user=user,
            complaint=complaint,
            context={
                **context,
                "recipient": user.get_full_name(),
                "link": site_url(f"/staf/aduan/{complaint.pk}/"),
            },
            now=now,
        )
        count += queued is not None
    return count


# Who hears of an accepted move: the move declares the audiences (aduan.complaints
# ``workflow.Transition.notifies``); this module knows what each is told.
REPORTER = "reporter"  # the reporter, at their own contact (their own moves are confirmed too)
NEW_OPD = "new_opd"  # the officers of the OPD the complaint (now) goes to: it is theirs
HOLDING_OPD = "holding_opd"  # the officers of the OPD holding it: the reporter answered them
KOORDINATOR = "koordinator"  # the Pemda's koordinator: an OPD asks for another disposition
STAFF_AUDIENCES = {
    NEW_OPD: ("staff_assigned", Role.PETUGAS_OPD),
    HOLDING_OPD: ("staff_citizen_replied", Role.PETUGAS_OPD),
    KOORDINATOR: ("staff_redispatch_requested", Role.KOORDINATOR),
}
AUDIENCES = frozenset({REPORTER, *STAFF_AUDIENCES})


def notify_transition(
    *,
    complaint,
    event,
    audiences: tuple[str, ...],
    reporter: ReporterContact | None,
    now: datetime,
    staff_see_note: bool = True,
    new_event: bool = False,
) -> None:
    """Queue what an accepted move tells ``audiences`` (inside the move's transaction), and the
    Pemda's integrations of every move. ``staff_see_note`` is False when the note may be the
    reporter's own words (they may identify them: staff read them on the page). ``new_event``:
    ``event`` was written in this transaction, so the reporter's outbox key cannot exist yet."""
    action = event.action
    context = _complaint_context(complaint)
    if reporter is not None and REPORTER in audiences:
        citizen_context = {
            **context,
            "action": action,
            "note": event.note,
            "link": site_url(f"/lacak/{complaint.tracking_secret}/"),
            "forwarded_to": complaint.forwarded_to,
        }
        key = f"ev{event.pk}:citizen"
        if reporter.email:
            notification_queue(
                key=key, kind="citizen_update", channel=Channel.EMAIL, audience=Audience.CITIZEN,
                address=reporter.email, complaint=complaint, language=reporter.language,
                context=citizen_context, now=now, new_key=new_event,
            )  # fmt: skip
        elif reporter.phone and settings.ADUAN_WEBHOOK_URL:
            notification_queue(
                key=key, kind="citizen_update", channel=Channel.WEBHOOK, audience=Audience.CITIZEN,
                address=reporter.phone, complaint=complaint, language=reporter.language,
                context=citizen_context, now=now, new_key=new_event,
            )  # fmt: skip

    staff_context = {**context, "action": action, "note": event.note if staff_see_note else ""}
    for audience in audiences:
        if audience not in STAFF_AUDIENCES:
            continue
        kind, role = STAFF_AUDIENCES[audience]
        if role == Role.KOORDINATOR:
            users = staff_with_roles(roles=[role], pemda_id=complaint.pemda_id)
        else:
            users = staff_with_roles(roles=[role], opd_id=complaint.current_opd_id)
        _notify_staff(
            users, kind=kind, key=f"ev{event.pk}", complaint=complaint, context=staff_context, now=now
        )
    notify_integrations(complaint=complaint, event=event, now=now)


def integration_event(*, complaint, event) -> dict:
    """The JSON an integration receives for one move: ids, ticket number, statuses, OPD and times.
    Never personal data, never notes (a note may quote the reporter)."""
    opd = complaint.current_opd if complaint.current_opd_id else None
    return {
        "event_id": event.pk,
        "type": f"complaint.{event.action}",
        "occurred_at": event.created_at.isoformat(),
        "complaint": {
            "id": complaint.pk,
            "ticket_number": complaint.ticket_number,
            "pemda": complaint.pemda.code,
            "status": complaint.status,
            "from_status": event.from_status,
            "opd": {"id": opd.pk, "name": opd.name} if opd else None,
            "category_id": complaint.category_id,
            "submitted_at": complaint.submitted_at.isoformat(),
            "status_changed_at": complaint.status_changed_at.isoformat(),
            "closed_at": complaint.closed_at.isoformat() if complaint.closed_at else None,
        },
    }


# Most Pemdas have no endpoint, and every move asks: each process keeps the active endpoints per
# Pemda for ENDPOINT_CACHE_SECONDS (a saved, deleted or deactivated endpoint clears this process's
# copy at once; other processes see the change within that time).
ENDPOINT_CACHE_SECONDS = 60
_endpoint_cache: dict = {}


def endpoints_cache_clear(**_signal_kwargs) -> None:
    _endpoint_cache.clear()


def _active_endpoints(pemda_id: int) -> list:
    now = time.monotonic()
    hit = _endpoint_cache.get(pemda_id)
    if hit is not None and now < hit[1]:
        return hit[0]
    endpoints = list(WebhookEndpoint.objects.filter(pemda_id=pemda_id, is_active=True).order_by("pk"))
    _endpoint_cache[pemda_id] = (endpoints, now + ENDPOINT_CACHE_SECONDS)
    return endpoints


def notify_integrations(*, complaint, event, now: datetime) -> int:
    """Queue the event for every active webhook endpoint of the complaint's Pemda."""
    endpoints = _active_endpoints(complaint.pemda_id)
    if not endpoints:
        return 0
    payload = integration_event(complaint=complaint, event=event)
    queued = 0
    for endpoint in endpoints:
        queued += (
            notification_queue(
                key=f"ev{event.pk}:wh{endpoint.pk}",
                kind="integration_event",
                channel=Channel.INTEGRATION,
                audience=Audience.INTEGRATION,
                address=endpoint.url,
                complaint=complaint,
                context={"endpoint": endpoint.pk, "event": payload},
                now=now,
            )
            is not None
        )
    return queued


def webhook_endpoint_register(*, pemda, url: str, description: str = "") -> WebhookEndpoint:
    """Register an HTTPS endpoint for the Pemda's integrations; its signing secret is generated."""
    url = (url or "").strip()
    if len(url) > 254 or not webhook_url_allowed(url):
        raise InvalidInput(_("Alamat webhook harus HTTPS."), code="webhook_url_invalid", field="url")
    return WebhookEndpoint.objects.create(pemda=pemda, url=url, description=(description or "").strip()[:200])


def webhook_endpoint_deactivate(*, endpoint_id: int, pemda_ids) -> None:
    """Stop sending to an endpoint (pending events to it fail without being sent)."""
    if not WebhookEndpoint.objects.filter(pk=endpoint_id, pemda_id__in=pemda_ids).update(is_active=False):
        raise NotFound()
    endpoints_cache_clear()


def deadline_effects_queue(effects, *, now: datetime, due_texts: Callable | None = None) -> int:
    """Queue the reminders (to whoever must act) and escalations (to the kepala OPD and the
    koordinator) of many deadline effects [(deadline, kind, level), ...] with one INSERT (the
    deadline sweep's batch); return how many messages were queued. ``due_texts(deadlines)`` gives
    each clock's due moment as people read it (``{pk: text}``); without it the local time is shown."""
    labels = due_texts([d for d, _kind, _level in effects]) if due_texts else {}
    staff_cache = staff_cache_for(
        pemda_ids={d.complaint.pemda_id for d, _kind, _level in effects},
        opd_ids={
            opd_id
            for d, _kind, _level in effects
            if (opd_id := d.opd_id or d.complaint.current_opd_id) is not None
        },
    )
    rows = []
    for d, kind, level in effects:
        rows += deadline_effect_notifications(
            deadline=d, kind=kind, level=level, now=now, staff_cache=staff_cache, due_text=labels.get(d.pk)
        )
    return notifications_queue_many(rows)


# Clocks whose reminder goes to the Pemda's koordinator (verification; the answer to the
# Ombudsman's request for clarification); the others' to the officers of the OPD.
KOORDINATOR_REMINDED_STAGES = ("verification", "clarification")


def deadline_effect_notifications(
    *,
    deadline,
    kind: str,
    level: int,
    now: datetime,
    staff_cache: dict | None = None,
    due_text: str | None = None,
) -> list[Notification]:
    """The (unsaved) outbox rows of one deadline effect, one per staff recipient; the sweep writes
    the rows of many effects with one ``notifications_queue_many``."""
    complaint = deadline.complaint
    zone = complaint.pemda.zoneinfo
    opd_id = deadline.opd_id or complaint.current_opd_id
    context = {
        **_complaint_context(complaint),
        "stage": str(deadline.get_stage_display()),
        "due_at": due_text or local_str(deadline.due_at, zone),
        "level": level,
        "breach_opd": str(deadline.opd) if deadline.opd_id else "",
    }
    if kind == "reminder":
        if deadline.stage in KOORDINATOR_REMINDED_STAGES:
            users = staff_with_roles(roles=[Role.KOORDINATOR], pemda_id=complaint.pemda_id, cache=staff_cache)
        else:
            users = staff_with_roles(roles=[Role.PETUGAS_OPD], opd_id=opd_id, cache=staff_cache)
        mail_kind = "staff_reminder"
    else:
        users = staff_with_roles(roles=[Role.KOORDINATOR], pemda_id=complaint.pemda_id, cache=staff_cache)
        if opd_id is not None:
            users += staff_with_roles(roles=[Role.KEPALA_OPD], opd_id=opd_id, cache=staff_cache)
        mail_kind = "staff_escalation"
    key = f"dl{deadline.pk}:{kind}:{level}"
    rows = []
    for user in {u.pk: u for u in users}.values():
        if not user.email:
            continue
        rows.append(
            Notification(
                key=f"{key}:u{user.pk}"[:200],
                kind=mail_kind,
                channel=Channel.EMAIL,
                audience=Audience.STAFF,
                address=user.email,
                recipient_user=user,
                complaint=complaint,
                language="id",
                context={
                    **context,
                    "recipient": user.get_full_name(),
                    "link": site_url(f"/staf/aduan/{complaint.pk}/"),
                },
                created_at=now,
                next_attempt_at=now,
            )
        )
    return rows


def notifications_queue_many(rows: list[Notification]) -> int:
    """Write many outbox rows in one INSERT and send each after commit. Their keys must be new
    (the caller holds the lock that makes them so): a duplicate key aborts the transaction rather
    than silently sending nothing."""
    if not rows:
        return 0
    created = Notification.objects.bulk_create(rows)
    pks = [n.pk for n in created]

    def enqueue_all():
        for pk in pks:
            _enqueue(pk)

    transaction.on_commit(enqueue_all, robust=True)
    return len(pks)


def notification_deliver(pk: int, *, now: datetime | None = None) -> bool:
    """Send one pending notification; True if it was sent now.

    The row stays locked while sending, so no other worker sends it meanwhile; if this worker dies
    mid-send, the transaction rolls back and the row is still pending for the next try. Failures
    are recorded with a backoff (capped at a few minutes); after MAX_ATTEMPTS it is marked failed.
    If the database connection is lost once the channel has taken the message, the row is marked
    sent on a new connection (a retry would send it twice); a database error before that is
    raised, so the task retries (aduan/notifications/tasks.py).
    """
    now = now or timezone.now()
    progress = {"handed_over": False}
    try:
        return _deliver_locked(pk, now, progress)
    except DatabaseError:
        # The database went away after the channel took the message (a killed session, a
        # failover): record it as sent on a fresh connection instead of sending it again.
        if not progress["handed_over"] or connection.in_atomic_block:
            raise
        connection.close()
        Notification.objects.filter(pk=pk, state=DeliveryState.PENDING).update(
            state=DeliveryState.SENT, sent_at=now, next_attempt_at=None, attempts=F("attempts") + 1
        )
        logger.warning("notification %s sent; its row was marked on a new database connection", pk)
        return True


def _deliver_locked(pk: int, now: datetime, progress: dict) -> bool:
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, state=DeliveryState.PENDING)
            .first()
        )
        if notification is None or (notification.next_attempt_at and notification.next_attempt_at > now):
            return False
        notification.attempts += 1
        try:
            CHANNELS[notification.channel](notification)
        except Exception as exc:
            if not isinstance(exc, ChannelError):
                logger.exception("notification %s cannot be sent", pk)
                exc = ChannelError(f"{type(exc).__name__}: {exc}", transient=False)
            notification.last_error = str(exc)[:2000]
            if not exc.transient or notification.attempts >= MAX_ATTEMPTS:
                notification.state = DeliveryState.FAILED
                notification.next_attempt_at = None
            else:
                backoff = min(MAX_BACKOFF_SECONDS, 15 * 2 ** (notification.attempts - 1))
                notification.next_attempt_at = now + timedelta(seconds=backoff)
            notification.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
            logger.warning("notification %s not sent (attempt %s): %s", pk, notification.attempts, exc)
            return False
        progress["handed_over"] = True
        notification.state = DeliveryState.SENT
        notification.sent_at = now
        notification.next_attempt_at = None
        notification.save(update_fields=["attempts", "state", "sent_at", "next_attempt_at", "last_error"])
        return True


def outbox_due(*, now: datetime, limit: int = 200) -> list[int]:
    """Ids of pending notifications whose (next) attempt is due, oldest first."""
    return list(
        Notification.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
