"""The admin's *Impor* button on OPD, categories and staff memberships (django-import-export):
choose the Pemda, upload an XLSX (a whole onboarding workbook works: the sheet of that kind is
read) or a CSV, see the preview (new, updated, unchanged rows, or every problem with its row and
column), then confirm. The checks and writes are pemda_onboard's (resources.py).

The OPD and membership admins live in aduan/agencies/admin.py, which cannot import this room: they
are registered again here with the import added (their lists and forms stay as they are).
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm

from aduan.agencies import admin as agencies_admin
from aduan.agencies.models import Opd, Pemda, StaffMembership

from .resources import CategoryResource, OpdResource, StaffResource, sheet_xlsx
from .sheets import CATEGORY, OPD, STAFF


class PemdaImportForm(ImportForm):
    pemda = forms.ModelChoiceField(queryset=Pemda.objects.all(), label=_("Pemda tujuan"))


class PemdaConfirmImportForm(ConfirmImportForm):
    pemda = forms.ModelChoiceField(queryset=Pemda.objects.all(), widget=forms.HiddenInput)


class SheetImportMixin(ImportMixin):
    """Import into one Pemda; the confirmed import is undone whole if any row turns out bad."""

    import_form_class = PemdaImportForm
    confirm_form_class = PemdaConfirmImportForm
    extra_permissions: tuple[str, ...] = ()

    def has_import_permission(self, request):
        opts = self.opts
        needed = [f"{opts.app_label}.add_{opts.model_name}", f"{opts.app_label}.change_{opts.model_name}"]
        return request.user.has_perms([*needed, *self.extra_permissions])

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        pemda = getattr(form, "cleaned_data", {}).get("pemda") if form is not None else None
        return {"pemda": pemda}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["pemda"] = import_form.cleaned_data["pemda"].pk
        return initial

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs


admin.site.unregister(Opd)
admin.site.unregister(StaffMembership)


@admin.register(Opd)
class OpdImportAdmin(SheetImportMixin, agencies_admin.OpdAdmin):
    resource_classes = [OpdResource]
    formats = [sheet_xlsx(OPD), base_formats.CSV]


@admin.register(StaffMembership)
class StaffMembershipImportAdmin(SheetImportMixin, agencies_admin.StaffMembershipAdmin):
    resource_classes = [StaffResource]
    formats = [sheet_xlsx(STAFF), base_formats.CSV]
    extra_permissions = ("users.add_user",)


class CategoryImportMixin(SheetImportMixin):
    resource_classes = [CategoryResource]
    formats = [sheet_xlsx(CATEGORY), base_formats.CSV]
