"""Django admin for compliance: methodologies are configured here (a new year's method is a new row:
use "Salin sebagai metodologi baru", then edit its years and definition); entries, evidence and score
snapshots are only looked at (they are written through the dashboard and services)."""

from copy import deepcopy

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import AssessmentEntry, ComplianceScore, EvidenceItem, Methodology


@admin.register(Methodology)
class MethodologyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "year_from", "year_to"]
    ordering = ["year_from"]
    actions = ["copy_as_new"]

    def get_readonly_fields(self, request, obj=None):
        # A method already used by a snapshot keeps its definition: snapshots copy it anyway, but
        # editing it in place would make the admin disagree with the scores it explains.
        if obj is not None and obj.scores.exists():
            return ["code", "year_from", "definition"]
        return []

    @admin.action(description=_("Salin sebagai metodologi baru (tahun berikutnya)"))
    def copy_as_new(self, request, queryset):
        latest = Methodology.objects.order_by("-year_from").first()
        for source in queryset.order_by("year_from")[:1]:
            year = (latest.year_to or latest.year_from) + 1
            if latest.year_to is None:
                year = latest.year_from + 1
            copy = Methodology(
                code=f"{year}",
                name=f"{source.name} (salinan {year})",
                year_from=year,
                basis=source.basis,
                definition=deepcopy(source.definition),
            )
            copy.save()
            messages.success(
                request, _("Metodologi %(year)s dibuat; sunting definisi dan tahunnya.") % {"year": year}
            )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AssessmentEntry)
class AssessmentEntryAdmin(ReadOnlyAdmin):
    list_display = ["pemda", "year", "kind", "code", "value", "entered_by", "entered_at"]
    list_filter = ["pemda", "year", "kind"]
    search_fields = ["code", "note"]


@admin.register(EvidenceItem)
class EvidenceItemAdmin(ReadOnlyAdmin):
    list_display = ["pemda", "kind", "title", "document_date", "recorded_by", "recorded_at"]
    list_filter = ["pemda", "kind"]


@admin.register(ComplianceScore)
class ComplianceScoreAdmin(ReadOnlyAdmin):
    list_display = ["pemda", "year", "total", "category", "zone", "computed_at", "published_at"]
    list_filter = ["pemda", "year", "category", "zone"]
    exclude = ["inputs", "result", "definition"]
