"""Schemathesis over the checked-in OpenAPI schema (aduan/api/openapi.yaml), in-process against
the Django WSGI application: no response is a 500, none breaks the schema (status codes, content
types, bodies). Public operations get 100 examples each, staff operations (with a koordinator's
token) fewer. Examples are derandomized so a failure reproduces; all of it runs in one database
transaction per operation (pytest-django's ``db``), rolled back after."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from aduan.api.management.commands.api_schema import SCHEMA_FILE
from tests.factories import (
    CategoryFactory,
    ComplaintFactory,
    MembershipFactory,
    OpdFactory,
    PemdaFactory,
    api_token,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Operations that need a signed-in user (the compliance reads too): called with a koordinator's token.
STAFF = r"^/api/v1/(staff/|me/|auth/|metrics/|pemdas/\{code\}/scores/)"

schema = schemathesis.openapi.from_path(SCHEMA_FILE)
schema.app = get_wsgi_application()
public_schema = schema.exclude(path_regex=STAFF)
staff_schema = schema.include(path_regex=STAFF)

HYPOTHESIS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
}


@pytest.fixture
def _keep_connection():
    """The WSGI handler closes "old" database connections around each request; Django's test
    client switches that off, and so must calls through the raw WSGI app, or the test's
    transaction is lost."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def data(db, default_policies, _keep_connection):
    """Something for the generated requests to find: a Pemda BPN with an OPD, a category and
    complaints, and a koordinator's token."""
    pemda = PemdaFactory(code="BPN")
    opd = OpdFactory(pemda=pemda)
    CategoryFactory(pemda=pemda, default_opd=opd)
    ComplaintFactory(pemda=pemda)
    ComplaintFactory(pemda=pemda, is_anonymous=True)
    koordinator = MembershipFactory(role="koordinator", pemda=pemda).user
    return api_token(koordinator)


@public_schema.parametrize()
@settings(max_examples=100, **HYPOTHESIS)
def test_public_operations(case, data):
    case.call_and_validate(checks=CHECKS)


@staff_schema.parametrize()
@settings(max_examples=25, **HYPOTHESIS)
def test_staff_operations(case, data):
    case.call_and_validate(headers={"Authorization": f"Token {data}"}, checks=CHECKS)
