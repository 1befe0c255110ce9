"""The staff lists' pieces drawn without a template per row: the countdown and badges, the whole
queue table (``queue_table``, the same bytes as complaints/staff/_table.html) and the filter panel
kept per role scope, language and address (``filter_panel``). A list page shows 50 rows; drawn by
the template engine, its table cost more than the rest of the page's work together."""

import time

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from aduan.core.form_render import _var

register = template.Library()

_LABELS: dict = {}


def choice_label(instance, name: str) -> str:
    """``instance.get_<name>_display()`` without Django's cost per call (it rebuilds the field's
    choice dict, translating every label): the labels are read once per process and language."""
    key = (type(instance), name, get_language())
    labels = _LABELS.get(key)
    if labels is None:
        field = instance._meta.get_field(name)
        labels = _LABELS[key] = {make_hashable(k): str(v) for k, v in field.flatchoices}
    value = getattr(instance, name)
    return force_str(labels.get(make_hashable(value), value), strings_only=True)


@register.simple_tag
def countdown(value):
    """A deadline's state: working days left (or late), paused, or how it ended, coloured by css."""
    if not value:
        return "—"
    return countdown_span(value, choice_label(value.deadline, "stage"))


def countdown_span(value, stage_label: str) -> str:
    """``countdown``'s markup with the stage's label given (the complaint page keeps its own)."""
    if not value.is_open:
        text = _("selesai, terlambat") if value.breached else _("selesai tepat waktu")
    elif value.paused:
        text = _("dijeda")
    elif value.days_late:
        n = value.days_late
        text = ngettext("terlambat %(n)s hari kerja", "terlambat %(n)s hari kerja", n) % {"n": n}
    elif value.breached:
        text = _("terlambat")
    else:
        n = value.days_left
        text = ngettext("%(n)s hari kerja lagi", "%(n)s hari kerja lagi", n) % {"n": n}
    title = f"{stage_label}: {value.due_label}"
    return format_html('<span class="countdown {}" title="{}">{}</span>', value.css, title, text)


@register.simple_tag
def badges(complaint):
    """Flags shown beside a ticket number: monitored by the Ombudsman, anonim, rahasia."""
    items = []
    if getattr(complaint, "is_flagged", False):
        label = _("Dipantau Ombudsman")
        items.append(format_html(' <span class="badge badge-flag" title="{}">{}</span>', label, label))
    if complaint.is_anonymous:
        items.append(format_html(' <span class="badge">{}</span>', _("anonim")))
    if complaint.is_confidential:
        items.append(format_html(' <span class="badge">{}</span>', _("rahasia")))
    return format_html_join("", "{}", ((i,) for i in items))


# --- The queue table (complaints/staff/_table.html, in Python) -----------------------------------
# A list page shows up to 50 rows; drawn by the template engine, the table cost more than the
# rest of the page's work together. ``queue_table`` writes the same bytes: the template stays
# as the reference and tests/workspace/test_queue_table.py compares the two on varied rows.

_PK = 987654321  # a pk no URL prefix contains: reverse() once per page, then the pk is put in


def _url_around(name: str, *args) -> tuple[str, str]:
    before, after = reverse(name, args=[_PK, *args]).split(str(_PK))
    return conditional_escape(before), conditional_escape(after)


def _csrf_input(token) -> str:
    """``{% csrf_token %}``."""
    if not token or token == "NOTPROVIDED":  # noqa: S105 - Django's marker of no token
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


def _head(*, queue, selectable, show_pemda, show_assignee, show_risk, row_actions) -> str:
    out = ['<div class="table-scroll">\n<table class="queue">\n  <thead><tr>']
    if selectable:
        out.append(f'<th scope="col"><span class="visually-hidden">{_("Pilih")}</span></th>')
    out.append(f'\n    <th scope="col">{_("Aduan")}</th><th scope="col">{_("Status")}</th>\n    ')
    if show_pemda:
        out.append(f'<th scope="col">{_("Pemda")}</th>')
    opd = _("OPD disarankan") if queue == "triage" else _("OPD")
    out.append(f'\n    <th scope="col">{opd}</th>\n    ')
    if show_assignee:
        out.append(f'<th scope="col">{_("Petugas")}</th>')
    due = _("Sisa waktu verifikasi") if queue == "triage" else _("Tenggat terdekat")
    out.append(f'\n    <th scope="col">{due}</th>\n    ')
    if show_risk:
        note = _(
            "Perkiraan peluang tenggat terlampaui, dihitung dari riwayat OPD setahun terakhir. "
            "Hanya perkiraan."
        )
        label = _("Perkiraan risiko terlambat")
        out.append(f'<th scope="col" class="risk-h"><abbr title="{note}">{label}</abbr></th>')
    out.append("\n    ")
    if row_actions:
        out.append(f'<th scope="col"><span class="visually-hidden">{_("Tindakan")}</span></th>')
    out.append("\n  </tr></thead>\n  <tbody>\n  ")
    return "".join(out)


