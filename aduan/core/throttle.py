"""A small fixed-window rate limiter on the cache, for anonymous endpoints (filing, tracking
look-ups, support). With Redis as the cache it holds across processes; with the local-memory
cache, per process.

``LIMITS`` is the one table of allowances: every page and API endpoint that throttles names its
scope and reads the limit and window here (``throttle_args``, ``limit_hit``, ``limit_wait``). A
scope used by both a page and the API (filing, the reporter's moves, sign-in) is one counter.
"""

import hashlib
import hmac
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone

logger = logging.getLogger(__name__)

HOUR = 60 * 60


@dataclass(frozen=True)
class Limit:
    limit: int  # hits allowed per window and key
    window_seconds: int


# scope → allowance per key (a client address hash, or an account for "login-fail").
LIMITS: dict[str, Limit] = {
    # Filing: every post of the form or the API (typing mistakes, the "similar complaints" step)
    # counts against "file"; only complaints actually filed count against the lower "filed". Phone
    # carriers (CGNAT) and warnets put many people behind one address: both are settings.
    "file": Limit(getattr(settings, "ADUAN_FILING_POSTS_PER_HOUR", 60), HOUR),
    "filed": Limit(getattr(settings, "ADUAN_FILED_PER_HOUR", 10), HOUR),
    "support": Limit(30, HOUR),  # "+1" on a complaint: the portal and the API
    "similar": Limit(300, HOUR),  # the filing form's "similar complaints" look-up
    "track": Limit(20, HOUR),  # tracking look-ups by ticket and contact (portal)
    "track-post": Limit(30, HOUR),  # the reporter's moves, ratings, surveys, uploads: portal and API
    "api-track": Limit(120, HOUR),  # API reads and moves behind a tracking secret
    "login": Limit(20, 15 * 60),  # sign-in attempts per client: the staff page and API tokens
    "login-fail": Limit(5, 15 * 60),  # failed passwords per account, then it is locked
    "password-reset": Limit(5, HOUR),  # password-reset requests per client
    "open311-post": Limit(120, HOUR),  # Open311 service requests per client
    "api-staff": Limit(3600, HOUR),  # every signed-in (token or session) API request, per user
}


def throttle_args(scope: str) -> dict:
    """``scope``, ``limit`` and ``window_seconds`` of the scope, for ``throttle_hit(**...)``."""
    rule = LIMITS[scope]
    return {"scope": scope, "limit": rule.limit, "window_seconds": rule.window_seconds}


def limit_hit(scope: str, key: str) -> int:
    """``throttle_hit`` with the scope's allowance from ``LIMITS``."""
    return throttle_hit(key=key, **throttle_args(scope))


def limit_wait(scope: str, key: str) -> int:
    """``throttle_wait`` with the scope's allowance from ``LIMITS``."""
    return throttle_wait(key=key, **throttle_args(scope))


def client_key(request) -> str:
    """Who is asking, as a keyed hash of the client address (never the address in the clear).

    REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it, so
    behind a proxy configure it to set REMOTE_ADDR (e.g. gunicorn's --forwarded-allow-ips).
    """
    address = request.META.get("REMOTE_ADDR", "")
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def throttle_wait(*, scope: str, key: str, limit: int, window_seconds: int) -> int:
    """Like ``throttle_hit`` but only looks: the seconds to wait if ``limit`` is already used up."""
    now = int(timezone.now().timestamp())
    window = now // window_seconds
    try:
        count = cache.get(f"throttle:{scope}:{key}:{window}", 0)
    except Exception:
        return 0
    return (window + 1) * window_seconds - now if count >= limit else 0


def throttle_hit(*, scope: str, key: str, limit: int, window_seconds: int) -> int:
    """Count one hit; return 0 if allowed, else the seconds until the window resets. When the cache
    is unreachable the request is let through (a broken cache must not lock citizens out)."""
    now = int(timezone.now().timestamp())
    window = now // window_seconds
    try:
        count = _count(f"throttle:{scope}:{key}:{window}", timeout=window_seconds + 5)
    except Exception:
        logger.warning("throttle cache unreachable; %s not limited", scope, exc_info=True)
        return 0
    if count > limit:
        return (window + 1) * window_seconds - now
    return 0


def _count(cache_key: str, *, timeout: int) -> int:
    """Add one to the counter ``cache_key`` (created for ``timeout`` seconds); return its value.
    On Redis one round trip (SET NX and INCR in a pipeline), where Django's add() and incr() take
    three (incr() first asks whether the key exists)."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        full_key = backend.make_and_validate_key(cache_key)
        pipe = backend._cache.get_client(full_key, write=True).pipeline(transaction=False)
        pipe.set(full_key, 0, ex=timeout, nx=True)
        pipe.incr(full_key)
        return pipe.execute()[1]
    backend.add(cache_key, 0, timeout=timeout)
    try:
        return backend.incr(cache_key)
    except ValueError:  # expired between add and incr
        backend.set(cache_key, 1, timeout=timeout)
        return 1


def throttled_page(request, scope: str, *, back_url: str):
    """Count one hit of ``scope`` for this client: None while allowed, else the 429 page (with
    ``Retry-After`` and a way back) shown by the citizen's tracking and data pages."""
    from django.shortcuts import render

    retry_after = limit_hit(scope, client_key(request))
    if not retry_after:
        return None
    response = render(
        request,
        "complaints/_track_throttled.html",
        {"retry_minutes": max(1, -(-retry_after // 60)), "back_url": back_url},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response
