"""The throttle's counter on Redis (production's cache): one round trip per hit, the same counts,
window and expiry as Django's add() and incr() on any other cache, and a Redis that does not
answer lets the request through."""

import os
import uuid

import pytest
from django.core.cache import cache

from aduan.core.throttle import throttle_hit, throttle_wait

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_cache(settings):
    backend = "django.core.cache.backends.redis.RedisCache"
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": os.environ["REDIS_URL"]}}
    scope = f"test-{uuid.uuid4().hex}"
    yield scope
    cache.delete_many([k.decode().split(":", 2)[2] for k in cache._cache.get_client().keys(f"*{scope}*")])


def test_a_client_is_let_through_up_to_the_limit_then_told_how_long_to_wait(redis_cache):
    hit = {"scope": redis_cache, "key": "k1", "limit": 3, "window_seconds": 3600}
    assert [throttle_hit(**hit) for _ in range(2)] == [0, 0]
    assert throttle_wait(**hit) == 0
    assert throttle_hit(**hit) == 0
    assert 0 < throttle_wait(**hit) <= 3600  # the allowance is used up
    assert 0 < throttle_hit(**hit) <= 3600
    assert throttle_hit(**{**hit, "key": "k2"}) == 0  # another client has its own counter


def test_the_counter_is_a_plain_number_that_expires_after_its_window(redis_cache):
    throttle_hit(scope=redis_cache, key="k1", limit=5, window_seconds=60)
    throttle_hit(scope=redis_cache, key="k1", limit=5, window_seconds=60)
    client = cache._cache.get_client()
    [full_key] = client.keys(f"*throttle:{redis_cache}:k1:*")
    assert cache.get(full_key.decode().split(":", 2)[2]) == 2  # Django's cache reads what was counted
    assert 0 < client.ttl(full_key) <= 65


def test_a_redis_that_does_not_answer_lets_the_request_through(settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    assert throttle_hit(scope="file", key="k1", limit=1, window_seconds=3600) == 0
    assert throttle_hit(scope="file", key="k1", limit=1, window_seconds=3600) == 0
    assert "throttle cache unreachable" in caplog.text
