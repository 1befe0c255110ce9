from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: liveness (/healthz), readiness (/readyz) and Prometheus metrics (/metrics)."""

    name = "aduan.ops"
    label = "ops"
    verbose_name = _("Operasional")
