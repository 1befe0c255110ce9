"""API tokens over HTTP (aduan/api/views/auth.py, aduan.users.twofactor): a new key with its
expiry on every request, an expired key refused with its own translated message while nothing
changes, per-token and all-token revocation, the per-account limit, the same number of queries as
DRF's plain tokens took, Open311's api_key, and keys kept out of the logs."""

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.views.debug import SafeExceptionReporterFilter
from knox.models import AuthToken
from rest_framework.test import APIClient

from aduan.core.log_filters import JsonFormatter, RedactTrackingSecrets
from tests.factories import CategoryFactory, UserFactory, api_token

URL = "/api/v1/auth/token/"
PASSWORD = "rahasia-123"  # tests.factories.UserFactory's

pytestmark = pytest.mark.django_db


def signed_in(key: str, **headers) -> APIClient:
    client = APIClient(**headers)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def expire(key: str) -> None:
    AuthToken.objects.filter(token_key=key[:15]).update(expiry=timezone.now() - timedelta(minutes=1))


def snapshot(user) -> tuple:
    user.refresh_from_db()
    tokens = sorted(AuthToken.objects.values_list("digest", "user_id", "created", "expiry"))
    return tokens, user.last_login, user.password


def test_asking_issues_a_new_key_with_its_expiry_not_cached(api):
    user = UserFactory(email="integrasi@example.id")

    first = api.post(URL, {"email": "integrasi@example.id", "password": PASSWORD}, format="json")
    second = api.post(URL, {"email": "integrasi@example.id", "password": PASSWORD}, format="json")

    assert first.status_code == second.status_code == 200
    assert first["Cache-Control"] == "no-store"
    body = first.json()
    assert set(body) == {"token", "expiry"}
    expiry = timezone.datetime.fromisoformat(body["expiry"])
    assert timedelta(days=89, hours=23) < expiry - timezone.now() <= timedelta(days=90)
    assert body["token"] != second.json()["token"]  # a new key each time, the old one kept
    assert signed_in(body["token"]).get("/api/v1/me/").json()["email"] == user.email
    assert signed_in(second.json()["token"]).get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("id", "Token API sudah kedaluwarsa: minta token baru (POST /api/v1/auth/token/)."),
        ("en", "The API token has expired: ask for a new one (POST /api/v1/auth/token/)."),
    ],
)
def test_an_expired_key_gets_401_with_its_own_message_and_nothing_changes(language, message):
    user = UserFactory()
    key = api_token(user)
    expire(key)
    before = snapshot(user)

    response = signed_in(key, HTTP_ACCEPT_LANGUAGE=language).get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json() == {"code": "token_expired", "message": message}
    assert response["WWW-Authenticate"] == "Token"
    assert snapshot(user) == before  # the token is kept (not deleted, not renewed)


def test_an_unknown_key_gets_the_usual_401(api):
    response = signed_in("aduan_" + "ab" * 32).get("/api/v1/me/")

    assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")


def test_a_header_that_is_no_ascii_gets_401_not_500():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token kunci-\u00e9")

    assert client.get("/api/v1/me/").status_code == 401


def test_an_inactive_users_key_is_refused():
    user = UserFactory()
    key = api_token(user)
    type(user).objects.filter(pk=user.pk).update(is_active=False)

    assert signed_in(key).get("/api/v1/me/").status_code == 401


def test_delete_revokes_the_key_it_is_sent_with_and_only_that_one():
    user, other = UserFactory(), UserFactory()
    used, spare, others = api_token(user), api_token(user), api_token(other)

    assert signed_in(used).delete(URL).status_code == 204

    assert signed_in(used).get("/api/v1/me/").status_code == 401
    assert signed_in(spare).get("/api/v1/me/").status_code == 200
    assert signed_in(others).get("/api/v1/me/").status_code == 200


def test_delete_all_revokes_every_key_of_the_account():
    user, other = UserFactory(), UserFactory()
    used, spare, others = api_token(user), api_token(user), api_token(other)

    assert signed_in(used).delete(f"{URL}?all=true").status_code == 204

    assert signed_in(used).get("/api/v1/me/").status_code == 401
    assert signed_in(spare).get("/api/v1/me/").status_code == 401
    assert signed_in(others).get("/api/v1/me/").status_code == 200


def test_delete_with_a_session_revokes_every_key(api):
    user = UserFactory()
    keys = [api_token(user), api_token(user)]
    api.force_login(user)

    assert api.delete(URL).status_code == 204

    assert not AuthToken.objects.filter(user=user).exists()
    assert all(signed_in(key).get("/api/v1/me/").status_code == 401 for key in keys)


def test_a_bad_all_flag_is_refused_and_revokes_nothing():
    user = UserFactory()
    key = api_token(user)

    response = signed_in(key).delete(f"{URL}?all=kadang")

    assert (response.status_code, response.json()["field"]) == (400, "all")
    assert signed_in(key).get("/api/v1/me/").status_code == 200


def test_the_eleventh_unexpired_key_is_refused_and_nothing_is_issued(api):
    user = UserFactory(email="penuh@example.id")
    for _ in range(10):
        api_token(user)
    before = snapshot(user)

    refused = api.post(URL, {"email": "penuh@example.id", "password": PASSWORD}, format="json")

    assert refused.status_code == 400
    assert refused.json()["code"] == "token_limit_reached"
    assert "token" not in refused.json()
    assert snapshot(user) == before


def test_a_token_request_costs_what_it_cost_with_drfs_plain_tokens():
    """3 queries for ``me``: the token with its user, the two-factor requirement (read with the
    roles), the memberships it lists (the same as rest_framework.authtoken took; knox's own
    authentication would add one per request)."""
    client = signed_in(api_token(UserFactory()))
    client.get("/api/v1/me/")

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me/").status_code == 200

    assert len(queries) == 3
    assert "knox_authtoken" in queries[0]["sql"]
    assert "users_user" in queries[0]["sql"]


def test_open311_refuses_an_expired_api_key_with_the_reason(client, world):
    category = CategoryFactory(pemda=world.pemda, default_opd=world.opd)
    key = api_token(world.koordinator)
    expire(key)

    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": f"{world.pemda.code}-{category.pk}-{world.opd.pk}",
            "lat": "-1.2650",
            "long": "116.8310",
            "description": "Lampu jalan mati.",
        },  # fmt: skip
    )

    assert response.status_code == 403
    assert "kedaluwarsa" in response.json()[0]["description"]


def test_keys_stay_out_of_the_logs(caplog, api):
    user = UserFactory(email="log@example.id")
    caplog.set_level(logging.DEBUG)
    issued = api.post(URL, {"email": "log@example.id", "password": PASSWORD}, format="json").json()["token"]
    expired = api_token(user)
    expire(expired)
    signed_in(expired).get("/api/v1/me/")  # a 401, logged by django.request
    signed_in(issued).get("/api/v1/staff/complaints/999999/")  # a 404, logged too
    assert caplog.records

    redact, json_format = RedactTrackingSecrets(), JsonFormatter()
    for record in caplog.records:
        redact.filter(record)
        for text in (logging.Formatter().format(record), json_format.format(record)):
            assert issued not in text
            assert expired not in text
    # A message that quotes a key anyway, and the headers of an error e-mail (ADMINS).
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "got Token %s", (expired,), None)
    redact.filter(record)
    assert expired not in record.getMessage()
    request = RequestFactory().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {issued}")
    assert issued not in str(SafeExceptionReporterFilter().get_safe_request_meta(request))
