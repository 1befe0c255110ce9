"""Forms of the staff workspace.

They only parse input; the rules live in ``workflow`` and ``services``, whose InvalidInput names
the field the view attaches its message to (``attach_domain_error``).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from aduan.agencies.areas import kelurahan_grouped, kelurahan_of
from aduan.agencies.models import Opd
from aduan.complaints.geo import CoordinateField
from aduan.complaints.models import ArchiveReason, CannedResponse, Complaint
from aduan.complaints.services import BULK_ACTIONS
from aduan.complaints.workflow import NOTE_MAX_LENGTH, Action
from aduan.core.form_render import PythonRenderedForm

# The inputs each staff move asks for; the buttons are shown in this order (usual step first).
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    Action.DISPATCH: ("opd", "note"),
    Action.FOLLOW_UP: ("note", "photo"),
    Action.ACKNOWLEDGE: ("note", "photo"),
    Action.SCHEDULE: ("planned_date", "note", "photo"),
    Action.START_WORK: ("note", "photo"),
    Action.CANNOT_HANDLE: ("note",),
    Action.COMPLETE: ("note",),
    Action.REOPEN: ("note",),
    Action.HOLD: ("note",),
    Action.REDISPATCH: ("opd", "note"),
    Action.ARCHIVE: ("reason", "duplicate_of", "note"),
    Action.FORWARD_OUT: ("institution", "note"),
    Action.REQUEST_REDISPATCH: ("note",),
}

NOTE_LABELS = {
    Action.DISPATCH: _("Catatan untuk OPD (opsional)"),
    Action.REDISPATCH: _("Alasan disposisi ulang (opsional)"),
    Action.HOLD: _("Pertanyaan kepada pelapor"),
    Action.COMPLETE: _("Kelengkapan yang diterima"),
    Action.ARCHIVE: _("Catatan (opsional)"),
    Action.FORWARD_OUT: _("Pesan kepada pelapor (opsional)"),
    Action.REQUEST_REDISPATCH: _("Alasan meminta disposisi ulang"),
    Action.FOLLOW_UP: _("Jawaban untuk pelapor: apa yang sudah diselesaikan"),
    Action.ACKNOWLEDGE: _("Kabar untuk pelapor"),
    Action.SCHEDULE: _("Kabar untuk pelapor: apa yang akan dikerjakan"),
    Action.START_WORK: _("Kabar untuk pelapor"),
    Action.CANNOT_HANDLE: _("Alasan tidak dapat ditangani (untuk koordinator)"),
    Action.REOPEN: _("Alasan membuka kembali"),
}


def opd_choices_queryset(pemda_id: int):
    return Opd.objects.filter(pemda_id=pemda_id, is_active=True).order_by("name")


class TicketField(forms.CharField):
    """A complaint named by its ticket number (resolved against a queryset the view scopes)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return (super().to_python(value) or "").strip().upper()


