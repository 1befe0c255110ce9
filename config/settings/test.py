"""Test settings: base made fast and deterministic.

DATABASE_URL (PostgreSQL in CI) and REDIS_URL are honoured; without them the suite runs on SQLite.
Tests that need a real service are marked ``postgres`` / ``redis`` (see tests/conftest.py).
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = True
LANGUAGE_CODE = "id"
ADUAN_PUBLIC_STATS_CACHE_SECONDS = 0  # tests see fresh figures; test_public_stats checks the cache
ADUAN_METRICS_CACHE_SECONDS = 0  # tests see fresh figures; test_metrics_cache checks the cache
# No scanner from the developer's environment: tests/uploads/ switch to their own clamd.
ADUAN_UPLOAD_SCANNER = "aduan.core.scanning.NoScanner"
# Reads on a replica (tests/replica/, marker ``replica``): the alias "replica" reads the primary's
# test database through the streaming replica of .ci/replica.sh (port 5433), or
# DATABASE_REPLICA_URL when set; TEST MIRROR: Django makes no database there, it only points the
# alias at the primary's test database name. Reads stay on the primary in every other test (they
# run inside transactions the replica never sees): those tests switch ADUAN_REPLICA_READS on.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and "replica" not in DATABASES:  # noqa: F405
    DATABASES["replica"] = {  # noqa: F405
        **DATABASES["default"],  # noqa: F405
        "PORT": env.int("ADUAN_TEST_REPLICA_PORT", default=5433),
        "OPTIONS": {"connect_timeout": 3},
        "TEST": {"MIRROR": "default"},
    }
ADUAN_REPLICA_READS = False
# WhiteNoise warns "No directory at …" each time a handler starts when STATIC_ROOT is missing (about
# 1,100 warnings a run): the tests never collect static files, an empty folder silences it.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
