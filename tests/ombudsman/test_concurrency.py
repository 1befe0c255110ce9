"""A double submit on real PostgreSQL makes one report (the complaint's row lock, then the unique
complaint of OmbudsmanReport)."""

import pytest

from aduan.ombudsman import services
from aduan.ombudsman.models import OmbudsmanReport
from tests.complaints.test_concurrency import run_together

from .conftest import archived, reported

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_double_submit_makes_one_report(world, omb):
    complaint = archived(world)
    results = run_together(lambda: reported(complaint), lambda: reported(complaint))
    kinds = sorted(kind for kind, _ in results)
    assert kinds == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, services.AlreadyReported)
    assert OmbudsmanReport.objects.filter(complaint=complaint).count() == 1
