"""Fixtures of the API tests: a DRF client and tokens for the staff of tests/conftest.py's world."""

import pytest
from rest_framework.test import APIClient

from tests.factories import api_token


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_user():
    """A client authenticated with ``user``'s API token."""

    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        return client

    return make
