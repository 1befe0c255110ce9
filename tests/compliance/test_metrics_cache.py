"""Dashboard metrics are cached per Pemda and period for ADUAN_METRICS_CACHE_SECONDS."""

from datetime import UTC, date, datetime

from aduan.compliance.metrics import Period, metrics_cached, trend_cached
from tests.factories import ComplaintFactory, PemdaFactory

NOW = datetime(2026, 11, 20, 3, tzinfo=UTC)


def test_a_second_look_runs_no_query_until_the_cache_expires(pemda, opd, settings, django_assert_num_queries):
    settings.ADUAN_METRICS_CACHE_SECONDS = 600
    period = Period.year(2026)
    first = metrics_cached(pemdas=[pemda], period=period, now=NOW)
    with django_assert_num_queries(0):
        again = metrics_cached(pemdas=[pemda], period=period, now=NOW)
    assert again.by_pemda[pemda.pk].submitted == first.by_pemda[pemda.pk].submitted
    ComplaintFactory(pemda=pemda, now=NOW)
    assert metrics_cached(pemdas=[pemda], period=period, now=NOW).by_pemda[pemda.pk].submitted == 0  # cached
    other = PemdaFactory()
    assert metrics_cached(pemdas=[other], period=period, now=NOW).by_pemda[other.pk].submitted == 0
    with django_assert_num_queries(1):
        trend_cached(pemda=pemda, last_month=date(2026, 11, 1))
    with django_assert_num_queries(0):
        trend_cached(pemda=pemda, last_month=date(2026, 11, 1))


def test_zero_seconds_computes_every_time(pemda, opd, settings):
    settings.ADUAN_METRICS_CACHE_SECONDS = 0
    period = Period.year(2026)
    assert metrics_cached(pemdas=[pemda], period=period, now=NOW).by_pemda[pemda.pk].submitted == 0
    ComplaintFactory(pemda=pemda, now=NOW)
    assert metrics_cached(pemdas=[pemda], period=period, now=NOW).by_pemda[pemda.pk].submitted == 1


def test_the_nightly_check_is_on_the_beat_schedule_and_reports_a_difference(pemda, opd, caplog):
    """The warm-up is gone (the rollups answer at once); beat runs the rollup check instead."""
    from aduan.compliance.rollup_check import check_result
    from aduan.compliance.tasks import metrics_check
    from aduan.sla.models import MetricRollup
    from config.celery import app

    assert "compliance-dashboards-warm" not in app.conf.beat_schedule
    entry = app.conf.beat_schedule["compliance-metrics-check"]
    assert entry["task"] == "aduan.compliance.tasks.metrics_check"
    ComplaintFactory(pemda=pemda)
    assert metrics_check.apply().get() == 0
    assert check_result()["differences"] == 0
    MetricRollup.objects.filter(pemda_id=pemda.pk, metric="sub").update(n=5)
    with caplog.at_level("ERROR", logger="aduan.compliance.tasks"):
        assert metrics_check.apply().get() > 0
    assert "submitted" in caplog.text
    assert check_result()["differences"] > 0
