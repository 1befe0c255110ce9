from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "aduan.sla"
    label = "sla"
    verbose_name = _("Tenggat dan kalender kerja")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import HolidayOverride, SlaPolicy
        from .services import calendar_cache_clear, policies_cache_clear

        post_save.connect(policies_cache_clear, sender=SlaPolicy, dispatch_uid="sla-policy-cache-save")
        post_delete.connect(policies_cache_clear, sender=SlaPolicy, dispatch_uid="sla-policy-cache-delete")
        post_save.connect(
            calendar_cache_clear, sender=HolidayOverride, dispatch_uid="sla-calendar-cache-save"
        )
        post_delete.connect(
            calendar_cache_clear, sender=HolidayOverride, dispatch_uid="sla-calendar-cache-delete"
        )
