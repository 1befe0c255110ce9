"""Plain Django forms for entering assessment inputs and recording evidence items.

AssessmentForm is built from the year's methodology: one field per dimension score, per indicator
(0–3) and per metric the Pengaduan indicators use; a refused form keeps everything typed."""

from decimal import Decimal

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from .models import EntryKind, EvidenceKind
from .scoring import METRIC_LABELS, dec

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


class AssessmentForm(forms.Form):
    note = forms.CharField(
        label=_("Catatan (sumber, mis. nomor LHP)"), max_length=300, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )  # fmt: skip

    def __init__(self, *args, methodology, initial_entries: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.methodology = methodology
        self.initial_entries = initial_entries
        definition = methodology.definition
        scale_max = int(dec(definition.get("scale_max", 3)))
        self.sections = []
        metrics_used = []
        for dim in definition["dimensions"]:
            name = f"dimension__{dim['code']}"
            self.fields[name] = forms.DecimalField(
                label=_("Nilai dimensi %(name)s (0–100, kosongkan untuk dihitung dari indikator)")
                % {"name": dim["name"]},
                min_value=Decimal(0), max_value=Decimal(100), decimal_places=3, required=False,
                initial=initial_entries.get((EntryKind.DIMENSION, dim["code"])),
                error_messages={
                    "min_value": _("Nilai dimensi minimal 0."),
                    "max_value": _("Nilai dimensi maksimal 100."),
                    "invalid": _("Isi nilai dimensi berupa angka."),
                },
            )  # fmt: skip
            fields = [name]
            for var in dim.get("variables") or []:
                for ind in var.get("indicators") or []:
                    iname = f"indicator__{ind['code']}"
                    hint = {"metric": _("dihitung dari metrik"), "evidence": _("dihitung dari bukti")}.get(
                        ind.get("source"), ""
                    )
                    self.fields[iname] = forms.TypedChoiceField(
                        label=ind["name"],
                        choices=[("", _("— belum diisi —") if not hint else f"— {hint} —")]
                        + [(str(n), str(n)) for n in range(scale_max + 1)],
                        coerce=Decimal, empty_value=None, required=False,
                        initial=_initial_choice(initial_entries.get((EntryKind.INDICATOR, ind["code"]))),
                    )  # fmt: skip
                    fields.append(iname)
                    if ind.get("source") == "metric" and ind["metric"] not in metrics_used:
                        metrics_used.append(ind["metric"])
            self.sections.append((dim["name"], dim["weight"], fields))
        metric_fields = []
        for metric in metrics_used:
            mname = f"metric__{metric}"
            self.fields[mname] = forms.DecimalField(
                label=METRIC_LABELS[metric], min_value=Decimal(0), max_value=Decimal(100),
                decimal_places=3, required=False, initial=initial_entries.get((EntryKind.METRIC, metric)),
                help_text=_("Hanya untuk tahun sebelum aduan dicatat di Aduan; kosongkan agar dihitung."),
                error_messages={"min_value": _("Nilai minimal 0."), "max_value": _("Nilai maksimal 100."),
                                "invalid": _("Isi berupa angka.")},
            )  # fmt: skip
            metric_fields.append(mname)
        if metric_fields:
            self.sections.append((_("Angka yang dilaporkan pemda"), None, metric_fields))

    def bound_sections(self):
        return [(title, weight, [self[f] for f in fields]) for title, weight, fields in self.sections]

    def changed_entries(self):
        """(kind, code, value) for every field whose value differs from the current entry."""
        for name, value in self.cleaned_data.items():
            if "__" not in name:
                continue
            kind, code = name.split("__", 1)
            current = self.initial_entries.get((kind, code))
            if (current is None and value is None) or (
                current is not None and value is not None and current == value
            ):
                continue
            yield kind, code, value


def _initial_choice(value):
    return None if value is None else str(int(value))


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis bukti"), choices=EvidenceKind.choices)
    title = forms.CharField(
        label=_("Judul / nomor dokumen"), max_length=200,
        error_messages={"required": _("Isi judul atau nomor dokumen.")},
    )  # fmt: skip
    document_date = forms.DateField(
        label=_("Tanggal dokumen"), widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Isi tanggal dokumen."), "invalid": _("Tanggal tidak valid (TTTT-BB-HH)."),
        },
    )  # fmt: skip
    file = forms.FileField(
        label=_("Berkas (PDF, JPG atau PNG, paling besar 10 MB)"),
        validators=[
            FileExtensionValidator(
                ["pdf", "jpg", "jpeg", "png"], message=_("Berkas harus PDF, JPG atau PNG.")
            )
        ],
        error_messages={"required": _("Pilih berkas bukti.")},
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_EVIDENCE_BYTES:
            raise forms.ValidationError(_("Berkas lebih dari 10 MB."))
        head = f.read(8)
        f.seek(0)
        if not (head.startswith(b"%PDF") or head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG")):
            raise forms.ValidationError(_("Isi berkas bukan PDF, JPG atau PNG."))
        return f
