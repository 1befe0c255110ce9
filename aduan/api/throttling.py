"""Throttles of the anonymous API endpoints, on the project's fixed-window limiter
(aduan.core.throttle): the same counters and the same allowances (``LIMITS``) as the portal pages,
keyed by a hash of the client address, open when the cache is down. A refused request becomes a 429
with Retry-After (exceptions.py)."""

from rest_framework.throttling import BaseThrottle

from aduan.core.throttle import client_key, limit_hit


class WindowThrottle(BaseThrottle):
    """Allows what ``aduan.core.throttle.LIMITS[scope]`` allows per client."""

    scope = ""

    def allow_request(self, request, view) -> bool:
        self._wait = limit_hit(self.scope, client_key(request))
        return not self._wait

    def wait(self):
        return self._wait


class FileThrottle(WindowThrottle):
    """Filing complaints: the portal's allowance, shared with it."""

    scope = "file"


class TrackThrottle(WindowThrottle):
    """Reads and moves behind a tracking secret."""

    scope = "api-track"


class TrackPostThrottle(WindowThrottle):
    """The reporter's moves, ratings and uploads: the tracking page's allowance, shared with it."""

    scope = "track-post"


class SupportThrottle(WindowThrottle):
    scope = "support"


class TokenThrottle(WindowThrottle):
    """Token requests count with the staff sign-in page."""

    scope = "login"


class StaffUserThrottle(WindowThrottle):
    """Every request of a signed-in user (an API token or a session), counted per user whichever
    address it comes from; anonymous requests pass (their own throttles count them). The default
    throttle of the API (settings ``REST_FRAMEWORK``)."""

    scope = "api-staff"

    def allow_request(self, request, view) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            self._wait = 0
            return True
        self._wait = limit_hit(self.scope, f"user:{user.pk}")
        return not self._wait
