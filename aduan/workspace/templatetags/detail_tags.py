"""Pieces of the staff complaint page drawn in Python: each form field as
``complaints/staff/_field.html`` draws it (the page has up to a dozen forms, and an include per
field cost more than the rest of its forms). tests/workspace/test_detail_render.py checks them
against the templates, byte for byte."""

from django import template
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.safestring import mark_safe

register = template.Library()

_CONTEXT = Context(autoescape=True)


def _var(value) -> str:
    """``{{ value }}``: escaped (unless safe) and localised as a template would."""
    return render_value_in_context(value, _CONTEXT)


def field_html(f) -> str:
    """One bound field, exactly as ``{% include "complaints/staff/_field.html" %}`` draws it."""
    errors = f.errors
    if getattr(f.field.widget, "input_type", None) == "checkbox":
        inner = f'<label class="check">{_var(f)} {_var(f.label)}</label>'
    else:
        inner = f'<label for="{_var(f.id_for_label)}">{_var(f.label)}</label>{_var(f)}'
    error_html = "".join(f'<span class="error" role="alert">{_var(e)}</span>' for e in errors)
    has_error = " has-error" if errors else ""
    return f'<div class="field field-{_var(f.name)}{has_error}">{inner}{error_html}</div>\n'


@register.simple_tag
def staff_fields(form) -> str:
    """``{% for f in form %}{% include "complaints/staff/_field.html" %}{% endfor %}``."""
    return mark_safe("".join(field_html(f) for f in form))  # noqa: S308 — every part escaped above
