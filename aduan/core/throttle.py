"""A small fixed-window rate limiter on the cache, for anonymous endpoints (filing, tracking
look-ups, support). With Redis as the cache it holds across processes; with the local-memory
cache, per process."""

import hashlib

from django.core.cache import cache
from django.utils import timezone


def client_key(request) -> str:
    """Who is asking, without storing an IP address in the clear."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
    ip = forwarded or request.META.get("REMOTE_ADDR", "")
    return hashlib.sha256(ip.encode()).hexdigest()[:32]


def throttle_hit(*, scope: str, key: str, limit: int, window_seconds: int) -> int:
    """Count one hit; return 0 if allowed, else the seconds until the window resets."""
    now = int(timezone.now().timestamp())
    window = now // window_seconds
    cache_key = f"throttle:{scope}:{key}:{window}"
    cache.add(cache_key, 0, timeout=window_seconds + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds + 5)
        count = 1
    if count > limit:
        return (window + 1) * window_seconds - now
    return 0
