from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "aduan.complaints"
    label = "complaints"
    verbose_name = _("Aduan")

    def ready(self):
        # The deadline sweep (aduan.sla) imports neither complaints nor notifications: this app,
        # above both, hands it the OPD hops, the notifications and the auto-resolution it needs.
        from aduan.sla.services import sweep_handlers_set

        from .reminders import deadline_effects_due
        from .selectors import hops_of
        from .workflow import auto_resolve

        sweep_handlers_set(
            hops_of=hops_of, effects_due=deadline_effects_due, reply_window_expired=auto_resolve
        )
