"""The staff API's per-user throttle (LIMITS["api-staff"]): a token user is counted whichever
address they come from, another user keeps their own allowance, anonymous endpoints are not
counted here, and a refused call changes nothing."""

import pytest
from django.urls import reverse

from aduan.complaints.models import CannedResponse
from aduan.core.throttle import LIMITS, Limit

pytestmark = pytest.mark.django_db


def test_a_token_user_is_throttled_per_user_across_addresses(world, as_user, monkeypatch):
    monkeypatch.setitem(LIMITS, "api-staff", Limit(3, 3600))
    me = as_user(world.koordinator)
    url = reverse("api:staff-complaint-list")
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        assert me.get(url, REMOTE_ADDR=address).status_code == 200

    refused = me.get(url, REMOTE_ADDR="10.0.0.4")

    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert as_user(world.petugas[0]).get(url).status_code == 200  # another user's own allowance


def test_a_refused_write_changes_nothing(world, as_user, monkeypatch):
    monkeypatch.setitem(LIMITS, "api-staff", Limit(0, 3600))
    me = as_user(world.petugas[0])
    response = me.post(reverse("api:canned-list"), {"title": "Salam", "body": "Terima kasih."}, format="json")
    assert response.status_code == 429
    assert not CannedResponse.objects.exists()


def test_anonymous_endpoints_are_not_counted_per_user(api, monkeypatch, pemda):
    monkeypatch.setitem(LIMITS, "api-staff", Limit(0, 3600))
    assert api.get(reverse("api:complaint-public-list")).status_code == 200