class TransitionForm(PythonRenderedForm):
    """The input of one move. Only the fields ``ACTION_FIELDS[action]`` names are kept; which of
    them are required is the workflow's decision (its InvalidInput names the field)."""

    opd = forms.ModelChoiceField(queryset=Opd.objects.none(), required=False, label=_("OPD tujuan"))
    reason = forms.ChoiceField(
        choices=[("", "—")] + list(ArchiveReason.choices), required=False, label=_("Alasan")
    )
    duplicate_of = TicketField(
        label=_("Nomor tiket aduan asli (jika duplikat)"),
        widget=forms.TextInput(attrs={"placeholder": "BPN-2026-000123", "autocomplete": "off"}),
    )
    institution = forms.CharField(max_length=200, required=False, label=_("Instansi tujuan"))
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        label=_("Catatan"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    planned_date = forms.DateField(
        required=False,
        label=_("Tanggal rencana selesai"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    photo = forms.FileField(
        required=False,
        label=_("Foto untuk pelapor (opsional)"),
        # never an initial file to clear: the plain input, drawn by the Python renderer
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, action: str, complaint: Complaint, **kwargs):
        kwargs.setdefault("prefix", action)
        keep = ACTION_FIELDS[action]
        # only this move's fields are copied for the form (the instance's base_fields)
        self.base_fields = {name: f for name, f in type(self).base_fields.items() if name in keep}
        super().__init__(*args, **kwargs)
        self.action = action
        self.complaint = complaint
        if "opd" in self.fields:
            self.fields["opd"].queryset = opd_choices_queryset(complaint.pemda_id)
        if "note" in self.fields:
            self.fields["note"].label = NOTE_LABELS.get(action, _("Catatan"))
            self.fields["note"].widget.attrs["id"] = f"id_{action}-note"
        if "photo" in self.fields and action == Action.FOLLOW_UP:
            required = bool(complaint.category_id and complaint.category.done_photo_required)
            self.fields["photo"].label = (
                _("Foto bukti selesai (wajib untuk kategori ini)") if required else _("Foto bukti selesai")
            )

    @property
    def label(self):
        return Action(self.action).label

    def clean_duplicate_of(self):
        ticket = self.cleaned_data.get("duplicate_of", "")
        if not ticket:
            return None
        original = Complaint.objects.filter(ticket_number=ticket, pemda_id=self.complaint.pemda_id).first()
        if original is None:
            raise forms.ValidationError(_("Nomor tiket tidak ditemukan pada pemda ini."))
        return original


class AssignForm(PythonRenderedForm):
    assignee = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Petugas"))

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("(belum ditugaskan)"))] + [
            (u.pk, u.full_name or u.email) for u in officers
        ]


class NoteForm(PythonRenderedForm):
    body = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label=_("Catatan internal (tidak terlihat oleh pelapor)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AttachmentForm(PythonRenderedForm):
    file = forms.FileField(label=_("Berkas (foto atau PDF)"), widget=forms.FileInput)
    is_internal = forms.BooleanField(
        required=False, initial=True, label=_("Internal (tidak terlihat oleh pelapor)")
    )


class MergeForm(PythonRenderedForm):
    original = TicketField(
        required=True,
        label=_("Nomor tiket aduan asli"),
        widget=forms.TextInput(attrs={"placeholder": "BPN-2026-000123", "autocomplete": "off"}),
    )
    note = forms.CharField(max_length=NOTE_MAX_LENGTH, required=False, label=_("Catatan (opsional)"))


class FlagForm(PythonRenderedForm):
    note = forms.CharField(
        max_length=2000, label=_("Catatan pemantauan"), widget=forms.Textarea(attrs={"rows": 2})
    )


class PublicPageForm(PythonRenderedForm):
    """The koordinator's wording of the public page (empty: the title / no text)."""

    public_title = forms.CharField(max_length=200, required=False, label=_("Judul publik"))
    public_text = forms.CharField(
        max_length=5000, required=False, label=_("Teks publik"), widget=forms.Textarea(attrs={"rows": 3})
    )


class RelocateForm(PythonRenderedForm):
    """The koordinator's correction of the pin (typed, or filled in by dragging it on the map) and
    of the kelurahan, from the complaint's Pemda's list. Empty coordinates remove the pin."""

    latitude = CoordinateField(axis="latitude")
    longitude = CoordinateField(axis="longitude")
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False)

    def __init__(self, *args, complaint: Complaint, **kwargs):
        kwargs.setdefault("auto_id", "relocate-%s")
        super().__init__(*args, **kwargs)
        areas = list(kelurahan_of(complaint.pemda_id))
        self._kelurahan = {str(k.pk): k for k in areas}
        self.fields["kelurahan"].choices = [("", "—"), *kelurahan_grouped(areas)]

    def clean_kelurahan(self):
        value = self.cleaned_data.get("kelurahan") or ""
        return self._kelurahan.get(value) if value else None


class CannedResponseForm(forms.ModelForm):
    class Meta:
        model = CannedResponse
        fields = ["title", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}


class BulkForm(PythonRenderedForm):
    """The same move on the ticked complaints of the triage queue."""

    complaints = forms.TypedMultipleChoiceField(coerce=int, label=_("Aduan"))
    action = forms.ChoiceField(
        choices=[(a.value, a.label) for a in BULK_ACTIONS if a != Action.ARCHIVE]
        + [(Action.ARCHIVE.value, Action.ARCHIVE.label)],
        label=_("Tindakan"),
    )
    opd = forms.ModelChoiceField(queryset=Opd.objects.none(), required=False, label=_("OPD tujuan"))
    reason = forms.ChoiceField(
        choices=[("", "—")] + [c for c in ArchiveReason.choices if c[0] != ArchiveReason.DUPLICATE],
        required=False,
        label=_("Alasan arsip"),
    )
    institution = forms.CharField(max_length=200, required=False, label=_("Instansi tujuan"))
    note = forms.CharField(max_length=NOTE_MAX_LENGTH, required=False, label=_("Catatan"))

    def __init__(self, *args, complaint_ids=(), pemda_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["complaints"].choices = [(pk, pk) for pk in complaint_ids]
        self.fields["opd"].queryset = Opd.objects.filter(pemda_id__in=pemda_ids, is_active=True).order_by(
            "name"
        )

    def inputs(self) -> dict:
        data = self.cleaned_data
        action = data["action"]
        return {
            Action.DISPATCH: {"opd": data.get("opd"), "note": data.get("note", "")},
            Action.HOLD: {"note": data.get("note", "")},
            Action.ARCHIVE: {"reason": data.get("reason", ""), "note": data.get("note", "")},
            Action.FORWARD_OUT: {"institution": data.get("institution", ""), "note": data.get("note", "")},
        }[action]


def attach_domain_error(form: forms.Form, error) -> None:
    """Put a DomainError's message on the field it names (or on the form)."""
    field = getattr(error, "params", {}).get("field")
    if isinstance(form, MergeForm) and field == "duplicate_of":
        field = "original"
    form.add_error(field if field in form.fields else None, str(error))
