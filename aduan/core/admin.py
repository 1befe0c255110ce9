"""Configuration history in the Django admin: one read-only list per tracked model (aduan/core/history.py),
newest first, with who changed the row (when the change came from a signed-in request) and where."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .history import history_models


class ConfigHistoryAdmin(admin.ModelAdmin):
    list_display = ["pgh_created_at", "pgh_label", "pgh_obj_id", "changed_by", "url"]
    list_filter = ["pgh_label"]
    ordering = ["-pgh_created_at", "-pgh_id"]
    list_select_related = ["pgh_context"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_list_display(self, request):
        tracked = [f.name for f in self.model._meta.fields if not f.name.startswith("pgh_")]
        return [*self.list_display[:3], *tracked, *self.list_display[3:]]

    @admin.display(description=_("diubah oleh"))
    def changed_by(self, event) -> str:
        metadata = event.pgh_context.metadata if event.pgh_context_id else {}
        user_id = metadata.get("user")
        if user_id is None:
            return _("sistem")
        user = get_user_model().objects.filter(pk=user_id).first()
        return str(user.email if user else user_id)

    @admin.display(description=_("alamat"))
    def url(self, event) -> str:
        return (event.pgh_context.metadata if event.pgh_context_id else {}).get("url", "")


for _model in history_models():
    admin.site.register(_model, ConfigHistoryAdmin)
