"""Reads on a streaming replica (issue 20 point 4): ``DATABASE_REPLICA_URL`` adds the database alias
``replica``; without it nothing here changes anything.

Nothing is guessed. Reads go to the replica only inside ``replica_reads()`` — entered by a view
that opts in (``@replica_view`` on a page or export, ``ReplicaListMixin`` on an API list) — and only
when all of these hold:
- the request is a read (GET/HEAD/OPTIONS) and its user has not written in the last
  ``ADUAN_REPLICA_PIN_SECONDS``: every POST/PUT/PATCH/DELETE leaves a pin (a cookie, and for a
  signed-in user a cache key, so API clients that keep no cookie are pinned too) that keeps that
  user's reads on the primary — they see their own write at once, whatever the replica's lag;
- no transaction is open on the primary (it would hold writes the replica cannot have yet);
- the replica answered, at most ``CHECK_SECONDS`` ago in this process, with a lag of at most
  ``ADUAN_REPLICA_MAX_LAG_SECONDS``; otherwise the primary serves (a replica that is down or far
  behind costs nothing but its check).
Sessions, users, tokens, two-factor devices and staff memberships are always read from the
primary (a session the replica lacks would sign the user out; a revoked role stops at once).
Writes always go to the primary (also for rows read from the replica); migrations run on the
primary only. Everything a user must see at once (the complaint page, the inboxes, tracking pages,
forms) never opts in. Tests: tests/replica/ against a real replica on port 5433 (.ci/replica.sh).
"""

import logging
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import StreamingHttpResponse
from django.utils.functional import empty

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "aduan_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CHECK_SECONDS = 5.0  # how often a process asks the replica for its lag
# Seconds the replica's replay is behind the primary's last transaction; 0 when it has replayed all
# it received (an idle primary writes nothing, so the replay timestamp alone would look old).
LAG_SQL = (
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
    "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)

# Who is signed in and with which roles is always read from the primary, even inside
# replica_reads(): a session or user the replica does not have yet would sign the user out, and a
# revoked role must stop at once.
PRIMARY_ONLY_APPS = {"sessions", "users", "auth", "authtoken", "knox", "django_otp", "otp_totp", "otp_static"}
PRIMARY_ONLY_MODELS = {"agencies.staffmembership"}

_on_replica: ContextVar[bool] = ContextVar("aduan_reads_on_replica", default=False)
_health = {"checked_at": float("-inf"), "usable": False}
_health_lock = threading.Lock()


def replica_configured() -> bool:
    """A replica alias exists and reads may use it (``ADUAN_REPLICA_READS``, on by default)."""
    return REPLICA in settings.DATABASES and getattr(settings, "ADUAN_REPLICA_READS", False)


class PrimaryReplicaRouter:
    """DATABASE_ROUTERS: reads inside ``replica_reads()`` to the replica, everything else to the
    primary. Without a replica it answers None everywhere: Django's own routing, as before."""

    def db_for_read(self, model, **hints):
        if not replica_configured():
            return None
        if (
            _on_replica.get()
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and model._meta.label_lower not in PRIMARY_ONLY_MODELS
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        # Explicit: Django would otherwise write a row read from the replica back to the replica.
        return DEFAULT_DB_ALIAS if REPLICA in settings.DATABASES else None

    def allow_relation(self, obj1, obj2, **hints):
        return True if REPLICA in settings.DATABASES else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None


def replica_usable() -> bool:
    """The replica answers and is at most ADUAN_REPLICA_MAX_LAG_SECONDS behind (asked at most every
    CHECK_SECONDS per process; a failure is remembered for as long)."""
    now = time.monotonic()
    if now - _health["checked_at"] < CHECK_SECONDS:
        return _health["usable"]
    with _health_lock:
        if now - _health["checked_at"] < CHECK_SECONDS:
            return _health["usable"]
        try:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute(LAG_SQL)
                lag = float(cursor.fetchone()[0] or 0)
            usable = lag <= settings.ADUAN_REPLICA_MAX_LAG_SECONDS
            if not usable:
                logger.warning("read replica %.0f s behind: reads stay on the primary", lag)
        except DatabaseError:
            logger.warning("read replica unreachable: reads stay on the primary", exc_info=True)
            connections[REPLICA].close()
            usable = False
        _health.update(checked_at=time.monotonic(), usable=usable)
        return usable


def replica_health_forget() -> None:
    """Ask the replica again at the next read (tests; after a fail-over)."""
    _health.update(checked_at=float("-inf"), usable=False)


def _user_if_loaded(request):
    """The request's user if authentication already ran (never a query of its own). A DRF request
    hands its user (token or session) to the Django request it wraps."""
    user = getattr(request, "_request", request).__dict__.get("user")
    wrapped = getattr(user, "_wrapped", None)
    if wrapped is not None:  # a SimpleLazyObject (AuthenticationMiddleware)
        return None if wrapped is empty else wrapped
    return user


def _pin_key(user_pk) -> str:
    return f"aduan:db:primary-until:{user_pk}"


def pinned_to_primary(request) -> bool:
    """The request's user wrote within ADUAN_REPLICA_PIN_SECONDS (cookie, or the signed-in user's
    cache key)."""
    now = time.time()
    try:
        if float(request.COOKIES.get(PIN_COOKIE, "0")) > now:
            return True
    except ValueError:
        pass
    user = _user_if_loaded(request)
    if user is not None and user.is_authenticated:
        return float(cache.get(_pin_key(user.pk), 0)) > now
    return False


def pin_to_primary(request, response) -> None:
    """Keep this user's reads on the primary for ADUAN_REPLICA_PIN_SECONDS (after a write)."""
    seconds = settings.ADUAN_REPLICA_PIN_SECONDS
    until = time.time() + seconds
    response.set_cookie(
        PIN_COOKIE,
        f"{until:.0f}",
        max_age=seconds,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    user = _user_if_loaded(request)
    if user is not None and user.is_authenticated:
        cache.set(_pin_key(user.pk), until, timeout=seconds)


class ReplicaPinMiddleware:
    """After any POST/PUT/PATCH/DELETE, pin the user's reads to the primary (see the module's
    docstring). Placed after AuthenticationMiddleware; adds no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and replica_configured():
            pin_to_primary(request, response)
        return response


@contextmanager
def replica_reads(request=None):
    """Reads inside go to the replica if it may serve them (the module's conditions); yields
    whether they do. ``request`` (when there is one) brings the method and the user's pin."""
    use = (
        replica_configured()
        and (request is None or (request.method in SAFE_METHODS and not pinned_to_primary(request)))
        and replica_usable()
    )
    token = _on_replica.set(use)
    try:
        yield use
    finally:
        _on_replica.reset(token)


def _stream_on_replica(chunks):
    """A streamed export's rows are read while the server sends it, after the view returned."""
    iterator = iter(chunks)
    while True:
        token = _on_replica.set(True)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _on_replica.reset(token)
        yield chunk


def replica_view(view):
    """Opt a read-only page or export in to the replica. Put it below the access decorators, so
    the session, the user and their roles are read from the primary first."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with replica_reads(request) as used:
            response = view(request, *args, **kwargs)
        if used and isinstance(response, StreamingHttpResponse):
            response.streaming_content = _stream_on_replica(response.streaming_content)
        return response

    return wrapped


class ReplicaListMixin:
    """For a DRF list view: its GET list reads from the replica (authentication, permissions and
    throttles ran before, on the primary)."""

    def list(self, request, *args, **kwargs):
        with replica_reads(request):
            return super().list(request, *args, **kwargs)
