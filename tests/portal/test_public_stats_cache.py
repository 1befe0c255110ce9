"""Public statistics are cached for ADUAN_PUBLIC_STATS_CACHE_SECONDS: a second request runs no
aggregate query, and 0 switches the cache off."""

from datetime import UTC, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from aduan.compliance.periods import Period
from aduan.portal import public_stats
from tests.factories import ComplaintFactory, OpdFactory

NOW = datetime(2026, 11, 20, 3, tzinfo=UTC)


def _table(pemda):
    period = Period.this_year(NOW, pemda.zoneinfo)
    return public_stats.opd_table(pemdas=[pemda], period=period)


def test_the_table_is_cached_per_scope_and_period(pemda, settings, django_assert_num_queries):
    settings.ADUAN_PUBLIC_STATS_CACHE_SECONDS = 300
    OpdFactory(pemda=pemda)
    first = _table(pemda)
    with django_assert_num_queries(0):
        again = _table(pemda)
    assert [r.opd.pk for r in again.rows] == [r.opd.pk for r in first.rows]
    ComplaintFactory(pemda=pemda, now=NOW)
    assert _table(pemda).totals.received == first.totals.received  # cached: a few minutes old
    with CaptureQueriesContext(connection) as queries:
        public_stats.opd_table(pemdas=[pemda], period=Period.year(2025))
    assert len(queries) > 0  # another period is computed


def test_zero_seconds_computes_every_time(pemda, settings):
    settings.ADUAN_PUBLIC_STATS_CACHE_SECONDS = 0
    OpdFactory(pemda=pemda)
    before = _table(pemda).totals.received
    ComplaintFactory(pemda=pemda, now=NOW)
    assert _table(pemda).totals.received == before + 1
