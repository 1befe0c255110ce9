"""/healthz (liveness: the process answers, nothing else is touched), /readyz (readiness:
django-health-check with Aduan's checks) and /metrics (Prometheus). /readyz and /metrics answer
only the configured addresses or a signed-in superuser (access.py)."""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_prometheus.exports import ExportToDjangoView
from health_check.views import HealthCheckView
from prometheus_client import generate_latest

from .access import address_allowed, refused, user_allowed
from .metrics import domain_registry


@never_cache
@require_safe
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


class ReadyView(HealthCheckView):
    checks = (
        "health_check.checks.Database",
        "health_check.checks.Cache",
        "aduan.ops.checks.Broker",
        "aduan.ops.checks.BeatHeartbeat",
        "aduan.ops.checks.OutboxBacklog",
        "aduan.ops.checks.Quarantine",
    )

    async def dispatch(self, request, *args, **kwargs):
        if not (address_allowed(request.META.get("REMOTE_ADDR", "")) or user_allowed(await request.auser())):
            return refused()
        return await super().dispatch(request, *args, **kwargs)


@never_cache
@require_safe
def metrics(request):
    if not (address_allowed(request.META.get("REMOTE_ADDR", "")) or user_allowed(request.user)):
        return refused()
    response = ExportToDjangoView(request)  # requests, responses, database (all processes)
    response.content += generate_latest(domain_registry())
    return response
