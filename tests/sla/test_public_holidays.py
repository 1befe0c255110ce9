"""National holidays (SKB 3 Menteri) from the ``holidays`` package, and calendar overrides."""

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from aduan.sla.public_holidays import build_calendar, national_holidays

# SKB Menag/Menaker/MenPAN-RB No. 1497/2025, 2/2025, 5/2025 on 2026 holidays: 17 national holidays + 8 cuti
# bersama. Idul Fitri 1447 H is Saturday-Sunday 21-22 March with cuti bersama Friday 20 and Monday-Tuesday
# 23-24 March; Nyepi is Thursday 19 March with cuti bersama Wednesday 18 March.
NATIONAL_2026 = {
    date(2026, 1, 1),  # Tahun Baru Masehi
    date(2026, 1, 16),  # Isra Mikraj
    date(2026, 2, 17),  # Tahun Baru Imlek
    date(2026, 3, 19),  # Hari Suci Nyepi
    date(2026, 3, 21),  # Idul Fitri (1 Syawal)
    date(2026, 3, 22),  # Idul Fitri (2 Syawal)
    date(2026, 4, 3),  # Wafat Yesus Kristus
    date(2026, 4, 5),  # Kebangkitan Yesus Kristus
    date(2026, 5, 1),  # Hari Buruh
    date(2026, 5, 14),  # Kenaikan Yesus Kristus
    date(2026, 5, 27),  # Idul Adha
    date(2026, 5, 31),  # Waisak
    date(2026, 6, 1),  # Hari Lahir Pancasila
    date(2026, 6, 16),  # Tahun Baru Islam
    date(2026, 8, 17),  # Hari Kemerdekaan
    date(2026, 8, 25),  # Maulid Nabi
    date(2026, 12, 25),  # Natal
}
CUTI_BERSAMA_2026 = {
    date(2026, 2, 16),  # Imlek
    date(2026, 3, 18),  # Nyepi
    date(2026, 3, 20),  # Idul Fitri
    date(2026, 3, 23),  # Idul Fitri
    date(2026, 3, 24),  # Idul Fitri
    date(2026, 5, 15),  # Kenaikan Yesus Kristus
    date(2026, 5, 28),  # Idul Adha
    date(2026, 12, 24),  # Natal
}
MAKASSAR = ZoneInfo("Asia/Makassar")


def test_decree_counts_are_17_national_and_8_cuti_bersama():
    assert len(NATIONAL_2026) == 17
    assert len(CUTI_BERSAMA_2026) == 8
    assert not NATIONAL_2026 & CUTI_BERSAMA_2026


def test_national_holidays_2026_match_the_decree_exactly():
    got = national_holidays(2026)
    assert set(got) == NATIONAL_2026 | CUTI_BERSAMA_2026
    assert len(got) == 25
    assert list(got) == sorted(got)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 3, 18), "Cuti Bersama Hari Suci Nyepi"),
        (date(2026, 3, 19), "Hari Suci Nyepi"),
        (date(2026, 3, 20), "Cuti Bersama Hari Raya Idul Fitri"),
        (date(2026, 3, 21), "Hari Raya Idul Fitri"),
        (date(2026, 3, 22), "Hari kedua dari Hari Raya Idul Fitri"),
        (date(2026, 3, 23), "Cuti Bersama Hari Raya Idul Fitri"),
        (date(2026, 3, 24), "Cuti Bersama Hari Raya Idul Fitri"),
        (date(2026, 12, 24), "Cuti Bersama Hari Raya Natal"),
        (date(2026, 12, 25), "Hari Raya Natal"),
    ],
)
def test_names_are_indonesian(day, name):
    assert national_holidays([2026])[day] == name


def test_several_years_and_empty():
    got = national_holidays(range(2025, 2028))
    assert {d.year for d in got} == {2025, 2026, 2027}
    assert {d for d in got if d.year == 2026} == NATIONAL_2026 | CUTI_BERSAMA_2026
    assert national_holidays([]) == {}


def test_build_calendar_without_overrides():
    cal = build_calendar(zone="Asia/Makassar", years=[2026])
    assert cal.zone == MAKASSAR
    assert cal.holidays == frozenset(NATIONAL_2026 | CUTI_BERSAMA_2026)
    assert cal.working_exceptions == frozenset()
    assert not cal.is_working_day(date(2026, 3, 18))  # cuti bersama Nyepi, a Wednesday
    assert cal.is_working_day(date(2026, 3, 17))  # an ordinary Tuesday
    assert not cal.is_working_day(date(2026, 3, 14))  # an ordinary Saturday


def test_override_adds_a_holiday():
    friday = date(2026, 7, 10)  # an ordinary Friday, made a holiday by a (hypothetical) Keppres
    cal = build_calendar(zone=MAKASSAR, years=[2026], overrides=[(friday, True)])
    assert friday in cal.holidays
    assert not cal.is_working_day(friday)
    assert len(cal.holidays) == 26


def test_override_cancels_a_cuti_bersama():
    cal = build_calendar(zone=MAKASSAR, years=[2026], overrides=[(date(2026, 12, 24), False)])
    assert date(2026, 12, 24) not in cal.holidays
    assert cal.working_exceptions == frozenset()  # a Thursday needs no weekend exception
    assert cal.is_working_day(date(2026, 12, 24))


def test_override_makes_a_saturday_a_working_day():
    saturday = date(2026, 7, 11)
    cal = build_calendar(zone=MAKASSAR, years=[2026], overrides=[(saturday, False)])
    assert cal.working_exceptions == frozenset({saturday})
    assert cal.is_working_day(saturday)
    assert not cal.is_working_day(date(2026, 7, 12))  # the Sunday after stays off


def test_override_makes_a_saturday_holiday_a_working_day():
    idul_fitri = date(2026, 3, 21)  # a Saturday that is also a national holiday
    cal = build_calendar(zone=MAKASSAR, years=[2026], overrides=[(idul_fitri, False)])
    assert idul_fitri not in cal.holidays
    assert idul_fitri in cal.working_exceptions
    assert cal.is_working_day(idul_fitri)


def test_overrides_apply_in_order_and_the_last_wins():
    saturday = date(2026, 7, 11)
    cal = build_calendar(zone=MAKASSAR, years=[2026], overrides=[(saturday, False), (saturday, True)])
    assert saturday in cal.holidays
    assert saturday not in cal.working_exceptions
    assert not cal.is_working_day(saturday)

    nyepi = date(2026, 3, 19)
    cal = build_calendar(zone=MAKASSAR, years=[2026], overrides=[(nyepi, False), (nyepi, True)])
    assert not cal.is_working_day(nyepi)
    cal = build_calendar(zone=MAKASSAR, years=[2026], overrides=[(nyepi, True), (nyepi, False)])
    assert cal.is_working_day(nyepi)
