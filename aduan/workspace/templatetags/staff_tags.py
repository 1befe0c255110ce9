"""Row pieces of the staff lists, rendered in Python: a list page shows 50 rows, and two template
includes per row cost more than the rest of the page's rendering."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag
def countdown(value):
    """A deadline's state: working days left (or late), paused, or how it ended, coloured by css."""
    if not value:
        return "—"
    d = value.deadline
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
    title = f"{d.get_stage_display()}: {value.due_label}"
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
