"""Test settings: base made fast and deterministic.

DATABASE_URL (PostgreSQL in CI) and REDIS_URL are honoured; without them the suite runs on SQLite.
Tests that need a real service are marked ``postgres`` / ``redis`` (see tests/conftest.py).
"""

from .base import *  # noqa: F403

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
