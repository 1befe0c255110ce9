from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "aduan.complaints"
    label = "complaints"
    verbose_name = _("Aduan")

    def ready(self):
        # The deadline sweep (aduan.sla) imports neither complaints nor notifications: this app,
        # above both, hands it the OPD hops, the notifications and the auto-resolution it needs.
        from functools import partial

        from aduan.notifications.services import deadline_effects_queue
        from aduan.sla.display import deadline_due_texts
        from aduan.sla.services import sweep_handlers_set

        from .workflow import auto_resolve, hops_of

        sweep_handlers_set(
            hops_of=hops_of,
            effects_due=partial(deadline_effects_queue, due_texts=deadline_due_texts),
            reply_window_expired=auto_resolve,
        )
