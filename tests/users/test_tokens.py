"""API tokens at rest (aduan.users.tokens): issued with an expiry, stored only as a digest, found
in one query, revoked per token or all at once (the ``api_token`` command, a password change),
and the migration that hashed the old plain-text ``rest_framework.authtoken`` keys."""

import importlib
import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from aduan.users.tokens import (
    TokenExpired,
    TokenInvalid,
    TokenLimitReached,
    api_token_find,
    api_token_issue,
    api_tokens_revoke,
)
from tests.core.test_settings import run_python
from tests.factories import UserFactory, api_token

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("aduan.users.migrations.0003_api_tokens_hashed")


def works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/me/").status_code == 200


def table_text() -> str:
    """Every column of every row of the token table, as text."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM knox_authtoken")
        return "\n".join(str(value) for row in cursor.fetchall() for value in row)


def test_an_issued_key_works_expires_in_ninety_days_and_is_not_stored():
    user = UserFactory()
    before = timezone.now()

    key, expiry = api_token_issue(user)

    assert key.startswith("aduan_")
    assert len(key) == 6 + 64
    assert int(key[6:], 16) >= 0  # hexadecimal
    assert before + timedelta(days=90) <= expiry <= timezone.now() + timedelta(days=90)
    assert works(key)
    stored = table_text()
    assert key not in stored
    assert key[15:] not in stored  # beyond the shown prefix, not a single run of the secret
    assert AuthToken.objects.get(user=user).token_key == key[:15]


@override_settings(REST_KNOX={"TOKEN_TTL": timedelta(days=7), "TOKEN_PREFIX": "aduan_"})
def test_the_lifetime_follows_the_setting():
    _key, expiry = api_token_issue(UserFactory())

    assert timedelta(days=6, hours=23) < expiry - timezone.now() <= timedelta(days=7)


def test_each_request_issues_another_key_up_to_the_limit():
    user = UserFactory()
    keys = {api_token_issue(user)[0] for _ in range(10)}
    assert len(keys) == 10

    with pytest.raises(TokenLimitReached) as refused:
        api_token_issue(user)

    assert "10" in str(refused.value)
    assert AuthToken.objects.filter(user=user).count() == 10
    assert all(works(key) for key in keys)


def test_expired_tokens_are_cleared_when_the_owner_gets_a_new_one():
    user, other = UserFactory(), UserFactory()
    for _ in range(10):
        api_token_issue(user)
    others = api_token(other)
    AuthToken.objects.filter(user__in=[user, other]).update(expiry=timezone.now() - timedelta(seconds=1))

    key, _expiry = api_token_issue(user)  # the limit counts unexpired tokens only

    assert AuthToken.objects.filter(user=user).count() == 1
    assert works(key)
    assert AuthToken.objects.filter(user=other).count() == 1  # another user's are left alone
    with pytest.raises(TokenExpired):
        api_token_find(others)


@pytest.mark.parametrize("key", ["", "aduan_" + "0" * 64, "x" * 500, b"\xe9t\xe9"])
def test_unknown_or_malformed_keys_are_invalid(key):
    api_token(UserFactory())

    with pytest.raises(TokenInvalid):
        api_token_find(key)


def test_revoking_deletes_only_that_users_tokens():
    user, other = UserFactory(), UserFactory()
    mine = [api_token(user), api_token(user)]
    kept = api_token(other)

    assert api_tokens_revoke(user) == 2

    assert not AuthToken.objects.filter(user=user).exists()
    assert not any(works(key) for key in mine)
    assert works(kept)
    assert api_tokens_revoke(user) == 0  # nothing left to revoke


def test_a_new_password_revokes_the_tokens():
    user, other = UserFactory(), UserFactory()
    key, kept = api_token(user), api_token(other)
    user.full_name = "Nama Baru"
    user.save()
    assert works(key)  # saving without a new password keeps them

    user.set_password("kata-sandi-baru-456")
    user.save()

    assert not works(key)
    assert works(kept)


def test_the_command_prints_a_new_key_once_then_revokes_every_token():
    user = UserFactory(email="petugas@example.id")
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", "PETUGAS@example.id", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert works(key)
    assert key not in table_text()
    assert "Valid until" in err.getvalue()
    api_token(user)

    out = io.StringIO()
    call_command("api_token", "petugas@example.id", "--revoke", stdout=out)

    assert out.getvalue().strip() == "2 token(s) revoked."
    assert not AuthToken.objects.filter(user=user).exists()
    assert not works(key)
    out = io.StringIO()
    call_command("api_token", "petugas@example.id", "--revoke", stdout=out)
    assert out.getvalue().strip() == "The user had no token."


def test_the_command_refuses_an_unknown_user_or_a_full_account_and_changes_nothing():
    user = UserFactory(email="penuh@example.id")
    for _ in range(10):
        api_token(user)
    with pytest.raises(CommandError, match="No active user"):
        call_command("api_token", "nobody@example.id", "--revoke", stdout=io.StringIO())
    with pytest.raises(CommandError, match="10"):
        call_command("api_token", "penuh@example.id", stdout=io.StringIO(), stderr=io.StringIO())
    assert AuthToken.objects.count() == 10


# ---------------------------------------------------------------- the old plain-text tokens


def legacy_table(rows):
    """The table ``rest_framework.authtoken`` left in a database created before migration 0003."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz NOT NULL,"
            " user_id bigint NOT NULL UNIQUE REFERENCES users_user (id))"
        )
        for key, user, created in rows:
            cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [key, created, user.pk])


