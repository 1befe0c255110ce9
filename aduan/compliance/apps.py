from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "aduan.compliance"
    verbose_name = _("Kepatuhan")
    default_auto_field = "django.db.models.BigAutoField"
