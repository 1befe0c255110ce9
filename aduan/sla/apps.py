from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "aduan.sla"
    label = "sla"
    verbose_name = _("Tenggat dan kalender kerja")
