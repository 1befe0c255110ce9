"""Policies are read once per process and POLICY_CACHE_SECONDS; a saved policy applies at once."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from aduan.sla import services
from aduan.sla.models import DayUnit, SlaPolicy, Stage
from aduan.sla.services import policy_for


def _policy_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return sum("sla_slapolicy" in q["sql"] for q in ctx.captured_queries)


def test_policies_are_read_once_for_many_lookups(default_policies):
    def lookups():
        for stage in (Stage.VERIFICATION, Stage.RESOLUTION, Stage.LEGAL_RESPONSE, Stage.FOLLOW_UP):
            policy_for(stage=stage, classification="pengaduan", category_id=None, on=date(2026, 11, 2))

    assert _policy_queries(lookups) == 1
    assert _policy_queries(lookups) == 0


def _days(on) -> int:
    return policy_for(stage=Stage.VERIFICATION, classification="aspirasi", category_id=None, on=on).amount


def test_a_saved_policy_applies_at_once_and_the_copy_expires(default_policies, monkeypatch):
    on = date(2026, 11, 2)
    assert _days(on) == 3
    SlaPolicy.objects.create(
        stage=Stage.VERIFICATION, amount=7, unit=DayUnit.WORKING, effective_from=date(2026, 1, 1),
        classification="aspirasi",
    )  # fmt: skip
    assert _days(on) == 7
    # Another process changed the table (no signal here): seen once this copy expires.
    SlaPolicy.objects.filter(classification="aspirasi").update(amount=9)
    assert _days(on) == 7
    monkeypatch.setitem(services._policy_cache, "expires", 0.0)
    assert _days(on) == 9
