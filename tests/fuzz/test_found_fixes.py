"""Fixed cases the fuzzers found outside the API: Unicode digits ("¹", "②": isdigit() is true but
int() refuses them) and NUL bytes in page requests (RejectNulMiddleware in the real settings)."""

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import api_token, complaint_in_status

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("digit", ["¹", "②"])
def test_unicode_digits_are_not_a_500(world, digit):
    resolved = complaint_in_status(
        "resolved", pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    koordinator = Client()
    koordinator.force_login(world.koordinator)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(world.koordinator)}")
    secret = resolved.tracking_secret
    assert Client().post(f"/lacak/{secret}/nilai/", {"score": digit}).status_code == 400
    assert Client().post(f"/lacak/{secret}/survei/", {"u1": digit}).status_code == 400
    assert koordinator.get(f"/staf/?q={digit}").status_code == 200
    assert api.get(f"/api/v1/staff/complaints/?q={digit}").status_code == 200
    assert Client().get(f"/aduan/serupa/?pemda={world.pemda.code}&category={digit}").status_code == 200
    response = koordinator.post("/staf/triase/massal/", {"complaints": digit, "action": "hold"})
    assert response.status_code < 500


def test_nul_guard_is_configured():
    assert "aduan.core.middleware.RejectNulMiddleware" in settings.MIDDLEWARE
    stack = settings.MIDDLEWARE
    assert stack.index("aduan.core.middleware.RejectNulMiddleware") > stack.index(
        "django.middleware.locale.LocaleMiddleware"
    )


@pytest.mark.postgres
def test_nul_in_tracking_without_the_test_fixture_is_400(world):
    """Without the nul_guard fixture: proves the real settings carry the middleware."""
    followed_up = complaint_in_status(
        "followed_up", pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    secret = followed_up.tracking_secret
    assert Client().post(f"/lacak/{secret}/aksi/", {"action": "reply", "note": "a\x00b"}).status_code == 400
    assert Client().post("/lacak/", {"tiket": "K\x00", "kontak": "b\x00"}).status_code == 400
    assert Client().get("/lacak/ab%00/").status_code == 400
    assert Client().get("/aduan/?pemda=%00").status_code == 400
