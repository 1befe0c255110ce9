"""Settings read from the environment: embedded defaults, real services when named, and a
production configuration that refuses to start without its secrets and passes check --deploy."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

BASE_DIR = settings.BASE_DIR
STRONG_KEY = "k3y-" + "Zq9xW2vB7nM4pL8rT1yU6iO0aS5dF3gH" * 2

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.db import connection
mode = None
if connection.vendor == "sqlite":  # only the embedded database is opened by the probe
    with connection.cursor() as c:
        mode = c.execute("PRAGMA journal_mode").fetchone()[0]
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "journal_mode": mode,
    "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"],
    "email": settings.EMAIL_BACKEND,
    "beat": sorted(__import__("config").celery_app.conf.beat_schedule),
}))
"""


def run_python(code: str, env: dict, *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in _SERVICE_VARS}
    return subprocess.run(
        [sys.executable, *(["-c", code] if code else []), *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


_SERVICE_VARS = {
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "EMAIL_URL",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def test_embedded_defaults_need_no_server(tmp_path):
    result = run_python(
        PROBE, {"DJANGO_SETTINGS_MODULE": "config.settings.base", "ADUAN_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["engine"] == "django.db.backends.sqlite3"
    assert probe["name"] == str(tmp_path / "aduan.sqlite3")
    assert probe["journal_mode"] == "wal"
    assert probe["broker"] == "filesystem://"
    assert probe["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert probe["email"] == "django.core.mail.backends.console.EmailBackend"
    assert "heartbeat" in probe["beat"]
    assert (tmp_path / "celery" / "queue").is_dir()


def test_a_retention_period_below_the_minimum_refuses_to_start(tmp_path):
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.base", "ADUAN_VAR_DIR": str(tmp_path)}
    refused = run_python(PROBE, {**env, "ADUAN_RETENTION_ATTACHMENTS_DAYS": "-1"})
    assert refused.returncode != 0
    assert "ADUAN_RETENTION_ATTACHMENTS_DAYS=-1: retention must be at least 90 days" in refused.stderr
    accepted = run_python(PROBE, {**env, "ADUAN_RETENTION_ATTACHMENTS_DAYS": "90"})
    assert accepted.returncode == 0, accepted.stderr


def test_environment_names_the_real_services(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "ADUAN_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://aduan:pw@db.internal:5432/aduan",
        "REDIS_URL": "redis://cache.internal:6379/0",
        "EMAIL_URL": "smtp+tls://mailer:pw@smtp.internal:587",
    }
    result = run_python(PROBE, env)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["engine"] == "django.db.backends.postgresql"
    assert probe["name"] == "aduan"
    # REDIS_URL serves as broker when CELERY_BROKER_URL is not set, and as the cache.
    assert probe["broker"] == "redis://cache.internal:6379/0"
    assert probe["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert probe["email"] == "django.core.mail.backends.smtp.EmailBackend"

    result = run_python(PROBE, {**env, "CELERY_BROKER_URL": "amqp://guest:guest@mq.internal//"})
    assert json.loads(result.stdout.strip().splitlines()[-1])["broker"] == "amqp://guest:guest@mq.internal//"


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "aduan.balikpapan.go.id",
    "DATABASE_URL": "postgres://aduan:pw@db.internal:5432/aduan",
    "CELERY_BROKER_URL": "redis://cache.internal:6379/0",
    "REDIS_URL": "redis://cache.internal:6379/1",
    "EMAIL_URL": "smtp+tls://mailer:pw@smtp.internal:587",
    "ADUAN_SITE_URL": "https://aduan.balikpapan.go.id",
}


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "EMAIL_URL",
        "ADUAN_SITE_URL",
        "REDIS_URL",
    ],
)
def test_production_refuses_to_start_without_its_secrets_and_services(tmp_path, missing):
    env = {**PRODUCTION_ENV, "ADUAN_VAR_DIR": str(tmp_path)}
    del env[missing]
    result = run_python("import django; django.setup(); print('started')", env)
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_check_deploy_reports_no_warnings(tmp_path):
    env = {**PRODUCTION_ENV, "ADUAN_VAR_DIR": str(tmp_path)}
    result = run_python("", env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_every_model_change_has_its_migration():
    out = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if k not in _SERVICE_VARS},
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "No changes detected" in out.stdout


def test_language_and_zone_defaults():
    assert settings.LANGUAGE_CODE == "id"
    assert [code for code, _ in settings.LANGUAGES] == ["id", "en"]
    assert settings.USE_TZ is True


@pytest.mark.parametrize("command", ["load_demo", "generate_synthetic", "serve_embedded"])
def test_production_has_no_demo_or_benchmark_data_commands(tmp_path, command):
    """aduan.devdata is installed by the base and test settings only: under production settings its
    commands do not exist, so the demo (with its public passwords) cannot reach a production database."""
    env = {**PRODUCTION_ENV, "ADUAN_VAR_DIR": str(tmp_path)}
    result = run_python("", env, "manage.py", command, "--help")
    assert result.returncode != 0
    assert f"Unknown command: '{command}'" in result.stderr
    base = run_python("", {"ADUAN_VAR_DIR": str(tmp_path)}, "manage.py", command, "--help")
    assert base.returncode == 0, base.stderr


def test_production_renders_templates_through_the_cached_loader(tmp_path):
    """Django wraps the loaders in the cached loader when DEBUG is off and no loaders are set: a
    template is parsed once per process, not on every page (issue 20 point 2)."""
    code = (
        "import django, json; django.setup(); from django.template import engines; "
        "from aduan.portal.forms import FilingForm; "
        "e = engines['django'].engine; f = FilingForm.default_renderer.engine.engine; "
        "print(json.dumps([e.debug, e.loaders, f.loaders]))"
    )
    result = run_python(code, {**PRODUCTION_ENV, "ADUAN_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    debug, loaders, form_loaders = json.loads(result.stdout.strip().splitlines()[-1])
    assert debug is False
    cached = "django.template.loaders.cached.Loader"
    assert [loader[0] for loader in loaders] == [cached]
    assert {name for name in loaders[0][1]} == {
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    }
    assert [loader[0] for loader in form_loaders] == [cached]
