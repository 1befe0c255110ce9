"""A form renderer that writes Django's own field and widget markup in Python.

Django renders every field group, label, error list, widget and each <option> or radio button
through a template of its own: a select of a few hundred kelurahan costs a few hundred template
renders. ``PythonFormRenderer`` produces the same bytes from the same context with plain string
building for the templates it knows (those of ``django/forms``: field group, label, error list,
input, textarea, select, radio and checkbox lists) and hands any other template to the template
engine. tests/core/test_form_render.py checks it against Django's renderer, byte for byte.

Use it for a hot public form: ``class MyForm(forms.Form): default_renderer = PythonFormRenderer()``.
"""

import html

from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

_CONTEXT = Context(autoescape=True)  # what {{ value }} sees: escaping and localisation on


def _var(value) -> str:
    """``{{ value }}`` (text is only escaped: localisation changes numbers and dates alone). The
    text is escaped as django.utils.html.escape does (html.escape), without its lazy-text wrapper:
    the callers mark the whole markup safe."""
    if isinstance(value, str):
        return value if isinstance(value, SafeData) else html.escape(value)
    if isinstance(value, Promise):
        return conditional_escape(str(value))
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what localize() makes of a whole number without grouping
    return render_value_in_context(value, _CONTEXT)


def _fmt(value) -> str:
    """``{{ value|stringformat:'s' }}``."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % (value,)  # noqa: UP031 - the filter's own formatting
    except (ValueError, TypeError):
        return ""
    # the filter keeps a safe value safe (it was escaped where it was made)
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)  # noqa: S308


def _attrs(attrs) -> str:
    """django/forms/widgets/attrs.html and django/forms/attrs.html."""
    out = []
    for name, value in (attrs or {}).items():
        if value is False:
            continue
        out.append(f" {_var(name)}" if value is True else f' {_var(name)}="{_fmt(value)}"')
    return "".join(out)


def _input(w: dict) -> str:
    value = f' value="{_fmt(w["value"])}"' if w["value"] is not None else ""
    return f'<input type="{_var(w["type"])}" name="{_var(w["name"])}"{value}{_attrs(w["attrs"])}>\n'


def _input_option(w: dict) -> str:
    if not w.get("wrap_label"):
        return _input(w) + "\n"
    label_for = f' for="{_var(w["attrs"]["id"])}"' if w["attrs"].get("id") else ""
    return f"<label{label_for}>{_input(w)} {_var(w['label'])}</label>\n"


def _select_option(w: dict) -> str:
    return f'<option value="{_fmt(w["value"])}"{_attrs(w["attrs"])}>{_var(w["label"])}</option>\n'


def _option(w: dict) -> str:
    render = OPTION_TEMPLATES.get(w["template_name"])
    if render is None:
        raise LookupError(w["template_name"])
    return render(w)


def _select(w: dict) -> str:
    out = [f'<select name="{_var(w["name"])}"{_attrs(w["attrs"])}>']
    for group_name, group_choices, _index in w["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_var(group_name)}">')
        for option in group_choices:
            out.append("\n  " + _option(option))
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>\n")
    return "".join(out)


def _multiple_input(w: dict) -> str:
    attrs = w["attrs"]
    out = ["<div"]
    if attrs.get("id"):
        out.append(f' id="{_var(attrs["id"])}"')
    if attrs.get("class"):
        out.append(f' class="{_var(attrs["class"])}"')
    out.append(">")
    for group, options, _index in w["optgroups"]:
        if group:
            out.append(f"\n  <div><label>{_var(group)}</label>")
        for option in options:
            out.append("<div>\n    " + _option(option) + "</div>")
        if group:
            out.append("\n  </div>")
    out.append("\n</div>\n")
    return "".join(out)


def _textarea(w: dict) -> str:
    value = _var(w["value"]) if w["value"] else ""
    return f'<textarea name="{_var(w["name"])}"{_attrs(w["attrs"])}>\n{value}</textarea>\n'


def _label(context: dict) -> str:
    if not context.get("use_tag"):
        return _var(context["label"])
    tag = _var(context["tag"])
    return f"<{tag}{_attrs(context.get('attrs'))}>{_var(context['label'])}</{tag}>\n"


def _errors(context: dict) -> str:
    errors = context["errors"]
    if not errors:
        return ""
    field_id = f' id="{_var(errors.field_id)}_error"' if getattr(errors, "field_id", None) else ""
    items = "".join(f"<li>{_var(error)}</li>" for error in errors)
    return f'<ul class="{_var(context["error_class"])}"{field_id}>{items}</ul>'


def _field(context: dict) -> str:
    field = context["field"]
    out = []
    if field.use_fieldset:
        described = field.aria_describedby
        aria = f' aria-describedby="{_var(described)}"' if described else ""
        out.append(f"\n  <fieldset{aria}>\n  {_var(field.legend_tag()) if field.label else ''}\n")
    else:
        out.append(f"\n  {_var(field.label_tag()) if field.label else ''}\n")
    out.append("\n")
    if field.help_text:
        helptext_id = f' id="{_var(field.auto_id)}_helptext"' if field.auto_id else ""
        help_text = mark_safe(field.help_text)  # noqa: S308 - {{ field.help_text|safe }}, as Django's
        out.append(f'<div class="helptext"{helptext_id}>{_var(help_text)}</div>')
    out.append(f"\n{_var(field.errors)}\n{_var(field)}")
    if field.use_fieldset:
        out.append("</fieldset>")
    out.append("\n")
    return "".join(out)


OPTION_TEMPLATES = {
    "django/forms/widgets/select_option.html": _select_option,
    "django/forms/widgets/radio_option.html": lambda w: _input_option(w) + "\n",
    "django/forms/widgets/checkbox_option.html": lambda w: _input_option(w) + "\n",
    "django/forms/widgets/input_option.html": _input_option,
}
_INPUTS = ("text", "email", "url", "number", "password", "hidden", "date", "datetime", "time", "search")
_INPUTS += ("tel", "color", "checkbox", "file")
TEMPLATES = {
    **{f"django/forms/widgets/{name}.html": lambda c: _input(c["widget"]) for name in _INPUTS},
    "django/forms/widgets/textarea.html": lambda c: _textarea(c["widget"]),
    "django/forms/widgets/select.html": lambda c: _select(c["widget"]),
    "django/forms/widgets/radio.html": lambda c: _multiple_input(c["widget"]),
    "django/forms/widgets/checkbox_select.html": lambda c: _multiple_input(c["widget"]),
    # one radio button or checkbox of a list, as {% for choice in field %}{{ choice.tag }} renders it
    **{name: (lambda c, render=render: render(c["widget"])) for name, render in OPTION_TEMPLATES.items()},
    "django/forms/label.html": _label,
    "django/forms/errors/list/default.html": _errors,
    "django/forms/errors/list/ul.html": _errors,
    "django/forms/field.html": _field,
}


class PythonFormRenderer(DjangoTemplates):
    """Django's form markup without a template render per field, label, widget or option."""

    def render(self, template_name, context, request=None):
        render = TEMPLATES.get(template_name)
        if render is None:
            return super().render(template_name, context, request=request)
        return render(context).strip()


PYTHON_RENDERER = PythonFormRenderer()


class PythonRenderedForm(forms.Form):
    """A plain form drawn by PYTHON_RENDERER (e.g. a FilterSet's ``Meta.form``)."""

    default_renderer = PYTHON_RENDERER
