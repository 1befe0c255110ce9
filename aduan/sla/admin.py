"""Admin for the working calendar and the SLA policies.

Policies are versioned: a saved policy cannot be edited or deleted once a clock used it; change a
target by adding a new row with a later ``effective_from``.
"""

from django.contrib import admin

from .models import Deadline, HolidayOverride, SlaPolicy


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_holiday", "pemda", "reason", "decree_number"]
    list_filter = ["is_holiday", "pemda"]
    search_fields = ["reason", "decree_number"]
    date_hierarchy = "date"


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "stage",
        "amount",
        "unit",
        "classification",
        "category",
        "effective_from",
        "remind_before",
    ]
    list_filter = ["stage", "unit", "classification"]
    autocomplete_fields = ["category"]

    def has_change_permission(self, request, obj=None):
        # Versioned data: a policy in use is never edited in place; add a newer version instead.
        if obj is not None and obj.deadlines.exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.deadlines.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    """Read-only view of the clocks, for checking what the sweep will do."""

    list_display = ["complaint", "stage", "opd", "started_at", "due_at", "met_at", "breached_at", "paused_at"]
    list_filter = [
        "stage",
        ("breached_at", admin.EmptyFieldListFilter),
        ("met_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["complaint", "opd"]
    search_fields = ["complaint__ticket_number"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
