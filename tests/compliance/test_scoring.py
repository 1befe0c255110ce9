"""The scoring engine by tables of cases: published scores land in their category and zone under
their year's method, band edges exactly, methods that cannot be scored are refused, and the
Balikpapan 2021 → 2022 story adds up."""

from copy import deepcopy
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from aduan.compliance.methodologies import METHOD_2021, METHOD_2022, METHOD_2025, METHOD_2027
from aduan.compliance.models import Methodology
from aduan.compliance.scoring import (
    DefinitionError,
    ScoreInputs,
    decompose,
    indicator_points,
    score,
    validate_definition,
    what_if,
)


def _flat(definition, value: str, year: int) -> ScoreInputs:
    """Every dimension entered as the same score: the total is that score exactly."""
    return ScoreInputs(year=year, entries={d["code"]: D(value) for d in definition["dimensions"]})


@pytest.mark.parametrize(
    ("definition", "year", "value", "category", "zone"),
    [
        (METHOD_2021, 2021, "99.25", "", "hijau"),
        (METHOD_2022, 2022, "87.12", "B", "hijau"),
        (METHOD_2022, 2022, "79.8", "B", "hijau"),
        (METHOD_2022, 2022, "73.88", "C", "kuning"),
        (METHOD_2022, 2022, "58.99", "C", "kuning"),
        (METHOD_2022, 2022, "76.65", "C", "kuning"),
        (METHOD_2022, 2022, "79.71", "B", "hijau"),
        (METHOD_2022, 2022, "53.38", "D", "merah"),
        # band edges, exactly
        (METHOD_2022, 2022, "87.99", "B", "hijau"),
        (METHOD_2022, 2022, "88.00", "A", "hijau"),
        (METHOD_2022, 2022, "77.99", "C", "kuning"),
        (METHOD_2022, 2022, "78.00", "B", "hijau"),
        (METHOD_2022, 2022, "31.99", "E", "merah"),
        (METHOD_2022, 2022, "32.00", "D", "merah"),
        (METHOD_2022, 2022, "100", "A", "hijau"),
        (METHOD_2022, 2022, "0", "E", "merah"),
        (METHOD_2021, 2021, "81.00", "", "hijau"),
        (METHOD_2021, 2021, "80.99", "", "kuning"),
        (METHOD_2021, 2021, "51.00", "", "kuning"),
        (METHOD_2021, 2021, "50.99", "", "merah"),
        (METHOD_2025, 2025, "54.00", "C", "kuning"),
        (METHOD_2025, 2025, "53.99", "D", "merah"),
    ],
)
def test_published_scores_fall_in_their_category_and_zone(definition, year, value, category, zone):
    result = score(definition, _flat(definition, value, year))

    assert result.total == D(value).quantize(D("0.01"))
    assert (result.category, result.zone) == (category, zone)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("87.12", "Kualitas Tinggi"), ("88.00", "Kualitas Tertinggi"), ("53.38", "Kualitas Rendah")],
)
def test_opinion_follows_the_band(value, expected):
    assert score(METHOD_2022, _flat(METHOD_2022, value, 2022)).opinion == expected


def test_total_is_the_weighted_sum_rounded_half_up():
    # 21.85 × 80 + 32.37 × 90 + 24.24 × 70 + 21.54 × 60 = 7650.5 → 76.505 → 76.51 (C, half-up)
    inputs = ScoreInputs(
        year=2022, entries={"input": D(80), "proses": D(90), "output": D(70), "pengaduan": D(60)}
    )
    result = score(METHOD_2022, inputs)
    assert result.total == D("76.51")
    assert result.category == "C"
    assert result.next_band_gap == D("1.49")
    assert result.next_band_label == "B"


