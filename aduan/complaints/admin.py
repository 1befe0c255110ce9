"""Django admin for complaints: categories are configured here; complaints are only looked at.

- Category: list, filter by Pemda, search, autocomplete for parent and default OPD, and *Impor*
  (the Kategori sheet of the onboarding file; onboarding/admin.py adds it to OPDs and staff too).
- Complaint: read-only (no add, change or delete; status is changed only by the workflow), with its
  timeline (ComplaintEvent) and OPD hops (ComplaintHop) as read-only inlines. The list goes through
  ``selectors.complaints_visible_to()``; only a superuser sees every complaint.
- ReporterIdentity is deliberately not registered and never shown: the reporter's identity is read
  through ``selectors.reporter_identity_for()`` in the staff workspace, not here. For the same
  reason the reporter's account, the tracking secret and the citizen as actor of an event are hidden.
- Mailbox: a Pemda's IMAP mailbox for complaints by e-mail (the password stays in the environment
  variable it names). InboundEmail is not registered: the messages kept whole hold senders, anonim
  ones too, and are the koordinator's (/staf/surel-masuk/).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from aduan.agencies.models import Pemda
from aduan.agencies.selectors import staff_roles

from .lapor import COLUMNS, MAX_FILE_BYTES, LaporFileInvalid, lapor_import, lapor_reconcile, read_rows
from .models import ActorRole, Category, Complaint, ComplaintEvent, ComplaintHop, IntakeRecord, Mailbox
from .onboarding.admin import CategoryImportMixin  # also adds the import to the OPD and staff admins
from .selectors import complaints_visible_to


@admin.register(Category)
class CategoryAdmin(CategoryImportMixin, admin.ModelAdmin):
    list_display = ["__str__", "pemda", "default_opd", "is_active"]
    list_filter = ["pemda", "is_active"]
    search_fields = ["name", "name_en", "parent__name"]
    autocomplete_fields = ["parent", "default_opd"]
    list_select_related = ["pemda", "parent", "default_opd"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ComplaintEventInline(ReadOnlyInline):
    model = ComplaintEvent
    fields = [
        "created_at",
        "action",
        "from_status",
        "to_status",
        "actor_role",
        "actor_display",
        "opd",
        "note",
    ]
    verbose_name = _("riwayat")
    verbose_name_plural = _("riwayat")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "opd")

    @admin.display(description=_("pelaku"))
    def actor_display(self, event: ComplaintEvent) -> str:
        # The citizen's account would name the reporter (maybe of an anonim complaint): never shown.
        if event.actor_role == ActorRole.CITIZEN or event.actor is None:
            return event.get_actor_role_display()
        return str(event.actor)


class ComplaintHopInline(ReadOnlyInline):
    model = ComplaintHop
    fields = ["opd", "started_at", "ended_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("opd")


class IntakeRecordInline(ReadOnlyInline):
    """How a complaint received off-line was typed in (staff intake, SP4N-LAPOR!)."""

    model = IntakeRecord
    fields = ["recorded_at", "recorded_role", "recorded_by", "late_reason", "lapor_number"]


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["ticket_number", "title", "pemda", "status", "current_opd", "submitted_at"]
    list_filter = [
        "status",
        "classification",
        "channel",
        "is_anonymous",
        "is_confidential",
        ("pemda", admin.RelatedOnlyFieldListFilter),
        ("current_opd", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["ticket_number", "title", "intake__lapor_number"]
    date_hierarchy = "submitted_at"
    list_select_related = ["pemda", "current_opd"]
    # Not shown: tracking_secret (the citizen's key) and reporter_user (would name the reporter).
    fields = [
        "ticket_number",
        "pemda",
        "status",
        "classification",
        "title",
        "chronology",
        "incident_date",
        "location_text",
        "latitude",
        "longitude",
        "kelurahan",
        "category",
        "target_opd",
        "current_opd",
        "is_anonymous",
        "is_confidential",
        "channel",
        "submitted_at",
        "status_changed_at",
        "closed_at",
        "archive_reason",
        "duplicate_of",
        "forwarded_to",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [ComplaintEventInline, ComplaintHopInline, IntakeRecordInline]

    def get_queryset(self, request):
        user = request.user
        qs = Complaint.objects.all() if user.is_superuser else complaints_visible_to(user)
        return qs.select_related("pemda", "current_opd")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LaporFileForm(forms.Form):
    pemda = forms.ModelChoiceField(label=_("Pemda"), queryset=Pemda.objects.none())
    file = forms.FileField(label=_("Berkas ekspor SP4N-LAPOR! (CSV atau XLSX)"))
    action = forms.ChoiceField(
        label=_("Tindakan"),
        choices=[("import", _("Impor laporan baru")), ("reconcile", _("Rekonsiliasi status saja"))],
        widget=forms.RadioSelect,
        initial="import",
    )


@admin.register(IntakeRecord)
class IntakeRecordAdmin(admin.ModelAdmin):
    """Complaints recorded off-line, and the SP4N-LAPOR! import page (aduan/complaints/lapor.py)."""

    list_display = ["complaint", "pemda", "recorded_at", "recorded_role", "lapor_number"]
    list_filter = ["recorded_role", ("pemda", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["lapor_number", "complaint__ticket_number"]
    list_select_related = ["complaint", "pemda"]
    fields = [
        "complaint",
        "pemda",
        "recorded_at",
        "recorded_by",
        "recorded_role",
        "late_reason",
        "lapor_number",
    ]
    readonly_fields = fields
    change_list_template = "admin/complaints/intakerecord/change_list.html"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(complaint__in=complaints_visible_to(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(self.lapor_view)
        return [path("impor-lapor/", view, name="complaints_intakerecord_lapor"), *super().get_urls()]

    def _pemdas(self, request):
        if request.user.is_superuser:
            return Pemda.objects.order_by("name")
        return Pemda.objects.filter(pk__in=staff_roles(request.user).koordinator_pemda_ids).order_by("name")

    def lapor_view(self, request):
        """Upload an SP4N-LAPOR! export: import its reports, or only reconcile their statuses."""
        pemdas = self._pemdas(request)
        if not pemdas.exists():
            raise PermissionDenied
        form = LaporFileForm(request.POST or None, request.FILES or None)
        form.fields["pemda"].queryset = pemdas
        result = differences = None
        if request.method == "POST" and form.is_valid():
            upload, pemda = form.cleaned_data["file"], form.cleaned_data["pemda"]
            try:
                if upload.size > MAX_FILE_BYTES:
                    raise LaporFileInvalid(_("Berkas terlalu besar (paling besar 20 MB)."))
                rows = read_rows(upload.read(), filename=upload.name)
            except LaporFileInvalid as error:
                form.add_error("file", str(error))
            else:
                if form.cleaned_data["action"] == "import":
                    result = lapor_import(pemda=pemda, rows=rows)
                differences = lapor_reconcile(pemda=pemda, rows=rows)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Impor SP4N-LAPOR!"),
            "form": form,
            "result": result,
            "differences": differences,
            "columns": COLUMNS,
        }
        return TemplateResponse(request, "admin/complaints/lapor_import.html", context)


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ["__str__", "pemda", "security", "is_active", "last_polled_at", "last_error"]
    list_filter = ["pemda", "is_active"]
    fields = [
        "pemda", "host", "port", "security", "username", "folder", "password_env", "is_active",
        "last_uid", "uid_validity", "last_polled_at", "last_error",
    ]  # fmt: skip
    readonly_fields = ["last_uid", "uid_validity", "last_polled_at", "last_error"]
