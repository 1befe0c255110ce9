from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "aduan.agencies"
    label = "agencies"
    verbose_name = _("Instansi")

    def ready(self):
        # aduan.users (below this app) asks whether a Pemda requires two-factor through this check.
        from aduan.users.twofactor import requirement_register

        from .twofactor import required_by_pemda

        requirement_register(required_by_pemda)
