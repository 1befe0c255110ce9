"""Pieces of the staff complaint page drawn in Python: its form fields (as
``complaints/staff/_field.html`` draws each) and its lists (clocks, OPD hops, timeline,
notifications). The template engine costs a few hundred Python calls per row and per field, more
than the rest of the page; these produce the same bytes with plain string building.
tests/workspace/test_detail_render.py checks each against the template markup it replaces."""

from django import template
from django.template.base import render_value_in_context
from django.template.context import Context
from django.template.defaultfilters import date as date_filter
from django.utils.encoding import force_str
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from .staff_tags import countdown

register = template.Library()

_CONTEXT = Context(autoescape=True)
DASH = "—"


def _var(value) -> str:
    """``{{ value }}``: localised and escaped (unless safe), as a template draws it."""
    return render_value_in_context(value, _CONTEXT)


def _date(value, fmt: str) -> str:
    """``{{ value|date:fmt }}`` (in the current time zone; "" for no date)."""
    return conditional_escape(date_filter(template_localtime(value), fmt))


def _translate(message: str) -> str:
    """``{% translate message %}``."""
    return conditional_escape(gettext(message))


_LABELS: dict = {}


@register.filter
def display(obj, name: str) -> str:
    """``obj.get_<name>_display()`` from the field's choices read once per process: Django's own
    rebuilds the choices and translates every label on each call (to hash them)."""
    key = (type(obj), name)
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = dict(obj._meta.get_field(name).flatchoices)
    value = getattr(obj, name)
    return force_str(labels.get(value, value), strings_only=True)


def _safe(html: str) -> str:
    return mark_safe(html)  # noqa: S308 — every value in it went through _var, _date or _translate


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
    return _safe("".join(field_html(f) for f in form))


@register.simple_tag
def deadline_rows(countdowns) -> str:
    """The clocks table's rows (``workspace.views.staff_common.Countdown`` each)."""
    if not countdowns:
        return _safe(f'<tr><td colspan="6">{DASH}</td></tr>')
    rows = []
    for c in countdowns:
        d = c.deadline
        opd = d.opd
        breach = DASH
        if d.breached_at:
            where = f" {DASH} {_var(opd)}" if opd else ""
            breach = f'<strong class="breach">⚠ {_translate("terlampaui")}{where}</strong>'
        rows.append(
            f'\n    <tr class="deadline-{_var(d.stage)}">'
            f"\n      <td>{_var(display(d, 'stage'))}</td>"
            f"\n      <td>{_var(opd) if opd else DASH}</td>"
            f'\n      <td class="when opt">{_date(d.started_at, "d-m-Y H:i")}</td>'
            f'\n      <td class="when">{_var(c.due_label)}</td>'
            f"\n      <td>{conditional_escape(countdown(c))}</td>"
            f"\n      <td>{breach}</td>"
            "\n    </tr>"
        )
    return _safe("".join(rows))


@register.simple_tag
def hop_items(hops) -> str:
    """The OPDs that held the complaint, from when to when."""
    if not hops:
        return _safe(f'<li class="muted">{_translate("Belum didisposisikan.")}</li>')
    items = []
    for hop in hops:
        ended = _date(hop.ended_at, "d-m-Y H:i") or _var(gettext("sekarang"))
        items.append(f"<li>{_var(hop.opd)}: {_date(hop.started_at, 'd-m-Y H:i')} – {ended}</li>")
    return _safe("".join(items))


@register.simple_tag
def timeline_items(events) -> str:
    """The timeline (each event with its ``action_label``, set by the view)."""
    items = []
    for e in events:
        status = ""
        if e.from_status != e.to_status:
            before, after = display(e, "from_status") or "∅", display(e, "to_status")
            status = f"({_var(before)} → {_var(after)})"
        actor = f" {_var(e.actor)}" if e.actor and e.actor_role != "citizen" else ""
        opd = f" · {_var(e.opd)}" if e.opd else ""
        note = f'<br><span class="prose">{_var(e.note)}</span>' if e.note else ""
        items.append(
            f'\n  <li class="event-{_var(e.action)}"><time datetime="{_date(e.created_at, "c")}">'
            f"{_date(e.created_at, 'd-m-Y H:i T')}</time> — <strong>{_var(e.action_label)}</strong>"
            f"\n    {status} · {_var(display(e, 'actor_role'))}{actor}{opd}"
            f"\n    {note}</li>"
        )
    return _safe("".join(items))


@register.simple_tag
def notification_rows(notifications) -> str:
    """The outbox rows (``shown_address`` and ``shown_error`` set by the view for this viewer)."""
    if not notifications:
        return _safe(f'<tr><td colspan="5">{DASH}</td></tr>')
    rows = []
    for n in notifications:
        sent = f" {_date(n.sent_at, 'd-m-Y H:i')}" if n.sent_at else ""
        error = f"<br><small>{_var(n.shown_error)}</small>" if n.shown_error else ""
        rows.append(
            f'\n    <tr><td class="when">{_date(n.created_at, "d-m-Y H:i")}</td><td>{_var(n.kind)}</td>'
            f"<td>{_var(display(n, 'audience'))}: {_var(n.shown_address)}</td>"
            f'\n        <td class="delivery-{_var(n.state)}">{_var(display(n, "state"))}{sent}{error}</td>'
            f"\n        <td>{_var(n.attempts)}</td></tr>"
        )
    return _safe("".join(rows))
