"""Score snapshots: reproducible, idempotent, immutable once made; entries validated and kept with
who and when; the Celery task and the demo's Balikpapan story."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from aduan.agencies.models import Pemda
from aduan.compliance.models import AssessmentEntry, ComplianceScore, EntryKind
from aduan.compliance.services import (
    assessment_entry_record,
    current_entries,
    evidence_record,
    score_compute,
    score_publish,
    score_reproduce,
)
from aduan.compliance.tasks import recompute
from aduan.core.exceptions import InvalidInput
from tests.factories import wita

NOW = wita(2026, 11, 20, 12)


@pytest.fixture
def entered(pemda, ombudsman, methodologies):
    for code in ("input", "proses", "output"):
        assessment_entry_record(
            pemda=pemda, year=2022, kind=EntryKind.DIMENSION, code=code, value=D(90), user=ombudsman
        )
    assessment_entry_record(
        pemda=pemda,
        year=2022,
        kind=EntryKind.METRIC,
        code="followed_up_on_time_pct",
        value=D(62),
        user=ombudsman,
    )
    return pemda


def test_recompute_with_the_same_inputs_returns_the_same_snapshot(entered):
    first, created = score_compute(pemda_id=entered.pk, year=2022, now=NOW)
    again, created_again = score_compute(pemda_id=entered.pk, year=2022, now=NOW)

    assert created is True
    assert created_again is False
    assert again.pk == first.pk
    assert ComplianceScore.objects.count() == 1
    assert score_reproduce(first).total == first.total


def test_a_changed_input_makes_a_new_snapshot_and_leaves_the_published_one_unchanged(entered, ombudsman):
    first, _c = score_compute(pemda_id=entered.pk, year=2022, now=NOW)
    score_publish(snapshot_id=first.pk, user=ombudsman, now=NOW)
    before = ComplianceScore.objects.values().get(pk=first.pk)

    assessment_entry_record(
        pemda=entered, year=2022, kind=EntryKind.DIMENSION, code="output", value=D(70), user=ombudsman
    )
    second, created = score_compute(pemda_id=entered.pk, year=2022, now=NOW)

    assert created is True
    assert second.pk != first.pk
    assert second.total < first.total
    assert second.published_at is None
    assert ComplianceScore.objects.values().get(pk=first.pk) == before
    assert score_reproduce(first).total == first.total  # the old one still explains itself


def test_snapshot_stores_every_input_and_the_method(entered):
    snapshot, _c = score_compute(pemda_id=entered.pk, year=2022, now=NOW)

    assert snapshot.methodology.code == "2022-2024"
    assert [d["code"] for d in snapshot.definition["dimensions"]] == [
        "input",
        "proses",
        "output",
        "pengaduan",
    ]
    assert snapshot.inputs["entries"] == {"input": "90.000", "output": "90.000", "proses": "90.000"}
    assert snapshot.inputs["metrics"]["followed_up_on_time_pct"] == "62.000"
    tl = next(i for i in snapshot.result["dimensions"][3]["indicators"] if i["code"] == "pg_tindak_lanjut")
    assert (tl["source"], tl["score"]) == ("metric", "1")


def test_snapshots_cannot_be_edited_or_deleted(entered):
    snapshot, _c = score_compute(pemda_id=entered.pk, year=2022, now=NOW)
    snapshot.total = D("99")
    with pytest.raises(TypeError):
        snapshot.save()
    with pytest.raises(TypeError):
        ComplianceScore.objects.filter(pk=snapshot.pk).update(total=D("99"))
    with pytest.raises(TypeError):
        ComplianceScore.objects.all().delete()


def test_publishing_twice_keeps_the_first_publication(entered, ombudsman, stranger):
    snapshot, _c = score_compute(pemda_id=entered.pk, year=2022, now=NOW)
    first = score_publish(snapshot_id=snapshot.pk, user=ombudsman, now=NOW)
    second = score_publish(snapshot_id=snapshot.pk, user=stranger, now=wita(2027, 1, 1))
    assert (second.published_at, second.published_by) == (first.published_at, ombudsman)


@pytest.mark.parametrize(
    ("kind", "code", "value", "error"),
    [
        (EntryKind.INDICATOR, "in_toilet", D(4), "entry_value_out_of_range"),
        (EntryKind.DIMENSION, "output", D("100.5"), "entry_value_out_of_range"),
        (EntryKind.INDICATOR, "tidak_ada", D(1), "entry_code_unknown"),
        (EntryKind.DIMENSION, "kepercayaan", D(50), "entry_code_unknown"),  # 2025 only
    ],
)
def test_entries_outside_the_method_are_refused(pemda, ombudsman, methodologies, kind, code, value, error):
    with pytest.raises(InvalidInput) as exc:
        assessment_entry_record(pemda=pemda, year=2022, kind=kind, code=code, value=value, user=ombudsman)
    assert exc.value.code == error
    assert not AssessmentEntry.objects.exists()


def test_latest_entry_counts_and_history_is_kept(pemda, ombudsman, koordinator, methodologies):
    assessment_entry_record(
        pemda=pemda, year=2022, kind="indicator", code="in_toilet", value=D(1), user=koordinator
    )
    assessment_entry_record(
        pemda=pemda, year=2022, kind="indicator", code="in_toilet", value=D(2), user=ombudsman
    )
    entry = current_entries(pemda=pemda, year=2022)[("indicator", "in_toilet")]
    assert (entry.value, entry.entered_by) == (D(2), ombudsman)
    assert AssessmentEntry.objects.filter(code="in_toilet").count() == 2
    assessment_entry_record(
        pemda=pemda, year=2022, kind="indicator", code="in_toilet", value=None, user=ombudsman
    )
    assert ("indicator", "in_toilet") not in current_entries(pemda=pemda, year=2022)


def test_evidence_moves_the_pengaduan_indicator(pemda, koordinator, methodologies):
    before, _c = score_compute(pemda_id=pemda.pk, year=2022, now=NOW)
    evidence_record(
        pemda=pemda, kind="sop", title="SOP", document_date=date(2022, 2, 1),
        file=ContentFile(b"sop", name="sop.pdf"), user=koordinator, now=NOW,
    )  # fmt: skip
    after, created = score_compute(pemda_id=pemda.pk, year=2022, now=NOW)
    assert created
    assert after.total - before.total == D("1.80")  # 21.54 × 3 / 36


def test_celery_task_recomputes_idempotently(entered):
    recompute.delay(entered.pk, 2022)  # eager in tests, as a worker would run it
    assert ComplianceScore.objects.filter(pemda=entered, year=2022).count() == 1
    assert recompute(entered.pk, 2022) is False
    assert recompute(entered.pk, 1990) is False  # no method that year: nothing made


@pytest.mark.django_db
def test_demo_tells_the_balikpapan_story():
    call_command("load_demo", verbosity=0)
    pemda = Pemda.objects.get(code="BPN")
    s2021 = ComplianceScore.objects.get(pemda=pemda, year=2021)
    s2022 = ComplianceScore.objects.get(pemda=pemda, year=2022)

    assert (s2021.total, s2021.zone, s2021.is_published) == (D("99.25"), "hijau", True)
    assert (s2022.total, s2022.category, s2022.zone, s2022.is_published) == (D("87.12"), "B", "hijau", True)
    assert score_reproduce(s2022).next_band_gap == D("0.88")
    count = ComplianceScore.objects.count()
    call_command("load_demo", verbosity=0)
    assert ComplianceScore.objects.count() == count


@pytest.mark.django_db
def test_report_command_prints_metrics_and_score(capsys):
    call_command("load_demo", verbosity=0)
    call_command("compliance_report", pemda="bpn", year=2022)
    out = capsys.readouterr().out
    assert "Pemerintah Kota Balikpapan — 2022" in out
    assert "87.12  B  Zona Hijau  Kualitas Tinggi" in out
    assert "0.88 poin di bawah A" in out
