"""Production strictness (issue 19, point 4): REDIS_URL required (tests/core/test_settings.py
lists it with the other services), STATIC_ROOT and the upload storage from the environment, and
nothing written to disk when the settings load."""

import json

from tests.core.test_settings import PRODUCTION_ENV, run_python

STORAGE_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
default_storage = storages["default"]
print(json.dumps({
    "storage": type(default_storage).__module__ + "." + type(default_storage).__name__,
    "bucket": getattr(default_storage, "bucket_name", None),
    "endpoint": getattr(default_storage, "endpoint_url", None),
    "acl": getattr(default_storage, "default_acl", None),
    "overwrite": getattr(default_storage, "file_overwrite", None),
    "static_root": str(settings.STATIC_ROOT),
    "cache": settings.CACHES["default"]["BACKEND"],
}))
"""


def probe(env):
    result = run_python(STORAGE_PROBE, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_loads_without_writing_to_disk(tmp_path):
    var = tmp_path / "var"  # does not exist: as on a read-only file system, nothing may create it
    out = probe({**PRODUCTION_ENV, "ADUAN_VAR_DIR": str(var), "STATIC_ROOT": str(tmp_path / "static")})
    assert out["storage"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert out["static_root"] == str(tmp_path / "static")
    assert out["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert not var.exists()
    assert not (tmp_path / "static").exists()


def test_uploads_go_to_an_s3_compatible_bucket_when_configured(tmp_path):
    env = {
        **PRODUCTION_ENV,
        "ADUAN_VAR_DIR": str(tmp_path),
        "ADUAN_MEDIA_STORAGE": "s3",
        "ADUAN_S3_BUCKET": "aduan-balikpapan",
        "ADUAN_S3_ENDPOINT_URL": "https://minio.balikpapan.go.id",
        "ADUAN_S3_ACCESS_KEY_ID": "aduan",
        "ADUAN_S3_SECRET_ACCESS_KEY": "s3cr3t-key-for-the-probe",
    }
    out = probe(env)
    assert out["storage"] == "storages.backends.s3.S3Storage"
    assert out["bucket"] == "aduan-balikpapan"
    assert out["endpoint"] == "https://minio.balikpapan.go.id"
    assert out["acl"] == "private"
    assert out["overwrite"] is False


def test_a_bucket_storage_without_a_bucket_or_an_unknown_storage_refuses_to_start(tmp_path):
    env = {**PRODUCTION_ENV, "ADUAN_VAR_DIR": str(tmp_path)}
    no_bucket = run_python(STORAGE_PROBE, {**env, "ADUAN_MEDIA_STORAGE": "s3"})
    assert no_bucket.returncode != 0
    assert "ADUAN_MEDIA_STORAGE=s3 needs ADUAN_S3_BUCKET" in no_bucket.stderr
    unknown = run_python(STORAGE_PROBE, {**env, "ADUAN_MEDIA_STORAGE": "ftp"})
    assert unknown.returncode != 0
    assert "ADUAN_MEDIA_STORAGE=ftp: use 'filesystem' or 's3'" in unknown.stderr
