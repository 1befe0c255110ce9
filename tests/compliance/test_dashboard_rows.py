"""The dashboard's OPD rows and heat-map rows drawn in Python (compliance_tags.render_opd_rows and
render_heat_rows) are the reference templates compliance/_opd_rows.html and _heat_rows.html byte
for byte: on rows with every kind of value (None, 0, whole numbers, Decimals with a decimal comma in
Indonesian, text with markup), in both languages; and a real dashboard page carries them."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal as D
from urllib.parse import urlencode

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from aduan.complaints.models import Status
from aduan.compliance.metrics import MonthCell
from aduan.compliance.templatetags.compliance_tags import render_heat_rows, render_opd_rows
from aduan.compliance.views.common import OPD_COLUMNS, _columns, drill
from tests.factories import ComplaintFactory, complaint_in_status


@dataclass
class FakeOpd:
    pk: int
    name: str

    def __str__(self):
        return self.name


def _rows():
    values = [
        {key: None for key, *_rest in OPD_COLUMNS},
        {key: 0 for key, *_rest in OPD_COLUMNS},
        {key: n for n, (key, *_rest) in enumerate(OPD_COLUMNS, start=7)},
        {key: D("12.5") + n for n, (key, *_rest) in enumerate(OPD_COLUMNS)},
        {key: 3.25 for key, *_rest in OPD_COLUMNS},
        {
            key: [1234, D("98765.4"), True, mark_safe("<i>x</i>"), gettext_lazy("Semua"), 2.5e6][n % 6]
            for n, (key, *_r) in enumerate(OPD_COLUMNS)
        },
        {},
    ]
    names = [
        'Dinas <Kesehatan> & "Gizi"',
        "Dinas PU",
        "BPBD",
        "Dinas O'Brien",
        "Satpol PP",
        "Besar",
        "Kosong",
    ]
    return [
        {
            "opd": FakeOpd(pk=1000 + i, name=name),
            "url": f"/kepatuhan/pemda/1/opd/{i}/?periode=2026&x=<y>",
            "performance": ["81.25", None, "0", "<b>", "100", "1234.5", None][i],
            "values": values[i],
            "drill": f"/staf/aduan/?opd={i}&submitted_from=2026-01-01",
            "drill_backlog": f"/staf/aduan/?opd={i}&status=baru&status=diverifikasi",
            "drill_breached": f"/staf/aduan/?opd={i}&breached=1",
        }
        for i, name in enumerate(names)
    ]


def _heat():
    months = [date(2026, m, 1) for m in range(6, 12)]
    cells = [MonthCell(), MonthCell(total=4, on_time=3), MonthCell(total=3, on_time=1), MonthCell(total=1)]
    return [
        {
            "opd": FakeOpd(pk=7, name="Dinas <Kesehatan> & Gizi"),
            "cells": [
                (m, cells[i % len(cells)], "#e5f5e0", "#111", f"/staf/aduan/?opd=7&m={i}&a=<b>")
                for i, m in enumerate(months)
            ],
        },
        {"opd": FakeOpd(pk=8, name="Dinas PU"), "cells": []},
    ]


@pytest.mark.parametrize("grouping", [False, True])
@pytest.mark.parametrize("language", ["id", "en"])
def test_opd_rows_are_the_reference_template_byte_for_byte(language, grouping, settings):
    settings.USE_THOUSAND_SEPARATOR = grouping
    columns = _columns(OPD_COLUMNS)
    with translation.override(language):
        reference = render_to_string("compliance/_opd_rows.html", {"rows": _rows(), "columns": columns})
        python = render_opd_rows(_rows(), columns)
    assert python == reference
    assert "&lt;Kesehatan&gt; &amp; &quot;Gizi&quot;" in python  # escaped, not dropped
    if language == "id":
        assert ">13,5<" in python  # Decimals take the language's decimal comma, as in the template
    assert (">1.234<" if language == "id" else ">1,234<") in python if grouping else ">1234<" in python


@pytest.mark.parametrize("language", ["id", "en"])
def test_heat_rows_are_the_reference_template_byte_for_byte(language):
    with translation.override(language):
        reference = render_to_string("compliance/_heat_rows.html", {"heat": _heat()})
        python = render_heat_rows(_heat())
    assert python == reference
    assert "·" in python
    assert 'title="3/4"' in python


def test_the_dashboard_page_carries_the_rows(client, pemda, opd, ombudsman, default_policies):
    empty = reverse("compliance:pemda", args=[pemda.pk])
    ComplaintFactory(pemda=pemda)
    client.force_login(ombudsman)
    response = client.get(empty)
    assert response.status_code == 200
    assert not response.context["heat"]
    assert "Belum ada tenggat tindak lanjut dalam 12 bulan ini." in response.content.decode()

    complaint_in_status(Status.FOLLOWED_UP, pemda=pemda, opd=opd)  # a follow-up clock met this month
    response = client.get(empty)
    html = response.content.decode()
    context = {"rows": response.context["rows"], "columns": response.context["columns"]}
    rows = render_to_string("compliance/_opd_rows.html", context)
    assert context["rows"]
    assert rows.strip()
    assert rows in html
    assert re.search(rf'<tr data-opd="{opd.pk}">', html)
    heat = response.context["heat"]
    assert heat
    assert render_to_string("compliance/_heat_rows.html", {"heat": heat}) in html
    assert "Belum ada tenggat tindak lanjut dalam 12 bulan ini." not in html


@pytest.mark.parametrize(
    "params",
    [
        {"pemda": 3, "opd": 41, "submitted_from": "2026-01-01", "submitted_to": "2026-12-31"},
        {"pemda": 3, "status": ["submitted", "on_hold"], "breached": 1, "empty": "", "none": None},
        {"q": "jalan & lampu", "kata": "Pelayanan ~ 100%", "nama": "Dinas Pekerjaan Umum/PUPR", "x": "é"},
        {"pemda": 1, "due": "overdue", "list": []},
        {"a": "a/b", "b": "a&b", "c": "a=b", "d": "a+b", "e": "100%", "f": "x:y", "g": "#1", "h": "a?b"},
        {"day": date(2026, 1, 31), "flag": True, "off": False, "lazy": gettext_lazy("Semua"), "n": 0},
        {"weird key": "x", "k&y": 1},
    ],
)
def test_drill_links_are_what_urlencode_makes(params):
    expected = [
        (key, str(v))
        for key, value in params.items()
        if value not in (None, "", [])
        for v in (value if isinstance(value, list) else [value])
    ]
    assert drill(**params) == f"{reverse('complaints:staff-list')}?{urlencode(expected)}"
