"""Forms of the citizen portal.

- FilingForm: the complaint form at /aduan/. It only parses and checks the shape of the input;
  the rules of a complaint live in ``services.complaint_submit`` (whose InvalidInput names the
  field the view attaches its message to) and the rules of a file in ``attachments``.
"""

import time
from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from aduan.agencies.areas import kelurahan_grouped, kelurahan_of
from aduan.agencies.models import Kelurahan, Opd, Pemda
from aduan.complaints.attachments import ALLOWED_CONTENT_TYPES
from aduan.complaints.geo import CoordinateField
from aduan.complaints.models import Category, Classification
from aduan.core.form_render import PYTHON_RENDERER
from aduan.core.validators import TITLE_MIN_LENGTH, TITLE_TOO_SHORT

# UU 25/2009 Pasal 42: a complaint comes within 30 days of the service — warn, never refuse.
LATE_FILING_DAYS = 30


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files under one name; the contents are checked by ``attachments``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ",".join(sorted(ALLOWED_CONTENT_TYPES))})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        # Every file is judged by attachments.validate_upload (empty ones included), one by one, so
        # that a bad file does not cost the good ones sent with it.
        files = data if isinstance(data, list | tuple) else [data]
        return [f for f in files if f]


def category_choices(pemda: Pemda) -> tuple[list, dict[str, Category]]:
    """The active categories of ``pemda`` and the shared ones (one query), as select choices grouped
    by their top-level category, and a map from choice value to Category."""
    categories = list(
        Category.objects.filter(Q(pemda=pemda) | Q(pemda__isnull=True), is_active=True).order_by("name", "pk")
    )
    by_id = {c.pk: c for c in categories}

    def top_and_path(category: Category) -> tuple[Category, list[str]]:
        path, seen = [category.display_name], {category.pk}
        while category.parent_id in by_id and category.parent_id not in seen:
            category = by_id[category.parent_id]
            seen.add(category.pk)
            path.append(category.display_name)
        return category, list(reversed(path))

    groups: dict[int, list] = {}
    for category in categories:
        top, path = top_and_path(category)
        if top is not category:
            groups.setdefault(top.pk, []).append((str(category.pk), " › ".join(path[1:])))
    choices: list = [("", _("— Pilih kategori (boleh dikosongkan) —"))]
    for category in categories:
        if category.parent_id in by_id:
            continue
        if category.pk in groups:
            choices.append(
                (category.display_name, [(str(category.pk), category.display_name), *groups[category.pk]])
            )
        else:
            choices.append((str(category.pk), category.display_name))
    return choices, {str(c.pk): c for c in categories}


# The Pemda, the lists the filing form offers and what is made of them (the empty form page:
# ``kept_with_lists``) change rarely and every form page and filing needs them: each process keeps
# them (the lists per Pemda and language) for CHOICES_CACHE_SECONDS (a saved or deleted Pemda,
# category, OPD, kecamatan or kelurahan clears this process's copy at once: aduan/portal/apps.py;
# other processes follow within that time).
CHOICES_CACHE_SECONDS = 60
_choices_cache: dict = {}
_pemda_cache: dict = {}


def filing_choices_clear(**_signal_kwargs) -> None:
    _choices_cache.clear()
    _pemda_cache.clear()


def filing_pemda(code: str) -> Pemda | None:
    """The Pemda whose code is ``code`` (upper case), or None; kept in this process (a code that
    names no Pemda is not kept)."""
    now = time.monotonic()
    hit = _pemda_cache.get(code)
    if hit is not None and now < hit[1]:
        return hit[0]
    pemda = Pemda.objects.filter(code=code).first()
    if pemda is not None:
        _pemda_cache[code] = (pemda, now + CHOICES_CACHE_SECONDS)
    return pemda


def _choices_of(pemda: Pemda) -> dict:
    now = time.monotonic()
    key = (pemda.pk, translation.get_language())
    hit = _choices_cache.get(key)
    if hit is not None and now < hit[1]:
        return hit[0]
    opds = Opd.objects.filter(pemda=pemda, is_active=True).order_by("name")
    lists = {
        "categories": category_choices(pemda),
        "kelurahan": list(kelurahan_of(pemda)),
        "opds": [(opd.pk, _opd_label(opd)) for opd in opds],
    }
    _choices_cache[key] = (lists, now + CHOICES_CACHE_SECONDS)
    return lists


def kept_with_lists(pemda: Pemda, key, make):
    """``make()``, done once per Pemda, language and ``key`` in this process and kept with the
    Pemda's lists (the same lifetime: an edit clears both)."""
    kept = _choices_of(pemda).setdefault("kept", {})
    if key not in kept:
        if len(kept) > 8:
            kept.clear()  # yesterday's
        kept[key] = make()
    return kept[key]


def _opd_label(opd: Opd) -> str:
    name = opd.display_name
    return f"{name} ({opd.short_name})" if opd.short_name and opd.short_name != name else name


def _language_choices():
    return [(code, name) for code, name in settings.LANGUAGES]


def current_language() -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    language = (translation.get_language() or "id").split("-")[0]
    return language if language in codes else "id"


