from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "aduan.portal"
    label = "portal"
    verbose_name = _("Portal warga")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from aduan.agencies.models import Kecamatan, Kelurahan, Opd, Pemda
        from aduan.complaints.models import Category

        from .forms import filing_choices_clear

        for model in (Pemda, Category, Opd, Kecamatan, Kelurahan):
            for signal in (post_save, post_delete):
                signal.connect(
                    filing_choices_clear, sender=model, dispatch_uid=f"filing-choices-{model.__name__}"
                )
