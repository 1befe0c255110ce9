"""Aduan's own readiness checks for django-health-check (used by /readyz with the library's
Database and Cache checks). Messages name the problem and a figure, never personal data.

Database reads run through ``sync_to_async(thread_sensitive=True)``: on the request's own thread
and connection, like every other query of the request."""

import dataclasses
import datetime

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from aduan.core.tasks import HEARTBEAT_KEY

from . import figures


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (Redis in production)."""

    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=3), repr=False)

    def run(self):
        from config import celery_app

        try:
            with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
                connection.ensure_connection(max_retries=1, timeout=self.timeout.total_seconds())
        except Exception as exc:
            raise ServiceUnavailable(f"broker unreachable ({type(exc).__name__})") from exc


@dataclasses.dataclass
class BeatHeartbeat(HealthCheck):
    """Beat sends ``aduan.core.tasks.heartbeat`` every minute and a worker stores the time in the
    cache: a missing or old stamp means beat or every worker is down."""

    async def run(self):
        age = figures.heartbeat_age(await cache.aget(HEARTBEAT_KEY), timezone.now())
        limit = settings.ADUAN_READINESS["heartbeat_max_age_seconds"]
        if age is None:
            raise ServiceUnavailable("no heartbeat recorded: is celery beat running, and a worker?")
        if age > limit:
            raise ServiceUnavailable(f"last heartbeat {age:.0f} s ago (limit {limit} s)")


@dataclasses.dataclass
class OutboxBacklog(HealthCheck):
    """Notifications waiting longer than the grace period, or given up, stay below the limit."""

    async def run(self):
        counts = await sync_to_async(figures.outbox_overdue, thread_sensitive=True)(timezone.now())
        limits = settings.ADUAN_READINESS
        if counts["pending"] > limits["outbox_pending_max"]:
            raise ServiceUnavailable(
                f"{counts['pending']} notifications waiting over {limits['grace_minutes']} min "
                f"(limit {limits['outbox_pending_max']})"
            )
        if counts["failed"] > limits["outbox_failed_max"]:
            raise ServiceUnavailable(
                f"{counts['failed']} notifications failed (limit {limits['outbox_failed_max']})"
            )


@dataclasses.dataclass
class Quarantine(HealthCheck):
    """Uploads still unscanned after the grace period (scanner down, scan tasks lost) stay below
    the limit."""

    async def run(self):
        waiting = await sync_to_async(figures.quarantine_overdue, thread_sensitive=True)(timezone.now())
        limits = settings.ADUAN_READINESS
        if waiting > limits["quarantine_max"]:
            raise ServiceUnavailable(
                f"{waiting} files in quarantine over {limits['grace_minutes']} min "
                f"(limit {limits['quarantine_max']})"
            )
