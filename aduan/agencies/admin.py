from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Kecamatan, Kelurahan, Opd, Pemda, Province, StaffMembership


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class OpdInline(admin.TabularInline):
    model = Opd
    extra = 0
    fields = ["name", "short_name", "is_active"]


@admin.register(Pemda)
class PemdaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "province", "timezone"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "code"]
    inlines = [OpdInline]
    fieldsets = [
        (None, {"fields": ["name", "code", "kind", "province", "timezone"]}),
        (_("Penanganan"), {"fields": ["reopen_window_days", "two_factor_required"]}),
        (_("Peta"), {"fields": ["map_latitude", "map_longitude", "map_zoom"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        # A Pemda's complaints, events and compliance inputs are kept for good (append-only on
        # PostgreSQL): the admin never offers a delete that the database would refuse.
        return False


@admin.register(Opd)
class OpdAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "name_en", "pemda", "is_active"]
    list_filter = ["pemda", "is_active"]
    search_fields = ["name", "short_name", "name_en"]
    list_select_related = ["pemda"]


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "pemda", "opd", "province", "is_active"]
    list_filter = ["role", "is_active", "pemda", "province"]
    search_fields = ["user__email", "user__full_name", "opd__name"]
    autocomplete_fields = ["user", "opd"]
    list_select_related = ["user", "pemda", "opd", "province"]


class KelurahanInline(admin.TabularInline):
    model = Kelurahan
    extra = 3
    fields = ["name"]
    can_delete = False


@admin.register(Kecamatan)
class KecamatanAdmin(admin.ModelAdmin):
    """A Pemda's areas: each kecamatan with its kelurahan (also ``manage.py load_areas``)."""

    list_display = ["name", "pemda"]
    list_filter = ["pemda"]
    search_fields = ["name", "kelurahan__name"]
    list_select_related = ["pemda"]
    inlines = [KelurahanInline]

    def has_delete_permission(self, request, obj=None):
        return False  # complaints point at kelurahan: rename, never delete
