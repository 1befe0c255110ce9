from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "aduan.notifications"
    label = "notifications"
    verbose_name = _("Notifikasi")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import WebhookEndpoint
        from .services import endpoints_cache_clear

        post_save.connect(endpoints_cache_clear, sender=WebhookEndpoint, dispatch_uid="webhook-cache-save")
        post_delete.connect(
            endpoints_cache_clear, sender=WebhookEndpoint, dispatch_uid="webhook-cache-delete"
        )
