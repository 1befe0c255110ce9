"""How a due moment reads to people (receipt, tracking page, staff pages, e-mails).

A clock of N working days that starts at 00:00 runs out at 00:00 of a later day, which really means
"by the end of the last working day before it": 00:00 on Wednesday 6 January 2027 (5 January being a
holiday) reads "akhir hari kerja Senin, 4 Januari 2027". Any other moment is shown with its hour and
its zone (WIB, WITA, WIT). The API keeps the exact instant; only its labels use these words.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .calendar import WorkCalendar

LONG_DAY = "l, j F Y"
SHORT_DAY = "d-m-Y"


def last_working_day_before(day: date, cal: WorkCalendar) -> date:
    """The last working day strictly before ``day``."""
    day -= timedelta(days=1)
    while not cal.is_working_day(day):
        day -= timedelta(days=1)
    return day


def end_of_working_day(due_at: datetime, cal: WorkCalendar) -> date | None:
    """The working day whose end ``due_at`` is, when it falls at local midnight; else None."""
    local = due_at.astimezone(cal.zone)
    if local.time() != time(0):
        return None
    return last_working_day_before(local.date(), cal)


def due_text(due_at: datetime | None, cal: WorkCalendar, *, long: bool = False) -> str:
    """``due_at`` as a person reads it, in the calendar's zone and the active language."""
    if due_at is None:
        return ""
    day = end_of_working_day(due_at, cal)
    if day is not None:
        return _("akhir hari kerja %(day)s") % {"day": date_format(day, LONG_DAY) if long else short_day(day)}
    local = due_at.astimezone(cal.zone)
    if long:
        return f"{date_format(local, f'{LONG_DAY}, H:i')} {local.tzname()}"
    return f"{short_day(local)} {local.hour:02d}:{local.minute:02d} {local.tzname()}"


def short_day(day: date) -> str:
    """``SHORT_DAY`` ("d-m-Y"): digits only, the same in every language, so written directly. A staff
    list shows one per row, and ``date_format`` (format lookup, then a formatter per call) cost a
    list page more than its clocks' arithmetic."""
    return f"{day.day:02d}-{day.month:02d}-{day.year:04d}"


def deadline_due_texts(deadlines) -> dict[int, str]:
    """``{deadline.pk: due_text}`` for many clocks, reading each Pemda's calendar once (the
    deadlines need ``complaint__pemda`` loaded). Used for staff e-mails and digests."""
    from .services import calendar_for  # services import models; this module stays light

    calendars: dict[int, WorkCalendar] = {}
    texts = {}
    for d in deadlines:
        pemda = d.complaint.pemda
        if pemda.pk not in calendars:
            calendars[pemda.pk] = calendar_for(pemda, around=d.due_at)
        texts[d.pk] = due_text(d.due_at, calendars[pemda.pk])
    return texts
