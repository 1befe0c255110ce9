"""The dashboard: who may see what, sorting, drill-down links, exports, entering inputs."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from aduan.compliance.models import AssessmentEntry, EvidenceItem
from aduan.compliance.services import assessment_entry_record, score_compute
from tests.factories import ComplaintFactory, MembershipFactory, OpdFactory, PemdaFactory


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
    ComplaintFactory(pemda=pemda)
    return pemda


def test_anonymous_is_sent_to_the_staff_login(client, scored):
    response = client.get(reverse("compliance:pemda", args=[scored.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("complaints:staff-login"))


@pytest.mark.parametrize(
    "who", ["stranger", "petugas_other_pemda", "ombudsman_other_province", "koordinator_other"]
)
def test_outsiders_get_403_on_every_page_and_export(client, scored, stranger, who):
    other = PemdaFactory()
    user = {
        "stranger": stranger,
        "petugas_other_pemda": MembershipFactory(role="petugas_opd", opd=OpdFactory(pemda=other)).user,
        "ombudsman_other_province": MembershipFactory(role="ombudsman", province=other.province).user,
        "koordinator_other": MembershipFactory(role="koordinator", pemda=other).user,
    }[who]
    client.force_login(user)
    for url in [
        reverse("compliance:pemda", args=[scored.pk]),
        reverse("compliance:export-pemda", args=[scored.pk, "opd", "xlsx"]),
        reverse("compliance:report", args=[scored.pk, 2022]),
        reverse("compliance:evidence", args=[scored.pk]),
        reverse("compliance:assessment", args=[scored.pk, 2022]),
    ]:
        assert client.get(url).status_code == 403, url


def test_ombudsman_sees_the_score_card_decomposition_and_drill_links(client, scored, ombudsman):
    client.force_login(ombudsman)
    response = client.get(reverse("compliance:pemda", args=[scored.pk]), {"tahun": 2022, "periode": "2026"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Perkiraan Aduan — belum hasil resmi Ombudsman" in html
    assert f"/staf/?pemda={scored.pk}&amp;submitted_from=2026-01-01&amp;submitted_to=2026-12-31" in html
    assert f"/staf/?pemda={scored.pk}&amp;due=overdue" in html
    assert "<svg" in html
    assert "Reporter" not in html
    assert "Budi Santoso" not in html


def test_what_if_is_labelled_an_estimate(client, scored, ombudsman):
    client.force_login(ombudsman)
    response = client.get(
        reverse("compliance:pemda", args=[scored.pk]),
        {"tahun": 2022, "metrik": "followed_up_on_time_pct", "nilai": "90"},
    )
    html = response.content.decode()
    assert "Perkiraan — bukan hasil resmi Ombudsman" in html
    assert "berubah dari 62 menjadi 90" in html
    assert "dimensi Pengaduan akan bernilai 8,33 dan total 72,41" in html


def test_league_table_sorts_by_the_chosen_column(client, pemda, ombudsman, methodologies, default_policies):
    other = PemdaFactory(province=pemda.province, name="AAA Kota")
    for _ in range(3):
        ComplaintFactory(pemda=pemda)
    client.force_login(ombudsman)
    desc = client.get(reverse("compliance:index"), {"urut": "received", "arah": "desc"}).content.decode()
    asc = client.get(reverse("compliance:index"), {"urut": "received", "arah": "asc"}).content.decode()
    assert desc.index(f'data-pemda="{pemda.pk}"') < desc.index(f'data-pemda="{other.pk}"')
    assert asc.index(f'data-pemda="{other.pk}"') < asc.index(f'data-pemda="{pemda.pk}"')


def test_koordinator_sees_only_their_pemda(client, scored, koordinator):
    PemdaFactory(province=scored.province, name="Tetangga")
    client.force_login(koordinator)
    html = client.get(reverse("compliance:index")).content.decode()
    assert scored.name in html
    assert "Tetangga" not in html


def test_kepala_opd_sees_their_own_opd_only(client, scored, opd, kepala):
    client.force_login(kepala)
    response = client.get(reverse("compliance:index"))
    assert response["Location"] == reverse("compliance:opd", args=[scored.pk, opd.pk])
    assert client.get(response["Location"]).status_code == 200
    assert client.get(reverse("compliance:pemda", args=[scored.pk])).status_code == 403
    other_opd = OpdFactory(pemda=scored)
    assert client.get(reverse("compliance:opd", args=[scored.pk, other_opd.pk])).status_code == 403


@pytest.mark.parametrize("table", ["opd", "heatmap", "nilai"])
def test_exports_csv_and_xlsx(client, scored, opd, ombudsman, table):
    client.force_login(ombudsman)
    csv_response = client.get(reverse("compliance:export-pemda", args=[scored.pk, table, "csv"]))
    xlsx_response = client.get(reverse("compliance:export-pemda", args=[scored.pk, table, "xlsx"]))
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "attachment" in xlsx_response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(xlsx_response.content)).active.values)
    body = csv_response.content.decode("utf-8-sig").splitlines()
    assert len(rows) == len(body)
    if table == "nilai":
        snapshot = scored.compliance_scores.get()
        assert rows[1][:3] == (2022, float(snapshot.total), snapshot.category)
        assert body[1].startswith(f"2022,{snapshot.total},{snapshot.category},")


def test_ombudsman_enters_indicators_and_a_refused_form_keeps_what_was_typed(
    client, pemda, ombudsman, methodologies
):
    client.force_login(ombudsman)
    url = reverse("compliance:assessment", args=[pemda.pk, 2022])
    refused = client.post(url, {"indicator__in_toilet": "2", "dimension__output": "120", "note": "LHP 12"})
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "Nilai dimensi maksimal 100." in html
    assert 'value="120"' in html
    assert 'value="LHP 12"' in html
    assert '<option value="2" selected>' in html
    assert not AssessmentEntry.objects.exists()

    client.post(url, {"indicator__in_toilet": "2", "dimension__output": "86.23", "note": "LHP 12"})
    entries = {(e.code, e.value, e.entered_by_id, e.note) for e in AssessmentEntry.objects.all()}
    assert entries == {
        ("in_toilet", D(2), ombudsman.pk, "LHP 12"),
        ("output", D("86.23"), ombudsman.pk, "LHP 12"),
    }


def test_koordinator_cannot_enter_assessment_but_records_evidence(client, pemda, koordinator, methodologies):
    client.force_login(koordinator)
    assert client.get(reverse("compliance:assessment", args=[pemda.pk, 2022])).status_code == 403
    url = reverse("compliance:evidence", args=[pemda.pk])
    bad = client.post(url, {"kind": "sop", "title": "SOP", "document_date": "2022-02-01",
                            "file": SimpleUploadedFile("sop.pdf", b"not a pdf")})  # fmt: skip
    assert "Isi berkas bukan PDF, JPG atau PNG." in bad.content.decode()
    assert 'value="SOP"' in bad.content.decode()
    good = client.post(url, {"kind": "sop", "title": "SOP", "document_date": "2022-02-01",
                             "file": SimpleUploadedFile("sop.pdf", b"%PDF-1.4 sop")})  # fmt: skip
    assert good.status_code == 302
    item = EvidenceItem.objects.get()
    assert (item.kind, item.document_date, item.recorded_by) == ("sop", date(2022, 2, 1), koordinator)


def test_ombudsman_cannot_record_evidence(client, pemda, ombudsman, methodologies):
    client.force_login(ombudsman)
    response = client.post(reverse("compliance:evidence", args=[pemda.pk]), {"kind": "sop"})
    assert response.status_code == 403


def test_printable_report(client, scored, ombudsman):
    client.force_login(ombudsman)
    html = client.get(reverse("compliance:report", args=[scored.pk, 2022])).content.decode()
    assert "@media print" not in html  # the stylesheet carries it
    assert "Nilai kepatuhan" in html
    assert "Sidik masukan" in html
