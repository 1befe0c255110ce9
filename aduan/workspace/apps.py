from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "aduan.workspace"
    label = "workspace"
    verbose_name = _("Ruang kerja staf")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from aduan.agencies.models import Kecamatan, Kelurahan, Opd, Pemda
        from aduan.complaints.models import Category

        from .views.staff_queues import filter_choices_clear

        for model in (Pemda, Opd, Category, Kecamatan, Kelurahan):
            for signal in (post_save, post_delete):
                signal.connect(
                    filter_choices_clear, sender=model, dispatch_uid=f"staff-filter-choices-{model.__name__}"
                )
