"""Compliance through the API (aduan/api/views/compliance.py): the dashboard's figures per Pemda
and per OPD for a period, and the score snapshots, each scoped by role — Ombudsman: province,
koordinator: own Pemda, kepala/petugas: own OPD row only; outsiders see nothing."""

from decimal import Decimal as D

import pytest
from django.utils import timezone

from aduan.compliance.methodologies import ensure_initial_methodologies
from aduan.compliance.metrics import Period, metrics_for
from aduan.compliance.models import ComplianceScore, Methodology
from aduan.compliance.services import assessment_entry_record, score_compute, score_publish
from tests.factories import ComplaintFactory, MembershipFactory, OpdFactory, PemdaFactory, UserFactory

from .test_staff import dispatched

METRICS = "/api/v1/metrics/"


def scores_url(pemda, year=None):
    return f"/api/v1/pemdas/{pemda.code}/scores/" + (f"{year}/" if year else "")


def this_year(pemda) -> str:
    return str(timezone.localtime(timezone.now(), pemda.zoneinfo).year)


@pytest.fixture
def figures(world):
    """Two complaints this year: one dispatched to world.opd, one waiting for verification."""
    dispatched(world)
    ComplaintFactory(pemda=world.pemda)
    return world


@pytest.fixture
def ombudsman_of(world):
    return MembershipFactory(role="ombudsman", province=world.pemda.province).user


# ------------------------------------------------------------------------------------- metrics


def test_the_koordinator_gets_the_pemda_figures_and_every_opd_row(as_user, figures):
    world = figures

    response = as_user(world.koordinator).get(METRICS, {"pemda": world.pemda.code})

    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {
        "key": this_year(world.pemda),
        "first": f"{this_year(world.pemda)}-01-01",
        "last": f"{this_year(world.pemda)}-12-31",
    }
    [pemda] = body["pemdas"]
    assert (pemda["code"], pemda["figures"]["received"], pemda["figures"]["dispatched"]) == (
        world.pemda.code, 2, 1,
    )  # fmt: skip
    assert pemda["figures"]["backlog_total"] == 2
    rows = {row["id"]: row["figures"] for row in pemda["opds"]}
    assert set(rows) == {world.opd.pk, world.other_opd.pk}
    assert (rows[world.opd.pk]["received"], rows[world.opd.pk]["backlog_total"]) == (1, 1)
    assert rows[world.other_opd.pk]["received"] == 0
    assert "verified_on_time_pct" not in rows[world.opd.pk]  # the koordinator's figure, not an OPD's


def test_the_numbers_are_the_dashboards(as_user, figures):
    world = figures
    period = Period.parse(this_year(world.pemda))
    expected = metrics_for(pemdas=[world.pemda], period=period, now=timezone.now())

    body = as_user(world.koordinator).get(METRICS, {"period": period.key}).json()

    f = expected.by_pemda[world.pemda.pk]
    got = body["pemdas"][0]["figures"]
    assert (got["received"], got["dispatched"], got["backlog"]) == (f.received, f.dispatched, f.backlog)
    assert got["verified_on_time_pct"] == (
        None if f.verified_on_time_pct is None else str(f.verified_on_time_pct)
    )
    opd_row = next(r for r in body["pemdas"][0]["opds"] if r["id"] == world.opd.pk)["figures"]
    assert opd_row["received"] == expected.by_opd[world.opd.pk].received


@pytest.mark.parametrize("who", ["kepala", "petugas"])
def test_opd_staff_get_their_own_opd_row_only(as_user, figures, who):
    world = figures
    user = world.kepala if who == "kepala" else world.petugas[0]

    body = as_user(user).get(METRICS, {"pemda": world.pemda.code}).json()

    [pemda] = body["pemdas"]
    assert pemda["figures"] is None
    assert [(r["id"], r["figures"]["received"]) for r in pemda["opds"]] == [(world.opd.pk, 1)]


def test_the_ombudsman_sees_every_pemda_of_the_province_and_no_other(as_user, figures, ombudsman_of):
    world = figures
    neighbour = PemdaFactory(province=world.pemda.province)
    elsewhere = PemdaFactory()

    body = as_user(ombudsman_of).get(METRICS, {"period": this_year(world.pemda)}).json()

    assert sorted(p["code"] for p in body["pemdas"]) == sorted([world.pemda.code, neighbour.code])
    assert elsewhere.code not in {p["code"] for p in body["pemdas"]}
    refused = as_user(ombudsman_of).get(METRICS, {"pemda": elsewhere.code})
    assert (refused.status_code, refused.json()["code"]) == (404, "not_found")


def test_a_month_quarter_and_custom_span_are_accepted(as_user, figures):
    world = figures
    client = as_user(world.koordinator)

    for raw, first, last in [
        ("2021-11", "2021-11-01", "2021-11-30"),
        ("2021-Q2", "2021-04-01", "2021-06-30"),
        ("2021-01-01..2021-03-15", "2021-01-01", "2021-03-15"),
    ]:
        body = client.get(METRICS, {"period": raw}).json()
        assert (body["period"]["first"], body["period"]["last"]) == (first, last), raw
        assert body["pemdas"][0]["figures"]["received"] == 0, raw  # the complaints are from now


@pytest.mark.parametrize("raw", ["2026-13", "1999", "2026-Q5", "2026-03-01..2026-01-01", "tahun lalu"])
def test_an_unknown_period_is_refused(as_user, world, raw):
    response = as_user(world.koordinator).get(METRICS, {"period": raw})

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400, "period_invalid", "period",
    )  # fmt: skip


