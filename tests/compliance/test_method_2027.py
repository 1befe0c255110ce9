"""The 2027 method (aduan/compliance/methodologies.py, ``METHOD_2027``): the 2025 method with the
Pengaduan performance indicators read from the field-work cycle — first response ≤ 5 HK, promises
kept, median working days to *selesai ditangani*, the Ombudsman's corrective actions on time. The
shipped methods stay as they were (their snapshots are hashed)."""

import json
from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import Action, complaint_transition
from aduan.compliance.methodologies import METHOD_2025, METHOD_2027
from aduan.compliance.models import ComplianceScore
from aduan.compliance.scoring import DefinitionError, ScoreInputs, score, validate_definition
from aduan.compliance.services import methodology_for_year, score_compute, score_inputs
from tests.factories import ComplaintFactory, MembershipFactory, wita


def _pengaduan(result):
    return {i.code: i for i in result.dimension("pengaduan").indicators}


def test_2027_keeps_the_2025_dimensions_and_changes_only_pengaduan_indicators():
    validate_definition(METHOD_2027)
    assert [(d["code"], d["weight"]) for d in METHOD_2027["dimensions"]] == [
        (d["code"], d["weight"]) for d in METHOD_2025["dimensions"]
    ]
    assert METHOD_2027["bands"] == METHOD_2025["bands"]
    assert METHOD_2027["clean_opinion"] == METHOD_2025["clean_opinion"]
    for new, old in zip(METHOD_2027["dimensions"], METHOD_2025["dimensions"], strict=True):
        if new["code"] != "pengaduan":
            assert new == old
    # The 2025 method itself is untouched: its follow-up and Ombudsman indicators are as shipped.
    old = {i["code"]: i for v in METHOD_2025["dimensions"][3]["variables"] for i in v["indicators"]}
    assert old["pg_tindak_lanjut"]["metric"] == "followed_up_on_time_pct"
    assert old["pg_ombudsman"]["source"] == "evidence"
    assert "median_handled_days" not in json.dumps(METHOD_2025)


def test_pengaduan_indicators_scored_from_the_new_metrics():
    metrics = {
        "verified_on_time_pct": D("92"),
        "first_response_on_time_pct": D("80"),  # ≥ 75: 2
        "promises_kept_pct": D("84.9"),  # < 85: 1
        "median_handled_days": D("10"),  # ≤ 10: 3
        "resolved_on_time_pct": D("40"),
        "ombudsman_actions_on_time_pct": D("75"),  # < 100: 2
    }
    ind = _pengaduan(score(METHOD_2027, ScoreInputs(year=2027, metrics=metrics)))
    assert [ind[c].score for c in ("pg_tanggapan", "pg_janji", "pg_waktu_ditangani", "pg_ombudsman")] == [
        D(2),
        D(1),
        D(3),
        D(2),
    ]
    assert ind["pg_ombudsman"].source == "metric"
    assert "pg_tindak_lanjut" not in ind
    slow = _pengaduan(score(METHOD_2027, ScoreInputs(year=2027, metrics={"median_handled_days": D("20.5")})))
    assert slow["pg_waktu_ditangani"].score == D(0)


def test_no_ombudsman_action_due_scores_full_but_missing_metrics_score_nothing():
    ind = _pengaduan(score(METHOD_2027, ScoreInputs(year=2027, metrics={})))
    assert (ind["pg_ombudsman"].score, ind["pg_ombudsman"].source) == (D(3), "metric")
    assert ind["pg_ombudsman"].detail == "tidak ada yang perlu dinilai tahun ini"
    assert (ind["pg_janji"].score, ind["pg_janji"].source) == (None, "missing")


def test_when_missing_accepts_only_full():
    bad = json.loads(json.dumps(METHOD_2027))
    bad["dimensions"][3]["variables"][0]["indicators"][1]["when_missing"] = "zero"
    with pytest.raises(DefinitionError) as exc:
        validate_definition(bad)
    assert any("when_missing" in m for m in exc.value.messages)


@pytest.mark.django_db
def test_the_year_chooses_the_method(methodologies):
    assert methodology_for_year(2026).code == "2025"
    assert methodology_for_year(2027).code == "2027"
    assert methodology_for_year(2031).code == "2027"


def _move(complaint, action, actor, at, **extra):
    complaint_transition(complaint_id=complaint.pk, action=action, actor=actor, now=at, **extra)