def _num(value) -> str:
    """``{{ number }}`` of an int: localize() groups digits only with USE_THOUSAND_SEPARATOR."""
    return _var(value) if settings.USE_THOUSAND_SEPARATOR else str(value)


class _Table:
    """What every row of one table shares: flags, URLs, the form token, labels."""

    def __init__(self, *, queue, request, user, staff_me, csrf_token, flags):
        self.queue = queue
        self.flags = flags
        self.detail = _url_around("complaints:staff-detail")
        self.next_input = f'<input type="hidden" name="next" value="{_var(request.get_full_path())}">'
        self.csrf = _csrf_input(csrf_token)
        self.may_take = queue == "inbox" and staff_me.is_petugas
        if self.may_take:
            self.assign = _url_around("complaints:staff-assign")
            self.assignee = f'<input type="hidden" name="assignee" value="{user.pk}">'
        if queue == "triage":
            self.dispatch = _url_around("complaints:staff-transition", "dispatch")
        self.categories: dict = {}  # str(category) once per category (its parent's name is in it)
        self.months: dict = {}
        self.estimate = _("(perkiraan)")
        self.unassigned = f'<span class="muted">{_("belum ditugaskan")}</span>'
        self.reporter_choice = _("pilihan pelapor")

    def category(self, complaint) -> str:
        key = complaint.category_id
        if key not in self.categories:
            self.categories[key] = _var(complaint.category) if complaint.category else ""
        return self.categories[key]

    def when(self, value) -> str:
        """``{{ value|date:"d M Y H:i" }}``."""
        local = template_localtime(value)
        month = self.months.get(local.month)
        if month is None:
            month = self.months[local.month] = MONTHS_3[local.month].title()
        return conditional_escape(
            f"{local.day:02d} {month} {local.year:04d} {local.hour:02d}:{local.minute:02d}"
        )

    def risk(self, risk) -> str:
        """complaints/staff/_risk.html."""
        if not risk:
            return '<span class="muted">—</span>'
        percent = _num(risk.percent)
        title = _("Perkiraan: %(p)s%% peluang tenggat terlampaui") % {"p": percent}
        return (
            f'<span class="risk risk-{_var(risk.css)}" title="{title}">≈{percent}%'
            f'<span class="visually-hidden"> {self.estimate}</span></span>'
        )

    def row(self, row) -> str:
        c, f = row.complaint, self.flags
        pk = str(c.pk)  # ids, values and URLs: never grouped (as |unlocalize and {% url %})
        out = [f'\n    <tr id="row-{pk}">\n      ']
        if f["selectable"]:
            label = _("Pilih %(t)s") % {"t": _var(c.ticket_number)}
            out.append(
                f'<td><input type="checkbox" name="complaints" value="{pk}" form="bulk-form" '
                f'aria-label="{label}"></td>'
            )
        category = self.category(c)
        out.append(
            f'\n      <td class="subject"><a class="ticket" href="{self.detail[0]}{pk}{self.detail[1]}">'
            f"{_var(c.ticket_number)}</a>{badges(c)}\n"
            f'        <div class="title">{_var(c.title)}</div>\n'
            f'        <div class="muted">{category}{" · " if c.category else ""}'
            f"{self.when(c.submitted_at)} · "
            f'<span class="channel">{_var(choice_label(c, "channel"))}</span>'
        )
        if c.supporters_count:
            out.append(f" · +{_num(c.supporters_count)}")
        out.append(
            f'</div></td>\n      <td><span class="status status-{_var(c.status)}">'
            f"{_var(choice_label(c, 'status'))}</span></td>\n      "
        )
        if f["show_pemda"]:
            out.append(f"<td>{_var(c.pemda.name)}</td>")
        out.append(f"\n      <td>{self.opd_cell(c)}</td>\n      ")
        if f["show_assignee"]:
            person = c.assigned_to
            shown = _var(person.full_name or person.email) if person else self.unassigned
            out.append(f"<td>{shown}</td>")
        out.append(f"\n      <td>{conditional_escape(countdown(row.countdown))}</td>\n      ")
        if f["show_risk"]:
            out.append(f"<td>{self.risk(row.risk)}</td>")
        out.append("\n      ")
        if f["row_actions"]:
            out.append(f'<td class="row-actions">{self.actions(c)}</td>')
        out.append("\n    </tr>\n  ")
        return "".join(out)

    def opd_cell(self, c) -> str:
        if self.queue != "triage":
            return _var(c.current_opd.name) if c.current_opd and c.current_opd.name else "—"
        suggested = c.category.default_opd if c.category else None
        out = _var(suggested.name) if suggested and suggested.name else "—"
        if c.target_opd and c.target_opd != suggested:
            out += f'<div class="muted">{self.reporter_choice}: {_var(c.target_opd.name)}</div>'
        return out

    def actions(self, c) -> str:
        suggested = c.category.default_opd if c.category else None
        if self.queue == "triage" and c.status == "submitted" and suggested:
            return (
                f'\n        <form method="post" action="{self.dispatch[0]}{c.pk}{self.dispatch[1]}">'
                f"{self.csrf}\n"
                f'          <input type="hidden" name="dispatch-opd" value="{suggested.pk}">'
                f"{self.next_input}\n"
                f'          <button type="submit" class="small">{_("Disposisikan")}</button></form>\n        '
            )
        if self.may_take and not c.assigned_to:
            return (
                f'\n        <form method="post" action="{self.assign[0]}{c.pk}{self.assign[1]}">'
                f"{self.csrf}\n"
                f"          {self.assignee}{self.next_input}\n"
                f'          <button type="submit" class="small">{_("Ambil")}</button></form>'
            )
        return ""


