from datetime import UTC, datetime

import pytest

from aduan.compliance.methodologies import ensure_initial_methodologies
from aduan.compliance.models import Methodology


@pytest.fixture
def methodologies(db):
    """The initial methods (a data migration loads them; transactional tests empty every table)."""
    ensure_initial_methodologies(Methodology)
    return {m.code: m for m in Methodology.objects.all()}


GENERATED_NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


@pytest.fixture
def generated(default_policies, monkeypatch):
    """A small synthetic data set (aduan.devdata.synthetic: every status, re-dispatches, re-opens,
    holds, promises, breaches, ratings; two Pemdas in two zones) up to ``GENERATED_NOW``, with the
    rollups its generator builds; the counts it returns."""
    from aduan.devdata.synthetic import SIZES, Size, generate

    monkeypatch.setitem(SIZES, "test", Size(complaints=300, pemdas=2, opds_per_pemda=3, provinces=1, years=2))
    with open("/dev/null", "w") as devnull:
        return generate(size_name="test", seed=11, now=GENERATED_NOW, stdout=devnull)