def test_outsiders_see_no_figures(as_user, api, figures):
    world = figures
    other = PemdaFactory()
    koordinator_elsewhere = MembershipFactory(role="koordinator", pemda=other).user

    own = as_user(koordinator_elsewhere).get(METRICS).json()
    assert [p["code"] for p in own["pemdas"]] == [other.code]
    refused = as_user(koordinator_elsewhere).get(METRICS, {"pemda": world.pemda.code})
    assert refused.status_code == 404
    other_opd_petugas = as_user(world.other_petugas).get(METRICS).json()
    assert [r["id"] for r in other_opd_petugas["pemdas"][0]["opds"]] == [world.other_opd.pk]
    no_role = as_user(UserFactory()).get(METRICS)
    assert (no_role.status_code, no_role.json()["code"]) == (403, "permission_denied")
    assert api.get(METRICS).status_code == 401


# -------------------------------------------------------------------------------------- scores


@pytest.fixture
def scored(world, ombudsman_of):
    """Two snapshots of 2022 (the second after a changed input; the first published) and one of
    2023."""
    ensure_initial_methodologies(Methodology)
    for code in ("input", "proses", "output"):
        assessment_entry_record(
            pemda=world.pemda, year=2022, kind="dimension", code=code, value=D(90), user=ombudsman_of
        )
    first, _c = score_compute(pemda_id=world.pemda.pk, year=2022)
    score_publish(snapshot_id=first.pk, user=ombudsman_of)
    assessment_entry_record(
        pemda=world.pemda, year=2022, kind="dimension", code="output", value=D(70), user=ombudsman_of
    )
    second, _c = score_compute(pemda_id=world.pemda.pk, year=2022)
    for code in ("input", "proses", "output"):
        assessment_entry_record(
            pemda=world.pemda, year=2023, kind="dimension", code=code, value=D(80), user=ombudsman_of
        )
    later, _c = score_compute(pemda_id=world.pemda.pk, year=2023)
    return {"published": first, "newer": second, "2023": later}


def test_the_ombudsman_lists_every_snapshot_newest_year_first(as_user, world, scored, ombudsman_of):
    response = as_user(ombudsman_of).get(scores_url(world.pemda))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["id"], r["year"], r["is_published"], r["is_current"]) for r in rows] == [
        (scored["2023"].pk, 2023, False, True),
        (scored["newer"].pk, 2022, False, False),
        (scored["published"].pk, 2022, True, True),  # the official one counts for 2022
    ]
    first = rows[2]
    snapshot = scored["published"]
    assert (first["total"], first["category"], first["zone"], first["methodology"]) == (
        str(snapshot.total), snapshot.category, snapshot.zone, snapshot.methodology.code,
    )  # fmt: skip
    assert [d["code"] for d in first["dimensions"]] == [d["code"] for d in snapshot.result["dimensions"]]
    assert first["dimensions"][0]["score"] == snapshot.result["dimensions"][0]["score_display"]
    assert "inputs" not in first


def test_one_year_and_the_koordinator_sees_their_own(as_user, world, scored):
    response = as_user(world.koordinator).get(scores_url(world.pemda, 2022))

    assert [r["id"] for r in response.json()["results"]] == [scored["newer"].pk, scored["published"].pk]
    assert as_user(world.koordinator).get(scores_url(world.pemda, 2031)).json()["results"] == []


@pytest.mark.parametrize("who", ["kepala", "petugas", "koordinator elsewhere", "ombudsman elsewhere"])
def test_scores_are_404_outside_the_pemda_scope(as_user, world, scored, who):
    other = PemdaFactory()
    user = {
        "kepala": world.kepala,
        "petugas": world.petugas[0],
        "koordinator elsewhere": MembershipFactory(role="koordinator", pemda=other).user,
        "ombudsman elsewhere": MembershipFactory(role="ombudsman", province=other.province).user,
    }[who]

    for url in (scores_url(world.pemda), scores_url(world.pemda, 2022)):
        response = as_user(user).get(url)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), url


def test_scores_need_a_compliance_role(as_user, api, world, scored):
    assert as_user(UserFactory()).get(scores_url(world.pemda)).status_code == 403
    assert api.get(scores_url(world.pemda)).status_code == 401
    assert ComplianceScore.objects.count() == 3


def test_opd_staff_of_another_pemda_see_nothing_of_this_one(as_user, world, figures):
    stranger_petugas = MembershipFactory(role="petugas_opd", opd=OpdFactory(pemda=PemdaFactory())).user

    body = as_user(stranger_petugas).get(METRICS).json()

    assert world.pemda.code not in {p["code"] for p in body["pemdas"]}
    assert as_user(stranger_petugas).get(METRICS, {"pemda": world.pemda.code}).status_code == 404


def test_the_metrics_answer_breaks_the_pemda_down_per_channel(as_user, figures):
    """Received and on-time % per intake channel, the dashboard's *Per kanal* figures
    (aduan/compliance/channels.py); OPD staff, who see no Pemda figures, get none either."""
    world = figures
    ComplaintFactory(pemda=world.pemda, channel="email")
    ComplaintFactory(pemda=world.pemda, channel="email")

    body = as_user(world.koordinator).get(METRICS, {"pemda": world.pemda.code}).json()

    channels = {row["channel"]: row for row in body["pemdas"][0]["channels"]}
    assert [row["channel"] for row in body["pemdas"][0]["channels"]][0] == "email"  # busiest first
    assert (channels["email"]["received"], channels["web"]["received"]) == (2, 2)
    assert channels["web"]["verified_total"] == 1  # the dispatched one met its verification clock
    assert channels["web"]["verified_on_time_pct"] == "100.0"
    assert channels["email"]["verified_on_time_pct"] is None  # nothing verified yet: no percentage
    assert channels["email"]["label"] == "E-mail"
    opd_only = as_user(world.petugas[0]).get(METRICS, {"pemda": world.pemda.code}).json()
    assert opd_only["pemdas"][0]["channels"] is None
