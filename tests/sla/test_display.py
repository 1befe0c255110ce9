"""Deadlines as people read them: a clock that runs out at local midnight is due by the end of the
last working day before it (holidays skipped); any other moment keeps its hour and zone."""

from datetime import UTC, date, datetime, time

import pytest
from django.utils import translation
from django.utils.formats import date_format
from hypothesis import given
from hypothesis import strategies as st

from aduan.sla.calendar import add_working_days
from aduan.sla.display import (
    SHORT_DAY,
    deadline_due_texts,
    due_text,
    end_of_working_day,
    last_working_day_before,
    short_day,
)
from aduan.sla.models import Deadline, Stage
from aduan.sla.public_holidays import build_calendar
from aduan.sla.services import calendar_cache_clear
from tests.factories import ComplaintFactory, PemdaFactory, wita

CAL = build_calendar(zone="Asia/Makassar", years=(2026, 2027))


def test_a_complaint_filed_on_sunday_is_verified_by_the_end_of_wednesday():
    filed = wita(2026, 12, 13, 10, 0)  # Sunday: counting starts on Monday 00:00
    due = add_working_days(filed, 3, CAL)
    assert due == wita(2026, 12, 17, 0, 0)  # the instant the API keeps
    assert end_of_working_day(due, CAL) == date(2026, 12, 16)
    with translation.override("id"):
        assert due_text(due, CAL, long=True) == "akhir hari kerja Rabu, 16 Desember 2026"
        assert due_text(due, CAL) == "akhir hari kerja 16-12-2026"
    with translation.override("en"):
        assert due_text(due, CAL, long=True) == "end of the working day Wednesday, 16 December 2026"


def test_christmas_eve_with_five_working_days_ends_on_4_january_because_5_january_is_a_holiday():
    filed = wita(2026, 12, 24, 9, 30)  # cuti bersama: counting starts on Monday 28 December
    due = add_working_days(filed, 5, CAL)
    assert due == wita(2027, 1, 6, 0, 0)
    assert not CAL.is_working_day(date(2027, 1, 5))  # Isra Mikraj
    assert last_working_day_before(date(2027, 1, 6), CAL) == date(2027, 1, 4)
    with translation.override("id"):
        assert due_text(due, CAL, long=True) == "akhir hari kerja Senin, 4 Januari 2027"


def test_any_other_moment_keeps_its_hour_and_zone():
    due = wita(2026, 12, 10, 3, 20).astimezone(UTC)
    assert end_of_working_day(due, CAL) is None
    with translation.override("id"):
        assert due_text(due, CAL, long=True) == "Kamis, 10 Desember 2026, 03:20 WITA"
        assert due_text(due, CAL) == "10-12-2026 03:20 WITA"
    assert due_text(None, CAL) == ""


@given(moment=st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 30)))
def test_the_short_form_written_by_hand_reads_as_django_formats_it(moment):
    """due_text's short form skips date_format (a list row's cost): it must read as Django writes
    it in both languages, for any day (years below 1000 padded as Django pads them), with its time."""
    local = moment.replace(tzinfo=CAL.zone)
    for language in ("id", "en"):
        with translation.override(language):
            assert short_day(moment.date()) == date_format(moment.date(), SHORT_DAY)
            if local.time() != time(0):  # a due time at midnight reads as the day before's end
                assert due_text(local, CAL) == f"{date_format(local, f'{SHORT_DAY} H:i')} {local.tzname()}"


@pytest.mark.django_db
def test_due_texts_of_many_clocks_read_each_calendar_once(default_policies, django_assert_num_queries):
    pemda = PemdaFactory()
    for _ in range(3):
        ComplaintFactory(pemda=pemda, now=wita(2026, 12, 13, 10, 0))
    clocks = list(Deadline.objects.filter(stage=Stage.VERIFICATION).select_related("complaint__pemda"))
    calendar_cache_clear()  # as in a fresh process
    with translation.override("id"), django_assert_num_queries(1):  # the Pemda's holiday overrides
        texts = deadline_due_texts(clocks)
    assert set(texts.values()) == {"akhir hari kerja 16-12-2026"}
