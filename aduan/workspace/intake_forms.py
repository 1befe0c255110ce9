"""The staff intake form (/staf/aduan/baru/): a complaint received by phone, letter, walk-in,
WhatsApp, social media, e-mail or SP4N-LAPOR!. It only parses; the rules are those of
``complaints.intake.complaint_intake`` and ``services.complaint_submit``, whose InvalidInput
names the field. Times typed in are read in the Pemda's zone (the view sets it)."""

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.agencies.areas import kelurahan_grouped, kelurahan_of
from aduan.agencies.models import Opd, Pemda
from aduan.complaints.attachments import ALLOWED_CONTENT_TYPES
from aduan.complaints.geo import CoordinateField
from aduan.complaints.intake import LAPOR_NUMBER_MAX, LATE_AFTER_WORKING_DAYS, LATE_REASON_MAX
from aduan.complaints.models import STAFF_INTAKE_CHANNELS, Category, Channel, Classification

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class IntakeForm(forms.Form):
    required_css_class = "required"

    channel = forms.ChoiceField(
        label=_("Diterima melalui"), choices=[(c.value, c.label) for c in STAFF_INTAKE_CHANNELS]
    )
    received_at = forms.DateTimeField(
        label=_("Waktu diterima"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Saat aduan benar-benar diterima: tenggat dihitung sejak saat ini."),
    )
    late_reason = forms.CharField(
        label=_("Alasan terlambat dicatat"),
        required=False,
        max_length=LATE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Wajib bila dicatat lebih dari %(n)d hari kerja setelah diterima; tampil di riwayat.")
        % {"n": LATE_AFTER_WORKING_DAYS},
    )
    lapor_number = forms.CharField(
        label=_("Nomor pelacakan SP4N-LAPOR!"),
        required=False,
        max_length=LAPOR_NUMBER_MAX,
        help_text=_("Wajib untuk aduan dari SP4N-LAPOR!; satu nomor hanya sekali per pemda."),
    )
    classification = forms.ChoiceField(
        label=_("Jenis laporan"), choices=Classification.choices, initial=Classification.PENGADUAN
    )
    title = forms.CharField(label=_("Judul aduan"), max_length=200)
    chronology = forms.CharField(
        label=_("Kronologi"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )
    incident_date = forms.DateField(
        label=_("Tanggal kejadian"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    location_text = forms.CharField(label=_("Lokasi"), max_length=300, required=False)
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False)
    latitude = CoordinateField(axis="latitude")
    longitude = CoordinateField(axis="longitude")
    category = forms.ModelChoiceField(label=_("Kategori"), queryset=Category.objects.none(), required=False)
    target_opd = forms.ModelChoiceField(
        label=_("Instansi (OPD) yang dituju"),
        queryset=Opd.objects.none(),
        required=False,
        empty_label=_("Tidak tahu"),
    )
    letter = forms.FileField(
        label=_("Surat pindaian (foto atau PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ALLOWED_CONTENT_TYPES))}),
        help_text=_("Diperiksa seperti lampiran dari warga. Tidak untuk aduan anonim."),
    )
    name = forms.CharField(label=_("Nama pelapor"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail pelapor"), required=False)
    phone = forms.CharField(
        label=_("Telepon / WhatsApp pelapor"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    nik = forms.CharField(label=_("NIK"), max_length=16, required=False)
    language = forms.ChoiceField(
        label=_("Bahasa pesan untuk pelapor"), choices=settings.LANGUAGES, initial="id"
    )
    is_anonymous = forms.BooleanField(label=_("Anonim (identitas hanya untuk koordinator)"), required=False)
    is_confidential = forms.BooleanField(label=_("Rahasia (tidak tampil di daftar publik)"), required=False)

    def __init__(self, *args, pemda: Pemda, **kwargs):
        super().__init__(*args, **kwargs)
        self.pemda = pemda
        self.fields["category"].queryset = Category.objects.filter(
            Q(pemda=pemda) | Q(pemda__isnull=True), is_active=True
        ).order_by("name")
        self.fields["target_opd"].queryset = Opd.objects.filter(pemda=pemda, is_active=True).order_by("name")
        areas = list(kelurahan_of(pemda))
        self._kelurahan = {str(k.pk): k for k in areas}
        self.fields["kelurahan"].choices = [
            ("", _("— Pilih kelurahan (boleh dikosongkan) —")),
            *kelurahan_grouped(areas),
        ]
        now_local = timezone.localtime(timezone.now(), pemda.zoneinfo)
        self.fields["received_at"].widget.attrs["max"] = now_local.strftime(DATETIME_LOCAL)
        self.fields["received_at"].initial = now_local.replace(second=0, microsecond=0)
        self.fields["channel"].initial = Channel.COUNTER

    @property
    def offers_kelurahan(self) -> bool:
        """The Pemda has kelurahan to choose from (else the page leaves the field out)."""
        return bool(self._kelurahan)

    def clean_kelurahan(self):
        value = self.cleaned_data.get("kelurahan") or ""
        return self._kelurahan.get(value) if value else None
