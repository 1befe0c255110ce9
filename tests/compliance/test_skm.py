"""SKM by PermenPANRB 14/2017: NRR per element, × 0.111, summed to IKM, × 25; mutu A–D."""

from decimal import Decimal as D

import pytest

from aduan.compliance.skm import skm_from_sums, skm_mutu


def test_worked_example_twenty_respondents():
    # NRR: 3.45 3.20 3.05 3.90 3.30 3.40 3.50 3.10 3.25 (totals of 20 answers each)
    result = skm_from_sums(sums=[69, 64, 61, 78, 66, 68, 70, 62, 65], respondents=20)

    assert result.nrr == tuple(
        D(x) for x in ("3.45", "3.20", "3.05", "3.90", "3.30", "3.40", "3.50", "3.10", "3.25")
    )
    assert result.ikm == D("3.347")  # 30.15 × 0.111 = 3.34665
    assert result.value == D("83.68")  # 3.347 × 25 = 83.675
    assert (result.mutu, result.performance) == ("B", "Baik")


def test_ikm_3_087_converts_to_77_18():
    # NRR 3.09 on every element: 27.81 × 0.111 = 3.08691 → IKM 3.087; × 25 = 77.175 → 77.18 (B)
    result = skm_from_sums(sums=[309] * 9, respondents=100)
    assert result.ikm == D("3.087")
    assert result.value == D("77.18")
    assert result.mutu == "B"


def test_uniform_threes_give_74_93_because_the_weight_is_0_111():
    result = skm_from_sums(sums=[3] * 9, respondents=1)
    assert (result.ikm, result.value, result.mutu) == (D("2.997"), D("74.93"), "C")


def test_all_best_answers_give_99_90():
    result = skm_from_sums(sums=[40] * 9, respondents=10)
    assert (result.ikm, result.value, result.mutu) == (D("3.996"), D("99.90"), "A")


def test_no_respondents_no_skm():
    assert skm_from_sums(sums=[0] * 9, respondents=0) is None


@pytest.mark.parametrize(
    ("value", "mutu", "label"),
    [
        ("100", "A", "Sangat Baik"),
        ("88.31", "A", "Sangat Baik"),
        ("88.30", "B", "Baik"),
        ("76.61", "B", "Baik"),
        ("76.60", "C", "Kurang Baik"),
        ("65.00", "C", "Kurang Baik"),
        ("64.99", "D", "Tidak Baik"),
        ("25.00", "D", "Tidak Baik"),
    ],
)
def test_mutu_bands(value, mutu, label):
    assert skm_mutu(D(value)) == (mutu, label)
