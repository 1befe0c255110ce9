"""The configuration history knows API token users too: pghistory's own middleware follows
``request.user`` as DRF sets it after the token is read (aduan.core.history.ConfigHistoryMiddleware)."""

import pytest
from django.test import RequestFactory
from rest_framework.response import Response
from rest_framework.views import APIView

from aduan.core.history import ConfigHistoryMiddleware, history_models
from aduan.sla.models import SlaPolicy
from tests.factories import MembershipFactory, api_token

pytestmark = pytest.mark.postgres


class ChangePolicies(APIView):
    """Stands in for any API write that touches tracked configuration."""

    def post(self, request):
        SlaPolicy.objects.update(note="diubah lewat API")
        return Response({"ok": True})


def _events():
    model = next(m for m in history_models() if m.pgh_tracked_model is SlaPolicy)
    return model.objects.filter(pgh_label="update").select_related("pgh_context")


def test_a_token_users_change_is_recorded_with_the_user_and_url(default_policies, pemda):
    user = MembershipFactory(role="koordinator", pemda=pemda).user
    request = RequestFactory().post("/api/v1/uji/", HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    middleware = ConfigHistoryMiddleware(ChangePolicies.as_view())

    response = middleware(request)

    assert response.status_code == 200
    events = list(_events())
    assert events
    assert {(e.pgh_context.metadata["user"], e.pgh_context.metadata["url"]) for e in events} == {
        (user.pk, "/api/v1/uji/")
    }
