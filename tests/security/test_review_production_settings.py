"""Security review: production refuses the repository's development secret key (and any key that
says it is a placeholder) and the e-mail backends that deliver nothing (console, file, memory,
dummy). Each runs config.settings.production in its own process, like tests/core/test_settings.py."""

import pytest

from tests.core.test_settings import PRODUCTION_ENV, run_python

STARTS = "import django; django.setup(); print('started')"


def base_default_secret_key() -> str:
    """The default SECRET_KEY of config/settings/base.py, read from base itself (no copy here)."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    result = run_python("from django.conf import settings; print(settings.SECRET_KEY)", env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def start_production(tmp_path, **overrides) -> tuple[bool, str]:
    env = {**PRODUCTION_ENV, "ADUAN_VAR_DIR": str(tmp_path), **overrides}
    result = run_python(STARTS, env)
    return result.returncode == 0 and "started" in result.stdout, result.stderr


def test_production_refuses_the_base_settings_default_key(tmp_path):
    default = base_default_secret_key()
    assert len(default) > 20  # a real key was read, not an empty line

    started, stderr = start_production(tmp_path, SECRET_KEY=default)

    assert not started
    assert "ImproperlyConfigured" in stderr
    assert "SECRET_KEY" in stderr
    assert default not in stderr  # the message names the problem, not the key


@pytest.mark.parametrize(
    "key",
    [
        "django-insecure-" + "q8w7e6r5t4y3u2i1o0p9a8s7d6f5g4h3j2k1l0z9x8c7v6",
        "please-CHANGE-ME-" + "Zq9xW2vB7nM4pL8rT1yU6iO0aS5dF3gH" * 2,
        "Zq9xW2vB7nM4pL8rT1yU6iO0aS5dF3gH-Insecure-" + "k3y" * 10,
    ],
)
def test_production_refuses_a_placeholder_key(tmp_path, key):
    started, stderr = start_production(tmp_path, SECRET_KEY=key)

    assert not started
    assert "ImproperlyConfigured" in stderr
    assert "SECRET_KEY" in stderr


def test_production_check_deploy_fails_with_the_default_key(tmp_path):
    env = {**PRODUCTION_ENV, "ADUAN_VAR_DIR": str(tmp_path), "SECRET_KEY": base_default_secret_key()}
    result = run_python("", env, "manage.py", "check", "--deploy")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


@pytest.mark.parametrize(
    "email_url", ["consolemail://", "filemail:///tmp/aduan-mail", "memorymail://", "dummymail://"]
)
def test_production_refuses_an_e_mail_backend_that_delivers_nothing(tmp_path, email_url):
    started, stderr = start_production(tmp_path, EMAIL_URL=email_url)

    assert not started
    assert "ImproperlyConfigured" in stderr
    assert "EMAIL_URL" in stderr


def test_production_starts_with_a_real_key_and_smtp(tmp_path):
    started, stderr = start_production(tmp_path)
    assert started, stderr
