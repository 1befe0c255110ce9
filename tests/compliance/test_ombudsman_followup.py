"""The compliance input "tindak lanjut temuan Ombudsman": the share of the Ombudsman's corrective
actions the Pemda carried out on time (aduan/compliance/ombudsman_followup.py), offered to the
score as the metric ``ombudsman_actions_on_time_pct``."""

from datetime import date
from decimal import Decimal

import pytest

from aduan.compliance.ombudsman_followup import METRIC, ombudsman_followup
from aduan.compliance.scoring import METRIC_LABELS, ScoreInputs, score
from aduan.compliance.services import score_inputs
from aduan.ombudsman import services
from aduan.ombudsman.models import Finding
from tests.factories import MembershipFactory, wita
from tests.ombudsman.conftest import archived, reported

pytestmark = pytest.mark.django_db

CLOSED_AT = wita(2026, 3, 20, 9, 0)


def closed_with(world, omb, dues):
    report = reported(archived(world))
    services.report_close(
        report_id=report.pk,
        user=omb,
        finding=Finding.MALADMINISTRATION,
        note="Temuan.",
        actions=[(f"Tindakan {i}", due) for i, due in enumerate(dues)],
        now=CLOSED_AT,
    )
    return list(report.actions.order_by("pk"))


def done(world, action, at):
    services.action_done(action_id=action.pk, user=world.koordinator, note="Dilaksanakan.", now=at)


@pytest.fixture
def omb(world):
    return MembershipFactory(role="ombudsman", province=world.pemda.province).user


def test_on_time_late_overdue_and_not_yet_due(world, omb):
    on_time, late, overdue, not_due = closed_with(
        world, omb, [date(2026, 4, 10), date(2026, 4, 10), date(2026, 5, 1), date(2026, 12, 31)]
    )
    done(world, on_time, wita(2026, 4, 10, 23, 0))  # the last evening of the due day, WITA
    done(world, late, wita(2026, 4, 11, 0, 30))
    figures = ombudsman_followup(pemda=world.pemda, year=2026, now=wita(2026, 6, 1, 9, 0))
    assert (figures.due, figures.settled, figures.on_time, figures.late_or_open) == (4, 3, 1, 2)
    assert figures.on_time_pct == Decimal("33.3")
    # Another year counts nothing; before anything is due there is no figure.
    assert ombudsman_followup(pemda=world.pemda, year=2025, now=wita(2026, 6, 1)).on_time_pct is None
    assert ombudsman_followup(pemda=world.pemda, year=2026, now=wita(2026, 3, 21)).on_time_pct is None


def test_score_inputs_carry_the_figure_and_a_method_can_score_it(world, omb):
    (action,) = closed_with(world, omb, [date(2026, 4, 10)])
    done(world, action, wita(2026, 4, 9, 10, 0))
    inputs, _opds = score_inputs(pemda=world.pemda, year=2026, now=wita(2026, 6, 1, 9, 0))
    assert inputs.metrics[METRIC] == Decimal("100.0")
    assert METRIC in METRIC_LABELS
    method = {
        "scale_max": 3,
        "dimensions": [
            {
                "code": "pengaduan",
                "name": "Pengaduan",
                "weight": "100",
                "variables": [
                    {
                        "code": "ombudsman",
                        "name": "Tindak lanjut temuan Ombudsman",
                        "indicators": [
                            {
                                "code": "pg_tl_ombudsman",
                                "name": "Tindakan korektif tepat waktu",
                                "source": "metric",
                                "metric": METRIC,
                                "thresholds": ["50", "75", "100"],
                                "direction": "higher",
                            }
                        ],
                    }
                ],
            }
        ],
        "bands": [{"min": "0.00", "max": "100.00", "category": "", "opinion": "-", "zone": "hijau"}],
        "zones": {"hijau": {"name": "Zona Hijau", "color": "#1d7a36"}},
    }
    assert score(method, ScoreInputs(year=2026, metrics={METRIC: Decimal("100.0")})).total == Decimal(
        "100.00"
    )
    assert score(method, ScoreInputs(year=2026, metrics={METRIC: Decimal("60")})).total == Decimal("33.33")


def test_no_actions_no_metric_key(world):
    inputs, _opds = score_inputs(pemda=world.pemda, year=2026, now=wita(2026, 6, 1, 9, 0))
    assert METRIC not in inputs.metrics