# The Balikpapan 2022 inputs the demo loads: 87.12, B, Hijau, 0.88 below A.
BPN_2022 = ScoreInputs(
    year=2022,
    entries={
        **{f"in_{c}": D(3) for c in ("tahu_standar", "tahu_maklumat", "tahu_pengaduan", "ruang_tunggu")},
        "in_toilet": D(2),
        "in_sarana_difabel": D(1),
        "in_ruang_pengaduan": D(2),
        **{i["code"]: D(3) for i in METHOD_2022["dimensions"][1]["variables"][0]["indicators"]},
        "output": D("86.23"),
    },
    metrics={
        "verified_on_time_pct": D("92"),
        "followed_up_on_time_pct": D("62"),
        "resolved_on_time_pct": D("91"),
        "skm": D("80.5"),
        "channels_count": D(4),
    },
    evidence={
        "sk_pengelola": (date(2021, 3, 1),),
        "sop": (date(2021, 6, 1),),
        "kanal_publikasi": (date(2022, 1, 10),),
        "laporan_berkala": (date(2022, 7, 1),),
        "tindak_lanjut_ombudsman": (date(2022, 9, 1),),
        "pelatihan": (date(2021, 5, 1),),  # last year's training does not count for 2022
    },
)


def test_balikpapan_2022_scores_87_12_b_hijau_0_88_below_a():
    result = score(METHOD_2022, BPN_2022)

    assert (result.total, result.category, result.zone) == (D("87.12"), "B", "hijau")
    assert result.next_band_gap == D("0.88")
    assert result.next_band_label == "A"
    dims = {d.code: d.score_display for d in result.dimensions}
    assert dims == {"input": D("80.95"), "proses": D("100.00"), "output": D("86.23"), "pengaduan": D("75.00")}
    pengaduan = {i.code: (i.source, i.score) for i in result.dimension("pengaduan").indicators}
    assert pengaduan["pg_tindak_lanjut"] == ("metric", D(1))
    assert pengaduan["pg_pelatihan"] == ("evidence", D(0))
    assert pengaduan["pg_lapor"] == ("evidence", D(0))
    assert pengaduan["pg_sk"] == ("evidence", D(3))


def test_what_if_follow_up_rises_from_62_to_90_percent_reaches_a():
    result = what_if(METHOD_2022, BPN_2022, metrics={"followed_up_on_time_pct": D(90)})

    assert result.dimension("pengaduan").score_display == D("80.56")
    assert (result.total, result.category) == (D("88.31"), "A")


def test_decomposition_2021_to_2022_tells_which_dimension_pulled_the_total_down():
    before = score(METHOD_2021, ScoreInputs(year=2021, entries={"kepatuhan": D("99.25")}))
    after = score(METHOD_2022, BPN_2022)

    d = decompose(before_definition=METHOD_2021, before=before, after_definition=METHOD_2022, after=after)

    assert not d.same_method
    assert d.change == D("-12.13")
    assert sum(r.points for r in d.rows).quantize(D("0.01")) == D("-12.13")
    moved = {r.code: r.points_display for r in d.rows}
    # Proses kept 100 (a little above 99.25); the new dimensions pulled it down.
    assert moved["proses"] == D("0.24")
    assert moved["input"] < 0
    assert moved["output"] < 0
    assert moved["pengaduan"] < 0
    assert min(moved, key=moved.get) == "pengaduan"
    assert sum(r.points_display for r in d.rows) + d.rounding == D("-12.13")
    pengaduan = next(r for r in d.rows if r.code == "pengaduan")
    assert sum(c.points for c in pengaduan.children) == pytest.approx(pengaduan.points)


def test_decomposition_same_method_is_the_change_of_each_contribution():
    before = score(METHOD_2022, BPN_2022)
    improved = ScoreInputs(
        year=2023,
        entries=BPN_2022.entries,
        metrics={**BPN_2022.metrics, "followed_up_on_time_pct": D(90)},
        evidence={k: tuple(x.replace(year=2023) for x in v) for k, v in BPN_2022.evidence.items()},
    )
    after = score(METHOD_2022, improved)

    d = decompose(before_definition=METHOD_2022, before=before, after_definition=METHOD_2022, after=after)

    assert d.same_method
    moved = {r.code: r.points_display for r in d.rows}
    assert moved["input"] == moved["proses"] == moved["output"] == D("0.00")
    child = {c.code: c.points_display for r in d.rows for c in r.children}
    assert child["pg_tindak_lanjut"] == D("1.20")  # 21.54 × (100 − 33.33) / 100 / 12
    assert child["pg_pelatihan"] == D("1.80")  # the 2023 training counts: 0 → 3


