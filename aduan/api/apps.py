from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "aduan.api"
    verbose_name = _("API")
    default_auto_field = "django.db.models.BigAutoField"
