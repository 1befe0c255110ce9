"""Lockouts are logged (logger ``aduan.users.lockout``) as docs/breach-response.md tells staff to
look for them: the lock itself, then each refused attempt, naming the account by its user id and
the client by a hash; never the e-mail typed or the password."""

import logging

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("complaints:staff-login")
PASSWORD = "rahasia-123"


def _records(caplog):
    return [r for r in caplog.records if r.name == "aduan.users.lockout"]


def test_the_fifth_wrong_password_locks_and_logs_once_then_refusals_are_logged(client, caplog):
    user = UserFactory(email="petugas.dpu@example.id")
    caplog.set_level(logging.INFO, logger="aduan.users.lockout")
    for _ in range(4):
        client.post(LOGIN, {"username": user.email, "password": "salah-sekali"})
    assert _records(caplog) == []  # wrong passwords alone are not an incident

    client.post(LOGIN, {"username": user.email, "password": "salah-sekali"})
    locked = _records(caplog)
    assert [r.levelname for r in locked] == ["WARNING"]
    assert f"sign-in lockout: user_id={user.pk} locked" in locked[0].getMessage()

    refused = client.post(LOGIN, {"username": user.email, "password": PASSWORD})
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session  # the right password changed nothing
    messages = [r.getMessage() for r in _records(caplog)]
    assert len(messages) == 2
    assert messages[1].startswith(f"sign-in refused: user_id={user.pk} locked")
    for record in caplog.records:
        assert user.email not in record.getMessage()
        assert PASSWORD not in record.getMessage()


def test_an_unknown_account_is_logged_without_the_typed_address(client, caplog):
    caplog.set_level(logging.INFO, logger="aduan.users.lockout")
    for _ in range(5):
        client.post(LOGIN, {"username": "tebakan@example.id", "password": "salah"})
    messages = [r.getMessage() for r in _records(caplog)]
    assert len(messages) == 1
    assert "unknown account" in messages[0]
    assert "tebakan" not in messages[0]


def test_api_token_refusals_of_a_locked_account_are_logged(caplog):
    user = UserFactory()
    api = APIClient()
    caplog.set_level(logging.INFO, logger="aduan.users.lockout")
    url = reverse("api:token")
    for _ in range(5):
        assert api.post(url, {"email": user.email, "password": "salah"}, format="json").status_code == 400
    response = api.post(url, {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 400
    messages = [r.getMessage() for r in _records(caplog)]
    assert messages[0].startswith(f"sign-in lockout: user_id={user.pk}")
    assert messages[-1].startswith(f"sign-in refused: user_id={user.pk} locked")
