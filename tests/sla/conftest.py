"""Fixtures for the SLA tests: default policies (transactional tests empty every table) and a
world of one Pemda in Asia/Makassar with its koordinator and one OPD with two petugas and a kepala."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aduan.sla.defaults import ensure_default_policies
from aduan.sla.models import SlaPolicy
from tests.factories import MembershipFactory, OpdFactory, PemdaFactory

WITA = ZoneInfo("Asia/Makassar")


def wita(*args) -> datetime:
    """An aware datetime in Asia/Makassar (UTC+8, no DST)."""
    return datetime(*args, tzinfo=WITA)


@pytest.fixture
def default_policies(db):
    """The default SlaPolicy rows (a data migration loads them, but transactional tests flush)."""
    ensure_default_policies(SlaPolicy)


@dataclass
class World:
    pemda: object
    opd: object
    other_opd: object
    koordinator: object
    petugas: list
    kepala: object
    other_petugas: object
    other_kepala: object


@pytest.fixture
def world(default_policies):
    pemda = PemdaFactory()
    opd = OpdFactory(pemda=pemda, name="Dinas Pekerjaan Umum")
    other_opd = OpdFactory(pemda=pemda, name="Dinas Perhubungan")
    return World(
        pemda=pemda,
        opd=opd,
        other_opd=other_opd,
        koordinator=MembershipFactory(role="koordinator", pemda=pemda).user,
        petugas=[MembershipFactory(role="petugas_opd", opd=opd).user for _ in range(2)],
        kepala=MembershipFactory(role="kepala_opd", opd=opd).user,
        other_petugas=MembershipFactory(role="petugas_opd", opd=other_opd).user,
        other_kepala=MembershipFactory(role="kepala_opd", opd=other_opd).user,
    )
