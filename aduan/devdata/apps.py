from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevdataConfig(AppConfig):
    name = "aduan.devdata"
    label = "devdata"
    verbose_name = _("Data demo dan benchmark")
