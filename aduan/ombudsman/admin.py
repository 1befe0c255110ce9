"""Ombudsman reports in the admin: read-only (they are written through the services only)."""

from django.contrib import admin

from .models import ClarificationRequest, CorrectiveAction, OmbudsmanReport


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ClarificationInline(admin.TabularInline):
    model = ClarificationRequest
    extra = 0
    can_delete = False
    fields = ("requested_at", "question", "answered_at", "answer")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ActionInline(admin.TabularInline):
    model = CorrectiveAction
    extra = 0
    can_delete = False
    fields = ("description", "due_date", "done_at", "done_note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OmbudsmanReport)
class OmbudsmanReportAdmin(ReadOnlyAdmin):
    list_display = ("complaint", "province", "ground", "status", "finding", "submitted_at")
    list_filter = ("status", "finding", "ground", "province")
    search_fields = ("complaint__ticket_number",)
    # The reporter's reason may identify them: not shown in the admin's list.
    exclude = ("reason",)
    inlines = [ClarificationInline, ActionInline]


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(ReadOnlyAdmin):
    list_display = ("report", "description", "due_date", "done_at")
    list_filter = ("due_date",)