def render_queue_table(
    rows,
    *,
    queue,
    request,
    user,
    staff_me,
    csrf_token,
    selectable=False,
    show_pemda=False,
    show_assignee=False,
    show_risk=False,
    row_actions=False,
) -> str:
    """complaints/staff/_table.html for ``rows`` (staff_common.Row), byte for byte."""
    flags = {
        "selectable": selectable,
        "show_pemda": show_pemda,
        "show_assignee": show_assignee,
        "show_risk": show_risk,
        "row_actions": row_actions,
    }
    out = [_head(queue=queue, **flags)]
    if rows:
        table = _Table(
            queue=queue, request=request, user=user, staff_me=staff_me, csrf_token=csrf_token, flags=flags
        )
        out.extend(table.row(row) for row in rows)
    else:
        out.append(f'\n    <tr><td colspan="8">{_("Tidak ada aduan yang cocok.")}</td></tr>\n  ')
    out.append("\n  </tbody>\n</table>\n</div>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped where it is put in


@register.simple_tag(takes_context=True)
def queue_table(context, **flags):
    """``{% include "complaints/staff/_table.html" with ... %}`` without the template engine."""
    return render_queue_table(
        context.get("rows") or [],
        queue=context.get("queue"),
        request=context["request"],
        user=context.get("user"),
        staff_me=context.get("staff_me"),
        csrf_token=context.get("csrf_token"),
        **flags,
    )


# --- The filter panel -----------------------------------------------------------------------------
# complaints/staff/_filters.html shows the same lists and the same submitted values to everyone of
# one role scope asking for the same address: each process keeps the drawn panel per queue, fields,
# scope, language and address for FILTER_PANEL_SECONDS, as long as the lists it shows are kept
# (staff_queues: a saved or deleted Pemda, OPD, category or area row clears both at once).
FILTER_PANEL_SECONDS = 60
FILTER_PANELS_KEPT = 128  # a panel with a Pemda's kelurahan is tens of kilobytes
_panels: dict = {}


def filter_panels_clear() -> None:
    _panels.clear()


@register.simple_tag(takes_context=True)
def filter_panel(context):
    """``{% include "complaints/staff/_filters.html" %}``, drawn once per key and kept a while."""

    def drawn():
        return context.template.engine.get_template("complaints/staff/_filters.html").render(context)

    me, request = context.get("staff_me"), context.get("request")
    if me is None or request is None:
        return drawn()
    fields = context.get("filter_fields")
    scope = (me.ombudsman_province_ids, me.koordinator_pemda_ids, me.opd_ids)
    key = (context.get("queue"), tuple(fields or ()), scope, get_language(), request.get_full_path())
    clock = time.monotonic()
    hit = _panels.get(key)
    if hit is None or clock >= hit[1]:
        if len(_panels) >= FILTER_PANELS_KEPT:
            _panels.clear()
        hit = _panels[key] = (drawn(), clock + FILTER_PANEL_SECONDS)
    return hit[0]
