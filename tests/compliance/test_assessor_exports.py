"""What an assessor downloads and prints: the indicator XLSX carries the score, category, zone and
opinion, readable source names, widths and number formats; the printed report uses decimal commas
in Indonesian and shows the per-indicator detail open."""

import io
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from aduan.compliance.models import ComplianceScore
from aduan.compliance.services import assessment_entry_record, score_compute


@pytest.fixture
def scored(pemda, opd, ombudsman, methodologies):
    for code in ("input", "proses", "output"):
        assessment_entry_record(
            pemda=pemda, year=2022, kind="dimension", code=code, value=D(90), user=ombudsman
        )
    assessment_entry_record(
        pemda=pemda, year=2022, kind="metric", code="followed_up_on_time_pct", value=D(62), user=ombudsman
    )
    score_compute(pemda_id=pemda.pk, year=2022)
    return pemda


def test_indicator_xlsx_carries_the_verdict_readable_sources_widths_and_formats(client, scored, ombudsman):
    client.force_login(ombudsman)
    url = reverse("compliance:export-pemda", args=[scored.pk, "indikator", "xlsx"]) + "?tahun=2022"
    sheet = load_workbook(io.BytesIO(client.get(url).content)).active
    snapshot = ComplianceScore.objects.get(pemda=scored, year=2022)

    top = {row[0]: row[1] for row in sheet.iter_rows(min_row=1, max_row=6, values_only=True)}
    assert top["Nilai kepatuhan"] == float(snapshot.total)
    assert top["Kategori"] == snapshot.category
    assert top["Opini"] == snapshot.opinion
    assert top["Zona"].startswith("Zona ")
    assert sheet.cell(3, 2).number_format == "0.00"
    header = [c.value for c in sheet[8]]
    assert header[:3] == ["Dimensi", "Bobot", "Nilai dimensi"]
    assert sheet.freeze_panes == "A9"
    sources = {row[5] for row in sheet.iter_rows(min_row=9, values_only=True)}
    assert sources <= {"Diisi Ombudsman", "Dihitung dari data Aduan", "Bukti dokumen", "Belum ada data"}
    assert "Dihitung dari data Aduan" in sources
    assert sheet.cell(9, 2).number_format == "0.00"  # the weight
    assert sheet.column_dimensions["E"].width > 20  # indicator names are long


def test_the_csv_stays_one_plain_table(client, scored, ombudsman):
    client.force_login(ombudsman)
    url = reverse("compliance:export-pemda", args=[scored.pk, "indikator", "csv"]) + "?tahun=2022"
    lines = client.get(url).content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Dimensi,Bobot,Nilai dimensi,")
    assert "Dihitung dari data Aduan" in "\n".join(lines)


def test_printed_report_uses_decimal_commas_and_readable_sources(client, scored, ombudsman):
    client.force_login(ombudsman)
    html = client.get(reverse("compliance:report", args=[scored.pk, 2022])).content.decode()
    text = re.sub(r"<(style|script)\b.*?</\1>|<[^>]+>", " ", html, flags=re.S)
    assert "ambang " in text
    assert not re.search(r"\d\.\d", text)  # no "65.00", "80.0" beside "83,95"
    assert re.search(r"ambang \d+,\d\d / \d+,\d\d", text)
    assert "Dihitung dari data Aduan" in text
