"""Sessions read from the shared cache and kept in PostgreSQL: Django's ``cached_db`` engine, made
to carry on when the cache is unreachable (settings: SESSION_ENGINE, chosen when REDIS_URL is set).

Every staff page reads its session. From PostgreSQL that is a query and a signature check of the
stored data; from Redis it is one GET: 1.2-1.4 ms less server time per complaint page at
`national` (bench/README.md, ninth pass). Writes go to both, so a session outlives a Redis restart.

Django's engine already falls back to the database when reading the cache fails, but then fails
the request while putting the row back in the cache, and on ``exists`` and ``delete``. A broken
cache must not sign every officer out or lock citizens out of their drafts (as with the throttles,
aduan/core/throttle.py): here each cache step that fails is logged and the database answers.
"""

import logging

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DBStore

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.warning("session cache unreachable; read from the database", exc_info=True)
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except Exception:
            logger.warning("session cache unreachable; not cached", exc_info=True)
        return data

    def exists(self, session_key):
        if not session_key:
            return False
        try:
            if (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.warning("session cache unreachable; asked the database", exc_info=True)
        return DBStore.exists(self, session_key)

    def delete(self, session_key=None):
        DBStore.delete(self, session_key)
        session_key = session_key or self.session_key
        if session_key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:
            # The row is gone, so a cache that comes back empty cannot revive the session; one that
            # kept its data (persistence) could until the entry expires (SESSION_COOKIE_AGE).
            logger.error("session cache unreachable; a signed-out session stays cached", exc_info=True)
