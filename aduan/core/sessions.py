"""The session engine (SESSION_ENGINE): Django's database sessions, read with a query compiled once
per process (aduan.core.query_shapes) instead of on every request. The same table, the same
encoding and the same expiry: sessions written by Django's engine keep working, and back."""

from datetime import datetime

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from aduan.core.query_shapes import QueryShape

_SESSION = QueryShape(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now)[:1], str, datetime
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        found = list(_SESSION(self.session_key, timezone.now()))
        if found:
            return found[0]
        self._session_key = None  # unknown or expired: a new session, as Django's engine does
        return None
