"""API tokens and two-factor: a token needs the TOTP code of a user who enrolled, and a user whose
Pemda requires two-factor gets no token before enrolling. A refusal issues no token."""

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import MembershipFactory, OpdFactory, PemdaFactory, UserFactory, api_token

from .test_two_factor import PASSWORD, _no_device_throttle, code_for, enrolled  # noqa: F401

URL = "/api/v1/auth/token/"


@pytest.fixture
def api():
    return APIClient()


def ask(api, user, **extra):
    return api.post(URL, {"email": user.email, "password": PASSWORD, **extra}, format="json")


@pytest.mark.django_db
def test_an_enrolled_user_needs_the_code_for_a_token(api):
    user = UserFactory()
    device = enrolled(user)

    without = ask(api, user)
    wrong = ask(api, user, otp="000000" if code_for(device) != "000000" else "111111")
    assert without.status_code == wrong.status_code == 400
    assert without.json()["code"] == wrong.json()["code"] == "invalid_credentials"
    assert not AuthToken.objects.filter(user=user).exists()

    right = ask(api, user, otp=code_for(device))
    assert right.status_code == 200
    assert right.json()["token"][:15] == AuthToken.objects.get(user=user).token_key


@pytest.mark.django_db
def test_wrong_codes_count_towards_the_lockout(api):
    user = UserFactory()
    device = enrolled(user)
    for _ in range(5):
        assert ask(api, user, otp="000000" if code_for(device) != "000000" else "111111").status_code == 400
    assert ask(api, user, otp=code_for(device)).status_code == 400  # locked even with the right code
    assert not AuthToken.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_a_koordinator_of_a_pemda_requiring_two_factor_must_enrol_first(api):
    pemda = PemdaFactory(two_factor_required=True)
    koordinator = MembershipFactory(role="koordinator", pemda=pemda).user
    petugas = MembershipFactory(role="petugas_opd", opd=OpdFactory(pemda=pemda)).user

    refused = ask(api, koordinator)
    assert refused.status_code == 400
    assert refused.json()["code"] == "otp_setup_required"
    assert not AuthToken.objects.filter(user=koordinator).exists()

    assert ask(api, petugas).status_code == 200  # petugas may opt in, not required

    device = enrolled(koordinator)
    assert ask(api, koordinator, otp=code_for(device)).status_code == 200


@pytest.mark.django_db
def test_a_token_issued_before_the_pemda_required_two_factor_stops_working(api):
    pemda = PemdaFactory()
    koordinator = MembershipFactory(role="koordinator", pemda=pemda).user
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(koordinator)}")
    assert api.get("/api/v1/staff/complaints/").status_code == 200

    pemda.two_factor_required = True
    pemda.save(update_fields=["two_factor_required"])

    refused = api.get("/api/v1/staff/complaints/")
    assert refused.status_code == 401
    assert AuthToken.objects.filter(user=koordinator).exists()  # refused, not deleted: enrol, then ask again


@pytest.mark.django_db
def test_enrolling_revokes_the_tokens_issued_on_the_password_alone(client):
    user = MembershipFactory(role="petugas_opd", opd=OpdFactory()).user
    old = api_token(user)
    client.force_login(user)
    client.get("/staf/dua-langkah/daftar/")
    device = user.totpdevice_set.get()

    response = client.post("/staf/dua-langkah/daftar/", {"code": code_for(device)})

    assert response.status_code == 302
    assert not AuthToken.objects.filter(user=user).exists()
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert other.get("/api/v1/staff/complaints/").status_code == 401