def migrate_legacy() -> int:
    with connection.schema_editor() as editor:
        return MIGRATION.legacy_tokens_hash(apps, editor)


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor refuses an open transaction
def test_an_old_plain_key_keeps_working_after_the_migration_until_it_expires():
    user, other = UserFactory(), UserFactory()
    old, other_old = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "1f2e3d4c5b6a79880706f5e4d3c2b1a098765432"
    issued = timezone.now() - timedelta(days=400)
    legacy_table([(old, user, issued), (other_old, other, issued)])

    assert migrate_legacy() == 2

    assert "authtoken_token" not in connection.introspection.table_names()  # plain keys gone
    stored = table_text()
    assert old not in stored
    assert other_old not in stored
    token = api_token_find(old)
    assert token.user == user
    assert token.created == issued
    assert timedelta(days=89) < token.expiry - timezone.now() <= timedelta(days=90)
    assert works(old)
    assert works(other_old)
    AuthToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert not works(old)
    api_tokens_revoke(other)
    assert not works(other_old)


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor refuses an open transaction
def test_the_migration_does_nothing_on_a_database_without_the_old_table():
    key = api_token(UserFactory())

    assert migrate_legacy() == 0

    assert AuthToken.objects.count() == 1
    assert works(key)


def test_the_admin_lists_and_deletes_tokens_but_never_issues_one(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    key = api_token(UserFactory(email="integrasi@example.id"))
    token = AuthToken.objects.get()
    client.force_login(admin_user)

    listing = client.get("/admin/knox/authtoken/")

    assert listing.status_code == 200
    assert key[:15] in listing.content.decode()
    assert key not in listing.content.decode()
    assert client.get("/admin/knox/authtoken/add/").status_code == 403
    deleted = client.post(f"/admin/knox/authtoken/{token.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not works(key)


def test_the_lifetime_and_the_limit_come_from_the_environment(tmp_path):
    probe = (
        "import django; django.setup(); from django.conf import settings; "
        "from knox.settings import knox_settings; "
        "print(knox_settings.TOKEN_TTL.days, settings.ADUAN_API_TOKEN_LIMIT, knox_settings.TOKEN_PREFIX)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.base", "ADUAN_VAR_DIR": str(tmp_path)}

    default = run_python(probe, env)
    chosen = run_python(probe, {**env, "ADUAN_API_TOKEN_TTL_DAYS": "30", "ADUAN_API_TOKEN_LIMIT": "3"})
    refused = run_python(probe, {**env, "ADUAN_API_TOKEN_TTL_DAYS": "0"})

    assert default.stdout.split() == ["90", "10", "aduan_"], default.stderr
    assert chosen.stdout.split() == ["30", "3", "aduan_"], chosen.stderr
    assert refused.returncode != 0
    assert "ADUAN_API_TOKEN_TTL_DAYS and ADUAN_API_TOKEN_LIMIT must be at least 1" in refused.stderr


def test_deactivating_an_account_revokes_its_tokens_for_good():
    """An inactive account's tokens are refused, and they do not come back with the account."""
    user, other = UserFactory(), UserFactory()
    key, kept = api_token(user), api_token(other)
    user.is_active = False
    user.save()
    assert not AuthToken.objects.filter(user=user).exists()
    user.is_active = True
    user.save()
    assert not works(key)
    assert works(kept)
    assert works(api_token(user))  # a new one works


def test_the_nightly_purge_deletes_tokens_expired_long_ago_only():
    from aduan.users.tasks import tokens_purge
    from aduan.users.tokens import EXPIRED_KEPT_DAYS

    user = UserFactory()
    now = timezone.now()
    live = api_token(user)
    recent, old = api_token(user), api_token(user)
    AuthToken.objects.filter(digest=api_token_find(recent).digest).update(expiry=now - timedelta(days=1))
    old_digest = api_token_find(old).digest
    AuthToken.objects.filter(digest=old_digest).update(
        expiry=now - timedelta(days=EXPIRED_KEPT_DAYS, seconds=1)
    )

    assert tokens_purge() == 1  # as beat calls it

    assert not AuthToken.objects.filter(digest=old_digest).exists()
    with pytest.raises(TokenExpired):  # an expired token still says so for a while
        api_token_find(recent)
    assert works(live)
    assert tokens_purge() == 0
    from config.celery import app

    assert app.conf.beat_schedule["users-tokens-purge"]["task"] == "aduan.users.tasks.tokens_purge"
