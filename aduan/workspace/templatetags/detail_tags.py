"""Pieces of the staff complaint page drawn in Python: its form fields (as
``complaints/staff/_field.html`` draws each), the forms of the moves it offers and its lists
(clocks, OPD hops, timeline, notifications). The template engine costs a few hundred Python
calls per row and per field, more than the rest of the page; these produce the same bytes with
plain string building.
tests/workspace/test_detail_render.py checks each against the template markup it replaces."""

from datetime import datetime
from html import escape

from django import template
from django.template.base import render_value_in_context
from django.template.context import Context
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from .staff_tags import choice_label, countdown_span

register = template.Library()

_CONTEXT = Context(autoescape=True)
DASH = "—"


def _var(value) -> str:
    """``{{ value }}``: localised and escaped (unless safe), as a template draws it."""
    if type(value) is str:  # the common case, without the template machinery
        return escape(value)
    return render_value_in_context(value, _CONTEXT)


def _date(value, fmt: str) -> str:
    """``{{ value|date:fmt }}`` (in the current time zone; "" for no date). The page's two numeric
    formats are written directly (Django's formatter costs more than the rest of a row)."""
    if isinstance(value, datetime):
        local = template_localtime(value)
        if fmt == "d-m-Y H:i":
            return f"{local.day:02d}-{local.month:02d}-{local.year:04d} {local.hour:02d}:{local.minute:02d}"
        if fmt == "c":
            return local.isoformat()
    return conditional_escape(date_filter(template_localtime(value), fmt))


@register.filter
def display(obj, name: str) -> str:
    """``obj.get_<name>_display()`` with the labels read once per process and language
    (staff_tags.choice_label)."""
    return choice_label(obj, name)


def _safe(html: str) -> str:
    return mark_safe(html)  # noqa: S308 — values went through _var or _date; translations of
    # literals are trusted, as {% translate %} trusts them


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


def countdown_html(value) -> str:
    """``{% countdown value %}`` (workspace.templatetags.staff_tags) with the stage's label from
    ``display``: working days left (or late), paused, or how the clock ended."""
    return countdown_span(value, display(value.deadline, "stage"))


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
            late = gettext("terlampaui")  # (makemessages reads no call inside an f-string)
            breach = f'<strong class="breach">⚠ {late}{where}</strong>'
        rows.append(
            f'\n    <tr class="deadline-{_var(d.stage)}">'
            f"\n      <td>{_var(display(d, 'stage'))}</td>"
            f"\n      <td>{_var(opd) if opd else DASH}</td>"
            f'\n      <td class="when opt">{_date(d.started_at, "d-m-Y H:i")}</td>'
            f'\n      <td class="when">{_var(c.due_label)}</td>'
            f"\n      <td>{countdown_html(c)}</td>"
            f"\n      <td>{breach}</td>"
            "\n    </tr>"
        )
    return _safe("".join(rows))


@register.simple_tag
def hop_items(hops) -> str:
    """The OPDs that held the complaint, from when to when."""
    if not hops:
        none_yet = gettext("Belum didisposisikan.")
        return _safe(f'<li class="muted">{none_yet}</li>')
    items = []
    for hop in hops:
        ended = _date(hop.ended_at, "d-m-Y H:i") or gettext("sekarang")
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


@register.simple_tag(takes_context=True)
def action_forms(context) -> str:
    """The moves' forms of the actions panel (``action_forms``: move → form, the usual next one
    first and open), with the canned responses beside the follow-up's note."""
    request, complaint = context["request"], context["complaint"]
    bound_any, canned, canned_selected = context["bound_any"], context["canned"], context["canned_selected"]
    csrf_token = context.get("csrf_token")
    csrf = (
        format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token)
        if csrf_token
        else ""
    )
    current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
    path = _var(request.path)
    blocks = []
    for index, (action, form) in enumerate(context["action_forms"].items()):
        first = index == 0
        label = _var(form.label)
        is_open = form.is_bound or first and not bound_any or action == "follow_up" and canned_selected
        picker = ""
        if action == "follow_up" and canned:
            options = "".join(
                f'<option value="{_var(c.pk)}"{" selected" if canned_selected == f"{c.pk:d}" else ""}>'
                f"{_var(c.title)}</option>"
                for c in canned
            )
            pick_label, pick = gettext("Jawaban siap pakai"), gettext("Pakai")
            picker = (
                f'\n    <form method="get" action="{path}" class="canned-pick" hx-boost="false">'
                f'\n      <label for="canned-select">{pick_label}</label>'
                f'\n      <select name="canned" id="canned-select" hx-get="{path}" hx-trigger="change"'
                ' hx-target="#id_follow_up-note" hx-select="#id_follow_up-note" hx-swap="outerHTML">'
                f'\n        <option value="">{DASH}</option>{options}'
                "\n      </select>"
                f'\n      <button type="submit" class="small">{pick}</button>'
                "\n    </form>"
            )
        url = conditional_escape(
            reverse("complaints:staff-transition", args=[complaint.pk, action], current_app=current_app)
        )
        multipart = ' enctype="multipart/form-data" hx-boost="false"' if form.is_multipart() else ""
        schedule = hint = hold = ""
        if action == "schedule":
            schedule = _hint(
                gettext(
                    "Tanggal ini menjadi janji OPD kepada pelapor: lewat dari tanggal itu tanpa "
                    "selesai ditangani dihitung sebagai pelanggaran."
                )
            )
        if action == "dispatch":
            suggested, chosen = context["suggested_opd"], complaint.target_opd
            by_category, by_reporter = gettext("Saran dari kategori"), gettext("Pilihan pelapor")
            hint = (
                f'<p class="hint">{by_category}: <strong>'
                f"{_var(suggested) if suggested else DASH}</strong> · {by_reporter}: "
                f"<strong>{_var(chosen) if chosen else DASH}</strong></p>"
            )
        if action == "hold":
            hold = _hint(
                gettext("Pertanyaan dikirim kepada pelapor; tenggat berhenti sampai pelapor melengkapi.")
            )
        blocks.append(
            f'\n  <details class="action" data-action="{_var(action)}"{" open" if is_open else ""}>'
            f'\n    <summary class="button{" button-primary" if first else ""}">{label}</summary>'
            f"\n    {picker}"
            f'\n    <form method="post" action="{url}" class="stack"{multipart}>{csrf}'
            f"\n      {schedule}"
            f"\n      {_var(form.non_field_errors())}"
            f"\n      {hint}"
            f"\n      {hold}"
            f"\n      {staff_fields(form)}"
            f'\n      <button type="submit" class="button-primary">{label}</button>'
            "\n    </form>"
            "\n  </details>"
        )
    return _safe("".join(blocks))


def _hint(text: str) -> str:
    return f'<p class="hint">{text}</p>'
