"""Revoking API tokens (aduan.users.tokens) and the ``api_token`` command that uses it."""

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from aduan.users.tokens import api_tokens_revoke
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_revoking_deletes_only_that_users_token():
    user, other = UserFactory(), UserFactory()
    Token.objects.create(user=user)
    kept = Token.objects.create(user=other)
    assert api_tokens_revoke(user) == 1
    assert not Token.objects.filter(user=user).exists()
    assert list(Token.objects.values_list("key", flat=True)) == [kept.key]
    assert api_tokens_revoke(user) == 0  # nothing left to revoke


def test_the_command_prints_then_revokes_the_token():
    user = UserFactory(email="petugas@example.id")
    out = io.StringIO()
    call_command("api_token", "PETUGAS@example.id", stdout=out)
    key = out.getvalue().strip()
    assert Token.objects.get(user=user).key == key
    out = io.StringIO()
    call_command("api_token", "petugas@example.id", "--revoke", stdout=out)
    assert out.getvalue().strip() == "Token revoked."
    assert not Token.objects.filter(user=user).exists()
    out = io.StringIO()
    call_command("api_token", "petugas@example.id", "--revoke", stdout=out)
    assert out.getvalue().strip() == "The user had no token."


def test_the_command_refuses_an_unknown_user_and_changes_nothing():
    Token.objects.create(user=UserFactory())
    with pytest.raises(CommandError, match="No active user"):
        call_command("api_token", "nobody@example.id", "--revoke", stdout=io.StringIO())
    assert Token.objects.count() == 1
