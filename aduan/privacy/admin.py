"""Read-only records in the admin: what the retention job did, and the erasure requests (decided
on the koordinator's staff page, never here)."""

from django.contrib import admin

from .models import ErasureRequest, RetentionRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = (
        "started_at",
        "finished_at",
        "identities_anonymised",
        "attachments_purged",
        "outbox_scrubbed",
    )
    date_hierarchy = "started_at"


@admin.register(ErasureRequest)
class ErasureRequestAdmin(ReadOnlyAdmin):
    list_display = ("complaint", "status", "created_at", "decided_at")
    list_filter = ("status",)
    raw_id_fields = ("complaint", "decided_by")
    # The reason may name the reporter: shown only on the request itself, not in the list, and only
    # to superusers (other admin staff with a view permission never see erasure requests).
    fields = ("complaint", "status", "reason", "created_at", "decided_by", "decided_at", "decision_note")

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)