@pytest.mark.parametrize(
    ("value", "thresholds", "direction", "points"),
    [
        (D("49.9"), ["50", "75", "90"], "higher", 0),
        (D("50"), ["50", "75", "90"], "higher", 1),
        (D("89.99"), ["50", "75", "90"], "higher", 2),
        (D("90"), ["50", "75", "90"], "higher", 3),
        (D("12"), ["20", "10", "5"], "lower", 1),
        (D("5"), ["20", "10", "5"], "lower", 3),
        (None, ["50", "75", "90"], "higher", None),
    ],
)
def test_indicator_points_by_thresholds(value, thresholds, direction, points):
    assert indicator_points(value=value, thresholds=thresholds, direction=direction) == (
        None if points is None else D(points)
    )


def test_entered_indicator_score_wins_over_the_metric_and_missing_data_is_listed():
    inputs = ScoreInputs(year=2022, entries={"pg_tindak_lanjut": D(3)}, metrics={})
    result = score(METHOD_2022, inputs)
    indicators = {i.code: i for i in result.dimension("pengaduan").indicators}
    assert (indicators["pg_tindak_lanjut"].source, indicators["pg_tindak_lanjut"].score) == ("entered", D(3))
    assert indicators["pg_selesai"].source == "missing"
    assert "pg_selesai" in result.missing
    assert "in_toilet" in result.missing


def test_2025_clean_opinion_needs_ombudsman_findings_followed_up_that_year():
    entries = {d["code"]: D(90) for d in METHOD_2025["dimensions"]}
    plain = score(METHOD_2025, ScoreInputs(year=2025, entries=entries))
    clean = score(
        METHOD_2025,
        ScoreInputs(year=2025, entries=entries, evidence={"tindak_lanjut_ombudsman": (date(2025, 4, 2),)}),
    )
    assert plain.opinion == "Kualitas Tertinggi"
    assert clean.opinion == "Kualitas Tertinggi Tanpa Maladministrasi"
    assert clean.total == D("90.00")


@pytest.mark.parametrize("definition", [METHOD_2021, METHOD_2022, METHOD_2025, METHOD_2027])
def test_initial_methods_are_valid(definition):
    validate_definition(definition)


def _with_weight(weight: str):
    definition = deepcopy(METHOD_2022)
    definition["dimensions"][0]["weight"] = weight
    return definition


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (_with_weight("21.84"), "Jumlah bobot dimensi harus tepat 100, bukan 99.99."),
        (_with_weight("22"), "Jumlah bobot dimensi harus tepat 100, bukan 100.15."),
        ({**METHOD_2022, "bands": METHOD_2022["bands"][1:]}, "Rentang nilai harus bersambung"),
        ({**METHOD_2022, "dimensions": []}, "paling sedikit satu dimensi"),
    ],
)
def test_definitions_that_cannot_be_scored_are_refused(definition, message):
    with pytest.raises(DefinitionError) as exc:
        validate_definition(definition)
    assert any(message in m for m in exc.value.messages)


@pytest.mark.django_db
def test_saving_a_methodology_whose_weights_do_not_sum_to_100_is_refused(methodologies):
    before = Methodology.objects.count()
    bad = Methodology(code="2026", name="Metode 2026", year_from=2030, definition=_with_weight("25"))

    with pytest.raises(ValidationError) as exc:
        bad.save()

    assert "Jumlah bobot dimensi harus tepat 100, bukan 103.15." in exc.value.message_dict["definition"]
    assert Methodology.objects.count() == before


@pytest.mark.django_db
def test_methodology_years_must_not_overlap(methodologies):
    clash = Methodology(code="x", name="X", year_from=2023, year_to=2023, definition=METHOD_2022)
    with pytest.raises(ValidationError):
        clash.full_clean()
    # A new method from 2030 simply ends the open-ended 2027 one.
    Methodology(code="2030", name="Metode 2030", year_from=2030, definition=METHOD_2025).full_clean()
