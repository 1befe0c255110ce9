"""A small fixed-window rate limiter on the cache, for anonymous endpoints (filing, tracking
look-ups, support). With Redis as the cache it holds across processes; with the local-memory
cache, per process."""

import hashlib
import hmac
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)


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
    except Exception:  # noqa: BLE001 — the cache (Redis) is down
        return 0
    return (window + 1) * window_seconds - now if count >= limit else 0


def throttle_hit(*, scope: str, key: str, limit: int, window_seconds: int) -> int:
    """Count one hit; return 0 if allowed, else the seconds until the window resets. When the cache
    is unreachable the request is let through (a broken cache must not lock citizens out)."""
    now = int(timezone.now().timestamp())
    window = now // window_seconds
    cache_key = f"throttle:{scope}:{key}:{window}"
    try:
        cache.add(cache_key, 0, timeout=window_seconds + 5)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=window_seconds + 5)
            count = 1
    except Exception:  # noqa: BLE001 — the cache (Redis) is down
        logger.warning("throttle cache unreachable; %s not limited", scope, exc_info=True)
        return 0
    if count > limit:
        return (window + 1) * window_seconds - now
    return 0
