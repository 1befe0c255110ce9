from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OmbudsmanConfig(AppConfig):
    name = "aduan.ombudsman"
    label = "ombudsman"
    verbose_name = _("Laporan ke Ombudsman")

    def ready(self):
        # The complaint page shows the reporter's identity to the Ombudsman only when the complaint
        # is not anonim; a reporter who took it to the Ombudsman without consenting to share their
        # identity stays hidden from the Ombudsman there too (complaints imports nothing from here).
        from aduan.complaints.selectors import ombudsman_identity_veto_set

        from .selectors import identity_withheld_from_ombudsman

        ombudsman_identity_veto_set(identity_withheld_from_ombudsman)
