"""Throttles of the anonymous API endpoints, on the project's fixed-window limiter
(aduan.core.throttle): the same counters as the portal pages, keyed by a hash of the client address,
open when the cache is down. A refused request becomes a 429 with Retry-After (exceptions.py)."""

from rest_framework.throttling import BaseThrottle

from aduan.core.throttle import client_key, throttle_hit


class WindowThrottle(BaseThrottle):
    scope = ""
    limit = 0
    window_seconds = 3600

    def allow_request(self, request, view) -> bool:
        self._wait = throttle_hit(
            scope=self.scope, key=client_key(request), limit=self.limit, window_seconds=self.window_seconds
        )
        return not self._wait

    def wait(self):
        return self._wait


class FileThrottle(WindowThrottle):
    """Filing complaints: the portal's allowance (10 an hour per client), shared with it."""

    scope, limit = "file", 10


class TrackThrottle(WindowThrottle):
    """Reads and moves behind a tracking secret."""

    scope, limit = "api-track", 120


class TrackPostThrottle(WindowThrottle):
    """The reporter's moves, ratings and uploads: the tracking page's allowance, shared with it."""

    scope, limit = "track-post", 30


class SupportThrottle(WindowThrottle):
    scope, limit = "support", 30


class TokenThrottle(WindowThrottle):
    """Token requests count with the staff sign-in page (20 per client per 15 minutes)."""

    scope, limit, window_seconds = "login", 20, 15 * 60


class Open311PostThrottle(WindowThrottle):
    scope, limit = "open311-post", 120
