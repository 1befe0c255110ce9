import pytest

from aduan.compliance.methodologies import ensure_initial_methodologies
from aduan.compliance.models import Methodology


@pytest.fixture
def methodologies(db):
    """The initial methods (a data migration loads them; transactional tests empty every table)."""
    ensure_initial_methodologies(Methodology)
    return {m.code: m for m in Methodology.objects.all()}