@pytest.mark.django_db
def test_a_2027_snapshot_scores_the_field_work_of_the_year(world, methodologies):
    """October 2027 (no holiday): one promise kept, one broken after a late first response; the
    hops were handled in 4 and 10 HK (median 7)."""
    koor, pa = Actor.staff(world.koordinator), Actor.staff(world.petugas[0])
    kept = ComplaintFactory(pemda=world.pemda, now=wita(2027, 10, 4, 9))
    _move(kept, Action.DISPATCH, koor, wita(2027, 10, 4, 10), opd=world.opd)
    _move(
        kept, Action.SCHEDULE, pa, wita(2027, 10, 5, 10), note="Dijadwalkan.", planned_date=date(2027, 10, 8)
    )
    _move(kept, Action.FOLLOW_UP, pa, wita(2027, 10, 8, 15), note="Selesai.")
    broken = ComplaintFactory(pemda=world.pemda, now=wita(2027, 10, 4, 9))
    _move(broken, Action.DISPATCH, koor, wita(2027, 10, 4, 10), opd=world.opd)
    _move(broken, Action.ACKNOWLEDGE, pa, wita(2027, 10, 12, 10), note="Kami tinjau.")  # 6 HK: late
    _move(
        broken,
        Action.SCHEDULE,
        pa,
        wita(2027, 10, 12, 11),
        note="Dijadwalkan.",
        planned_date=date(2027, 10, 13),
    )
    _move(broken, Action.FOLLOW_UP, pa, wita(2027, 10, 19, 9), note="Selesai.")

    snapshot, created = score_compute(pemda_id=world.pemda.pk, year=2027, now=wita(2027, 11, 20, 12))
    assert created
    assert snapshot.methodology.code == "2027"
    assert snapshot.inputs["metrics"]["first_response_on_time_pct"] == "50.0"
    assert snapshot.inputs["metrics"]["promises_kept_pct"] == "50.0"
    assert snapshot.inputs["metrics"]["median_handled_days"] == "7"
    indicators = {i["code"]: i for d in snapshot.result["dimensions"] for i in d["indicators"]}
    assert [
        indicators[c]["score"] for c in ("pg_tanggapan", "pg_janji", "pg_waktu_ditangani", "pg_ombudsman")
    ] == [
        "1",
        "0",
        "3",
        "3",
    ]
    # The OPD's own Pengaduan performance counts its handling time too.
    opd = snapshot.result["opds"][str(world.opd.pk)]
    assert opd["metrics"]["median_handled_days"] == "7"
    # The terminal report prints the same figures.
    out = StringIO()
    call_command("compliance_report", pemda=world.pemda.code, year=2027, stdout=out)
    report = out.getvalue()
    assert "Tanggapan pertama OPD ≤ 5 hari kerja (%)      50.0 %" in report
    assert "Janji tanggal rencana OPD yang ditepati (%)   50.0 % (1/2)" in report
    assert "Median / rata-rata hari kerja sampai selesai ditangani 7 / 7.0 (n=2)" in report
    assert "Tindakan korektif temuan Ombudsman tepat waktu (%) —" in report
    # Same inputs, same snapshot.
    assert score_compute(pemda_id=world.pemda.pk, year=2027, now=wita(2027, 11, 20, 12)) == (snapshot, False)
    assert ComplianceScore.objects.filter(pemda=world.pemda, year=2027).count() == 1


@pytest.mark.django_db
def test_scores_under_older_methods_get_no_new_metric(world, methodologies):
    """Only a method that uses the handling time is offered it: a 2026 score's inputs (and hash)
    are what they were before the 2027 method existed."""
    inputs, opds = score_inputs(pemda=world.pemda, year=2026, now=wita(2026, 6, 1, 9))
    assert "median_handled_days" not in inputs.metrics
    assert all("median_handled_days" not in o["metrics"] for o in opds.values())
    inputs, opds = score_inputs(pemda=world.pemda, year=2027, now=wita(2027, 6, 1, 9))
    assert "median_handled_days" in inputs.metrics


@pytest.mark.django_db
def test_the_dashboard_explains_a_2027_score_and_its_what_if(world, methodologies, client):
    ombudsman = MembershipFactory(role="ombudsman", province=world.pemda.province).user
    score_compute(pemda_id=world.pemda.pk, year=2027, now=wita(2027, 11, 20, 12))
    client.force_login(ombudsman)
    url = reverse("compliance:pemda", args=[world.pemda.pk])
    html = client.get(url, {"tahun": 2027}).content.decode()
    assert "Opini Pengawasan Penyelenggaraan Pelayanan Publik 2027" in html
    # No data yet: only the Ombudsman indicator scores (nothing due: full), 1 of 14 indicators.
    assert "Pengaduan</" in html
    assert "7,14" in html
    assert "Median hari kerja sampai selesai ditangani</option>" in html
    assert 'value="first_response_on_time_pct" selected' in html
    html = client.get(url, {"tahun": 2027, "metrik": "promises_kept_pct", "nilai": "95"}).content.decode()
    assert "Perkiraan — bukan hasil resmi Ombudsman" in html
    assert "Janji tanggal rencana OPD yang ditepati (%)" in html
