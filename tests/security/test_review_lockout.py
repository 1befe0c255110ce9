"""Security review: the sign-in lockout counts per account, not per spelling of its e-mail.

Django's sign-in form applies NFKC before looking the user up, so "ｐetugas@…" (a full-width p)
signs in as "petugas@…". Every spelling that reaches the same account shares one budget of five
failures, and a locked account refuses every spelling on every sign-in door."""

import pytest
from django.contrib.auth import SESSION_KEY
from knox.models import AuthToken
from rest_framework.test import APIClient

from aduan.users.lockout import account_key
from tests.factories import UserFactory

PASSWORD = "rahasia-123"


def full_width(text: str) -> str:
    """ASCII letters as their full-width forms (NFKC folds them back)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalpha() else c for c in text)


def spellings(email: str) -> list[str]:
    local, domain = email.split("@")
    return [
        full_width(local) + "@" + domain,
        email.upper(),
        f"  {email}  ",
        full_width(email.upper()),
    ]


@pytest.fixture
def admin(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_every_spelling_has_the_same_key(admin):
    keys = {account_key(spelling) for spelling in spellings(admin.email)}
    assert keys == {account_key(admin.email)}


def test_a_full_width_spelling_signs_in_as_the_account(client, admin):
    # The premise: authentication folds the variant, so the lockout must too.
    response = client.post("/staf/masuk/", {"username": spellings(admin.email)[0], "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(admin.pk)


@pytest.mark.parametrize("door", ["/staf/masuk/", "/admin/login/"])
def test_spellings_share_one_budget_of_five(client, admin, door):
    variants = spellings(admin.email)
    for spelling in [*variants, admin.email]:  # five failures, each under another spelling but the last
        wrong = client.post(door, {"username": spelling, "password": "salah"})
        assert wrong.status_code == 200

    locked = client.post(door, {"username": variants[0], "password": PASSWORD})

    assert locked.status_code == 429
    assert SESSION_KEY not in client.session
    admin.refresh_from_db()
    assert admin.last_login is None


def test_a_locked_account_refuses_every_spelling_everywhere(client, admin):
    for spelling in spellings(admin.email)[:1] * 5:  # locked through the full-width spelling only
        assert client.post("/staf/masuk/", {"username": spelling, "password": "salah"}).status_code == 200

    for spelling in [admin.email, *spellings(admin.email)]:
        for door in ("/staf/masuk/", "/admin/login/"):
            response = client.post(door, {"username": spelling, "password": PASSWORD})
            assert response.status_code == 429, (door, spelling)
            assert SESSION_KEY not in client.session
        api = APIClient()
        token = api.post("/api/v1/auth/token/", {"email": spelling, "password": PASSWORD}, format="json")
        assert token.status_code == 400, spelling
        assert "token" not in token.json()
    assert not AuthToken.objects.filter(user=admin).exists()
    admin.refresh_from_db()
    assert admin.last_login is None


def test_api_failures_under_another_spelling_lock_the_web_sign_in(client, admin):
    api = APIClient()
    for _ in range(5):
        wrong = api.post(
            "/api/v1/auth/token/", {"email": admin.email.upper(), "password": "salah"}, format="json"
        )
        assert wrong.status_code == 400

    locked = client.post("/staf/masuk/", {"username": spellings(admin.email)[0], "password": PASSWORD})

    assert locked.status_code == 429
    assert SESSION_KEY not in client.session
