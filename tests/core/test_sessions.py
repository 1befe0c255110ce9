"""Production's session engine (aduan/core/sessions.py) on the real Redis: a session is read from
the cache without a query and kept in PostgreSQL too, so it outlives a cache that lost it; with
Redis unreachable, sessions are saved, read and ended from the database alone."""

import os
import uuid

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aduan.core.sessions import SessionStore

pytestmark = [pytest.mark.redis, pytest.mark.django_db]
UNREACHABLE = "redis://127.0.0.1:1/0"


def _cache(settings, location: str) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    settings.SESSION_ENGINE = "aduan.core.sessions"


@pytest.fixture
def redis_sessions(settings):
    _cache(settings, os.environ["REDIS_URL"])


def _saved(**data) -> SessionStore:
    store = SessionStore()
    store.update(data)
    store.save(must_create=True)
    return store


def test_a_session_is_read_from_redis_without_a_query_and_kept_in_postgresql(
    redis_sessions, django_assert_num_queries
):
    mark = uuid.uuid4().hex
    store = _saved(mark=mark)
    assert Session.objects.get(session_key=store.session_key).get_decoded() == {"mark": mark}
    with django_assert_num_queries(0):
        assert SessionStore(store.session_key).load() == {"mark": mark}
        assert SessionStore().exists(store.session_key)


def test_a_session_the_cache_lost_is_read_from_postgresql_and_cached_again(
    redis_sessions, django_assert_num_queries
):
    store = _saved(mark="kept")
    store._cache.delete(store.cache_key)  # Redis restarted without its data
    with django_assert_num_queries(1):
        assert SessionStore(store.session_key).load() == {"mark": "kept"}
    with django_assert_num_queries(0):
        assert SessionStore(store.session_key).load() == {"mark": "kept"}


def test_a_session_ended_is_gone_from_both(redis_sessions):
    store = _saved(mark="bye")
    key = store.session_key
    store.flush()
    assert not Session.objects.filter(session_key=key).exists()
    assert store._cache.get(SessionStore.cache_key_prefix + key) is None
    assert SessionStore(key).load() == {}
    assert not SessionStore().exists(key)


def test_with_redis_unreachable_sessions_are_saved_read_and_ended_in_postgresql(settings, caplog):
    _cache(settings, UNREACHABLE)
    store = _saved(mark="no cache")  # Django's own save already tolerates the cache failing
    key = store.session_key
    assert SessionStore(key).load() == {"mark": "no cache"}
    assert SessionStore().exists(key)
    store.flush()
    assert not Session.objects.filter(session_key=key).exists()
    assert SessionStore(key).load() == {}
    assert "session cache unreachable" in caplog.text


def test_a_staff_page_reads_its_session_from_redis_and_works_without_it(settings, client, petugas):
    _cache(settings, os.environ["REDIS_URL"])
    client.force_login(petugas)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/staf/kotak-masuk/").status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]

    _cache(settings, UNREACHABLE)  # the same signed-in officer while Redis is down
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/staf/kotak-masuk/").status_code == 200
    assert [q for q in queries.captured_queries if "django_session" in q["sql"]]
