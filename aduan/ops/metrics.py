"""Domain gauges for Prometheus, next to django-prometheus's request and database metrics.

Collected when /metrics is read (five queries), in their own registry so that importing this
module registers nothing globally. No label carries a name, an address or a secret."""

from django.core.cache import cache
from django.utils import timezone
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from aduan.compliance.rollup_check import check_result
from aduan.core.tasks import HEARTBEAT_KEY

from . import figures


class DomainCollector(Collector):
    def collect(self):
        now = timezone.now()
        complaints = GaugeMetricFamily(
            "aduan_complaints_open", "Open complaints by status (stage of handling).", labels=["status"]
        )
        for status, count in sorted(figures.open_complaints_by_status().items()):
            complaints.add_metric([status], count)
        yield complaints
        yield GaugeMetricFamily(
            "aduan_sweep_lag_seconds",
            "Age of the oldest clock the SLA sweep should already have looked at (0: none waiting).",
            value=figures.sweep_lag_seconds(now),
        )
        outbox = GaugeMetricFamily(
            "aduan_outbox_notifications", "Notifications not delivered, by state.", labels=["state"]
        )
        for state, count in sorted(figures.outbox_by_state().items()):
            outbox.add_metric([state], count)
        yield outbox
        quarantine = GaugeMetricFamily(
            "aduan_quarantine_attachments",
            "Uploaded files in quarantine (not served), by scan status.",
            labels=["scan_status"],
        )
        for status, count in sorted(figures.quarantine_by_status().items()):
            quarantine.add_metric([status], count)
        yield quarantine
        rollup_check = check_result()
        if rollup_check is not None:  # absent until the nightly check ran once
            yield GaugeMetricFamily(
                "aduan_metrics_rollup_differences",
                "Differences the last nightly check found between the compliance rollups and a full scan.",
                value=rollup_check["differences"],
            )
        age = figures.heartbeat_age(cache.get(HEARTBEAT_KEY), now)
        if age is not None:  # absent when never recorded: alert on absent(...) too
            yield GaugeMetricFamily(
                "aduan_beat_heartbeat_age_seconds",
                "Seconds since a worker ran beat's heartbeat task.",
                value=age,
            )


def domain_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DomainCollector())
    return registry
