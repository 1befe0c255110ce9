"""The Python form renderer writes exactly what Django's templates write (aduan.core.form_render)."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from aduan.agencies.models import Kecamatan, Kelurahan
from aduan.core.form_render import TEMPLATES, PythonFormRenderer
from aduan.portal.forms import FilingForm
from tests.factories import CategoryFactory, OpdFactory, UserFactory

STOCK = DjangoTemplates()


class Everything(forms.Form):
    text = forms.CharField(label="Teks <b>", help_text=mark_safe("<em>aman</em>"), max_length=5)
    number = forms.IntegerField(required=False, initial=1234567)
    area = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "data-x": '"q"'}), required=False)
    pick = forms.ChoiceField(
        choices=[("", "—"), ("Grup & co", [("1", "satu"), ("2", "dua <2>")]), ("3", "tiga")], required=False
    )
    many = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple, required=False
    )
    radio = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.RadioSelect)
    grouped_radio = forms.ChoiceField(
        choices=[("G", [("p", "P"), ("q", "Q")])], widget=forms.RadioSelect, required=False
    )
    flag = forms.BooleanField(required=False, disabled=True)
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    upload = forms.FileField(required=False)


def _same(form_class, stock_kwargs, fast_kwargs):
    stock, fast = (
        form_class(**stock_kwargs, renderer=STOCK),
        form_class(**fast_kwargs, renderer=PythonFormRenderer()),
    )
    stock.is_bound and (stock.is_valid(), fast.is_valid())
    assert str(fast.non_field_errors()) == str(stock.non_field_errors())
    for name in stock.fields:
        a, b = stock[name], fast[name]
        assert b.as_field_group() == a.as_field_group(), name
        assert str(b) == str(a), name
        assert b.label_tag() == a.label_tag(), name
        assert str(b.errors) == str(a.errors), name
        if hasattr(a.field, "choices"):  # {% for choice in field %}{{ choice.tag }}
            assert [c.tag() for c in b] == [c.tag() for c in a], name
    return fast


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": "terlalu <panjang>", "pick": "2", "many": ["b"], "radio": "z", "when": "kemarin"},
        {"text": "ok", "pick": "1", "radio": "y", "flag": "on", "area": "<script>"},
    ],
)
def test_the_markup_is_django_s_byte_for_byte(data):
    kwargs = {} if data is None else {"data": data}
    _same(Everything, kwargs, kwargs)


def test_the_filing_form_is_rendered_as_django_renders_it(pemda):
    CategoryFactory(pemda=pemda, name="Jalan & jembatan")
    Kelurahan.objects.create(kecamatan=Kecamatan.objects.create(pemda=pemda, name="Kota"), name="Baru & Ulu")
    OpdFactory(pemda=pemda)
    for data in (None, {"title": "x", "classification": "bukan", "email": "salah", "kelurahan": "999"}):
        kwargs = {"pemda": pemda} | ({} if data is None else {"data": data})
        fast = _same(FilingForm, kwargs, kwargs)
    assert fast.errors  # the error path was compared too


def test_unknown_templates_go_to_the_template_engine():
    assert "django/forms/div.html" not in TEMPLATES
    form = Everything(renderer=PythonFormRenderer())
    assert str(form) == str(Everything(renderer=STOCK))


def test_the_staff_filter_panel_is_rendered_as_django_renders_it(rf, pemda):
    from aduan.complaints.filters import StaffComplaintFilter
    from aduan.complaints.models import Complaint

    request = rf.get("/staf/kotak-masuk/", {"status": ["submitted"], "sort": "bogus", "q": "<x>"})
    request.user = UserFactory()
    Kelurahan.objects.create(kecamatan=Kecamatan.objects.create(pemda=pemda, name="Kota"), name="Baru & Ulu")
    fast = StaffComplaintFilter(request.GET, queryset=Complaint.objects.all(), request=request).form
    assert isinstance(fast.renderer, PythonFormRenderer)
    stock = StaffComplaintFilter(request.GET, queryset=Complaint.objects.all(), request=request).form
    stock.renderer = STOCK
    fast.is_valid()
    stock.is_valid()
    assert fast.errors  # the bad sort is in the comparison
    for name in stock.fields:
        assert str(fast[name]) == str(stock[name]), name
        assert [c.tag() for c in fast[name]] == [c.tag() for c in stock[name]], name


def test_no_app_overrides_a_template_the_renderer_writes_itself():
    """An app's own django/forms/... template would be ignored by the Python renderer: there is none."""
    import django

    for name in TEMPLATES:
        origin = STOCK.get_template(name).origin.name
        assert origin.startswith(str(django.__path__[0])), (name, origin)


def test_the_staff_action_forms_are_drawn_in_python():
    from aduan.workspace import forms as staff_forms

    for form in (staff_forms.NoteForm(), staff_forms.FlagForm(), staff_forms.MergeForm()):
        assert isinstance(form.renderer, PythonFormRenderer)
        stock = type(form)(renderer=STOCK)
        for name in form.fields:
            assert form[name].as_field_group() == stock[name].as_field_group()
