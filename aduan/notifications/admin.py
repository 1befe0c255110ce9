"""Read-only outbox view for administrators (delivery state, attempts, last error)."""

from django.contrib import admin

from .models import Notification, WebhookEndpoint


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "channel", "audience", "state", "attempts", "sent_at"]
    list_filter = ["state", "channel", "audience", "kind"]
    search_fields = ["key", "complaint__ticket_number"]
    # The address and context of a citizen message are the reporter's own data: not listed here.
    exclude = ["address", "context"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.exclude]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """A Pemda's integration webhooks (HTTPS; the model's clean() refuses anything else)."""

    list_display = ["pemda", "url", "is_active", "created_at"]
    list_filter = ["is_active", "pemda"]
    readonly_fields = ["secret"]
