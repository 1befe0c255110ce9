"""The Survei Kepuasan Masyarakat formula of PermenPANRB 14/2017, as a pure function.

Nine elements (unsur), each answered 1–4. Per element the NRR (nilai rata-rata) is the mean answer;
the weighted NRR is NRR × 0.111 (1/9 rounded as the regulation prints it); IKM is the sum of the
weighted NRRs (1–4) and the SKM figure is IKM × 25 (25–100). The mutu (quality) follows the
regulation's converted intervals: A 88.31–100 Sangat Baik, B 76.61–88.30 Baik, C 65.00–76.60
Kurang Baik, D 25.00–64.99 Tidak Baik.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

WEIGHT = Decimal("0.111")
CONVERSION = Decimal("25")
ELEMENTS = 9

# (lowest converted value, mutu, performance label), highest first.
SKM_BANDS = (
    (Decimal("88.31"), "A", _("Sangat Baik")),
    (Decimal("76.61"), "B", _("Baik")),
    (Decimal("65.00"), "C", _("Kurang Baik")),
    (Decimal("25.00"), "D", _("Tidak Baik")),
)


@dataclass(frozen=True)
class SkmResult:
    respondents: int
    nrr: tuple[Decimal, ...]  # per element, 2 decimals
    ikm: Decimal  # 1–4, 3 decimals
    value: Decimal  # IKM × 25, 2 decimals
    mutu: str
    performance: str


def skm_mutu(value: Decimal) -> tuple[str, str]:
    for floor, mutu, label in SKM_BANDS:
        if value >= floor:
            return mutu, str(label)
    return "D", str(SKM_BANDS[-1][2])


def skm_from_sums(*, sums: Sequence[int], respondents: int) -> SkmResult | None:
    """The SKM of ``respondents`` answers whose per-element totals are ``sums`` (None: no answers).

    NRR per element is rounded to two decimals before weighting, as the regulation's worked example
    does; IKM keeps three decimals; the converted value two.
    """
    if respondents <= 0:
        return None
    if len(sums) != ELEMENTS:
        raise ValueError(f"SKM needs {ELEMENTS} element totals, got {len(sums)}")
    nrr = tuple((Decimal(s) / respondents).quantize(Decimal("0.01"), ROUND_HALF_UP) for s in sums)
    ikm = sum((n * WEIGHT for n in nrr), Decimal(0)).quantize(Decimal("0.001"), ROUND_HALF_UP)
    value = (ikm * CONVERSION).quantize(Decimal("0.01"), ROUND_HALF_UP)
    mutu, performance = skm_mutu(value)
    return SkmResult(
        respondents=respondents, nrr=nrr, ikm=ikm, value=value, mutu=mutu, performance=performance
    )
