"""Shared fixtures and the rule for tests that need real services.

Tests marked ``postgres`` need DATABASE_URL to point at PostgreSQL; tests marked ``redis`` need
REDIS_URL. Without the service they are skipped on a developer's machine, but when
ADUAN_REQUIRE_SERVICES=1 (as .ci/run sets) a missing service fails them instead.
"""

import os

import pytest
from django.conf import settings

from aduan.complaints.selectors import Actor

from .factories import (
    ComplaintFactory,
    MembershipFactory,
    OpdFactory,
    PemdaFactory,
    UserFactory,
)

REQUIRE_SERVICES = os.environ.get("ADUAN_REQUIRE_SERVICES") == "1"


def _service_missing(marker: str) -> str | None:
    if marker == "postgres":
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            return "PostgreSQL is not configured (set DATABASE_URL=postgres://...)"
    if marker == "redis" and not os.environ.get("REDIS_URL"):
        return "Redis is not configured (set REDIS_URL=redis://...)"
    return None


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis"):
        if item.get_closest_marker(marker) is None:
            continue
        missing = _service_missing(marker)
        if missing is None:
            continue
        if REQUIRE_SERVICES:
            pytest.fail(f"{missing}, and ADUAN_REQUIRE_SERVICES=1 forbids skipping", pytrace=False)
        pytest.skip(missing)


@pytest.fixture
def pemda(db):
    return PemdaFactory()


@pytest.fixture
def opd(pemda):
    return OpdFactory(pemda=pemda)


@pytest.fixture
def other_opd(pemda):
    return OpdFactory(pemda=pemda)


@pytest.fixture
def koordinator(pemda):
    return MembershipFactory(role="koordinator", pemda=pemda).user


@pytest.fixture
def petugas(opd):
    return MembershipFactory(role="petugas_opd", opd=opd).user


@pytest.fixture
def kepala(opd):
    return MembershipFactory(role="kepala_opd", opd=opd).user


@pytest.fixture
def ombudsman(pemda):
    return MembershipFactory(role="ombudsman", province=pemda.province).user


@pytest.fixture
def stranger(db):
    return UserFactory()


@pytest.fixture
def complaint(pemda):
    return ComplaintFactory(pemda=pemda)


@pytest.fixture
def system_actor():
    return Actor.system()