class FilingForm(forms.Form):
    """What a citizen fills in to file a complaint (attachments are handled by the view)."""

    required_css_class = "required"
    default_renderer = PYTHON_RENDERER  # Django's markup, without a template per field and option

    classification = forms.ChoiceField(
        label=_("Jenis laporan"),
        choices=Classification.choices,
        initial=Classification.PENGADUAN,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(
        label=_("Judul aduan"),
        min_length=TITLE_MIN_LENGTH,
        max_length=200,
        error_messages={"min_length": TITLE_TOO_SHORT},
        help_text=_("Singkat dan jelas, mis. “Jalan berlubang di depan SDN 5”."),
    )
    chronology = forms.CharField(
        label=_("Kronologi"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Ceritakan apa yang terjadi, kapan, dan layanan apa yang Anda terima atau tidak terima."),
    )
    incident_date = forms.DateField(
        label=_("Tanggal kejadian"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Boleh dikosongkan."),
    )
    location_text = forms.CharField(
        label=_("Lokasi"),
        max_length=300,
        required=False,
        help_text=_("Alamat atau petunjuk tempat, mis. nama jalan, RT, kelurahan."),
    )
    # Text inputs, so the pin can be typed without JavaScript; the map (map.js) fills them in.
    latitude = CoordinateField(axis="latitude")
    longitude = CoordinateField(axis="longitude")
    kelurahan = forms.ChoiceField(
        label=_("Kelurahan"),
        required=False,
        help_text=_("Pilih dari daftar kelurahan pemda ini (kecamatannya mengikuti). Boleh dikosongkan."),
    )
    target_opd = forms.ModelChoiceField(
        label=_("Instansi (OPD) yang dituju"),
        queryset=Opd.objects.none(),
        required=False,
        empty_label=_("Saya tidak tahu"),
        help_text=_("Jika tidak tahu, koordinator pengaduan yang akan menentukannya."),
    )
    category = forms.ChoiceField(label=_("Kategori"), required=False)
    attachments = MultipleFileField(
        label=_("Lampiran (foto atau PDF)"),
        required=False,
        help_text=_("Paling banyak 5 berkas JPEG, PNG, WebP atau PDF, masing-masing paling besar 10 MB."),
    )
    is_anonymous = forms.BooleanField(
        label=_("Anonim"),
        required=False,
        help_text=_(
            "Identitas Anda disembunyikan dari instansi dan publik; hanya koordinator pengaduan yang "
            "dapat melihatnya."
        ),
    )
    is_confidential = forms.BooleanField(
        label=_("Rahasia"),
        required=False,
        help_text=_("Aduan Anda tidak ditampilkan di daftar publik."),
    )
    name = forms.CharField(label=_("Nama"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(
        label=_("Nomor telepon"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    nik = forms.CharField(
        label=_("NIK"),
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("Nomor Induk Kependudukan, 16 angka. Boleh dikosongkan."),
    )
    language = forms.ChoiceField(label=_("Bahasa untuk pesan kepada Anda"), choices=_language_choices)
    # Honeypot: hidden from people (CSS, aria-hidden); only robots fill it in.
    website = forms.CharField(
        label=_("Jangan diisi"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, pemda: Pemda, **kwargs):
        super().__init__(*args, **kwargs)
        self.pemda = pemda
        self.today = timezone.localdate(timezone.now(), pemda.zoneinfo)
        self.late_before = self.today - timedelta(days=LATE_FILING_DAYS)
        self.fields["target_opd"].queryset = Opd.objects.filter(pemda=pemda, is_active=True).order_by("name")
        self.fields["target_opd"].label_from_instance = _opd_label
        # The page lists them from the per-process copy; a posted OPD is still looked up in the queryset.
        empty = ("", self.fields["target_opd"].empty_label)
        self.fields["target_opd"].choices = lambda: [empty, *_choices_of(pemda)["opds"]]
        # Read when first needed (the page, or a posted value to check): a post that leaves them
        # empty reads neither list.
        self.fields["category"].choices = lambda: self._category_data[0]
        self.fields["kelurahan"].choices = lambda: self._kelurahan_data[0]
        self.fields["language"].initial = current_language()
        date_attrs = self.fields["incident_date"].widget.attrs
        date_attrs["max"] = self.today.isoformat()
        date_attrs["data-late-before"] = self.late_before.isoformat()
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    @cached_property
    def _category_data(self) -> tuple[list, dict[str, Category]]:
        return _choices_of(self.pemda)["categories"]

    @cached_property
    def _kelurahan_data(self) -> tuple[list, dict[str, Kelurahan]]:
        areas = _choices_of(self.pemda)["kelurahan"]
        choices = [("", _("— Pilih kelurahan (boleh dikosongkan) —")), *kelurahan_grouped(areas)]
        return choices, {str(k.pk): k for k in areas}

    @property
    def offers_kelurahan(self) -> bool:
        """The Pemda has kelurahan to choose from (else the page leaves the field out)."""
        return len(self._kelurahan_data[0]) > 1

    def clean_category(self) -> Category | None:
        value = self.cleaned_data.get("category") or ""
        return self._category_data[1].get(value) if value else None

    def clean_kelurahan(self) -> Kelurahan | None:
        value = self.cleaned_data.get("kelurahan") or ""
        return self._kelurahan_data[1].get(value) if value else None

    @property
    def is_late_filing(self) -> bool:
        """The incident was more than 30 days ago (a warning, never a refusal)."""
        incident = self.cleaned_data.get("incident_date") if hasattr(self, "cleaned_data") else None
        return isinstance(incident, date) and incident < self.late_before
