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
    with django_assert_num_queries(2):
        trend_cached(pemda=pemda, last_month=date(2026, 11, 1))
    with django_assert_num_queries(0):
        trend_cached(pemda=pemda, last_month=date(2026, 11, 1))


def test_zero_seconds_computes_every_time(pemda, opd, settings):
    settings.ADUAN_METRICS_CACHE_SECONDS = 0
    period = Period.year(2026)
    assert metrics_cached(pemdas=[pemda], period=period, now=NOW).by_pemda[pemda.pk].submitted == 0
    ComplaintFactory(pemda=pemda, now=NOW)
    assert metrics_cached(pemdas=[pemda], period=period, now=NOW).by_pemda[pemda.pk].submitted == 1


def test_the_warm_up_refreshes_what_each_dashboard_shows_by_default(
    pemda, opd, settings, django_assert_num_queries
):
    from aduan.compliance.metrics import dashboard_defaults, dashboards_warm

    settings.ADUAN_METRICS_CACHE_SECONDS = 600
    period, last_month = dashboard_defaults(pemda, NOW)
    assert (period, last_month) == (Period.year(2026), date(2026, 11, 1))
    assert metrics_cached(pemdas=[pemda], period=period, now=NOW).by_pemda[pemda.pk].submitted == 0
    ComplaintFactory(pemda=pemda, now=NOW)  # the cache still says 0

    assert dashboards_warm(pemdas=[pemda], now=NOW) == 1

    with django_assert_num_queries(0):  # what the dashboard reads by default is in the cache, fresh
        metrics = metrics_cached(pemdas=[pemda], period=period, now=NOW)
        trend_cached(pemda=pemda, last_month=last_month)
    assert metrics.by_pemda[pemda.pk].submitted == 1


def test_no_warm_up_when_caching_is_off_and_the_task_is_on_the_beat_schedule(pemda, settings):
    from aduan.compliance.metrics import dashboards_warm
    from config.celery import app

    settings.ADUAN_METRICS_CACHE_SECONDS = 0
    assert dashboards_warm(pemdas=[pemda], now=NOW) == 0
    entry = app.conf.beat_schedule["compliance-dashboards-warm"]
    assert entry["task"] == "aduan.compliance.tasks.dashboards_warm"
    assert entry["schedule"] < 600  # refreshed before the default cache time runs out


def test_the_task_warms_every_pemda(pemda, settings):
    from aduan.agencies.models import Pemda
    from aduan.compliance.tasks import dashboards_warm

    PemdaFactory()
    settings.ADUAN_METRICS_CACHE_SECONDS = 600
    assert dashboards_warm.apply().get() == Pemda.objects.count() == 2


def test_pemdas_warmed_together_get_exactly_their_own_figures(db, settings, django_assert_num_queries):
    """The warm-up computes every Pemda at once; each cached part equals metrics_for(one Pemda)."""
    from aduan.agencies.models import Pemda
    from aduan.complaints.models import Status
    from aduan.compliance.metrics import dashboards_warm, metrics_for
    from tests.factories import MembershipFactory, OpdFactory, complaint_in_status

    settings.ADUAN_METRICS_CACHE_SECONDS = 600
    pemdas = [PemdaFactory(), PemdaFactory(), PemdaFactory()]
    for i, pemda in enumerate(pemdas):
        opd = OpdFactory(pemda=pemda)
        koordinator = MembershipFactory(role="koordinator", pemda=pemda).user
        for _ in range(i + 1):
            ComplaintFactory(pemda=pemda, now=NOW)
        complaint_in_status(Status.DISPATCHED, pemda=pemda, opd=opd, koordinator=koordinator)
    assert dashboards_warm(pemdas=Pemda.objects.order_by("pk"), now=NOW) == 3

    period = Period.year(2026)
    for pemda in pemdas:
        with django_assert_num_queries(0):
            cached = metrics_cached(pemdas=[pemda], period=period, now=NOW)
        alone = metrics_for(pemdas=[pemda], period=period, now=NOW)
        assert [o.pk for o in cached.opds] == [o.pk for o in alone.opds]
        assert cached.by_opd == alone.by_opd
        assert cached.by_pemda == alone.by_pemda
        assert cached.by_province == alone.by_province
        assert alone.by_opd
        assert all(f.received_by_opd == 1 for f in alone.by_opd.values())
    submitted = [metrics_for(pemdas=[p], period=period, now=NOW).by_pemda[p.pk].submitted for p in pemdas]
    assert submitted == [2, 3, 4]  # i + 1 filed, and one dispatched
