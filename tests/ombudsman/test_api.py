"""The API's Ombudsman reports (GET /api/v1/ombudsman/reports/ and /<id>/): each report read in
the viewer's role; the reporter's reason for the Ombudsman only, their identity only with consent
and never for an anonim complaint; nobody else reads a report; the list's query count does not
grow with its rows; the API changes nothing."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from aduan.complaints.models import Complaint
from aduan.ombudsman import services
from aduan.ombudsman.models import ClarificationRequest, CorrectiveAction, Finding, OmbudsmanReport
from tests.factories import (
    CategoryFactory,
    ComplaintFactory,
    MembershipFactory,
    PemdaFactory,
    UserFactory,
    api_token,
    wita,
)

from .conftest import REASON, archived, reported

pytestmark = pytest.mark.django_db

LIST = "/api/v1/ombudsman/reports/"
NAME, EMAIL = "Budi Santoso", "budi@example.id"


def detail(report) -> str:
    return f"{LIST}{report.pk}/"


def client_of(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def clarified(world, omb, **kwargs):
    report = reported(archived(world, **kwargs), consent=True)
    services.clarification_request(
        report_id=report.pk, user=omb, question="Mengapa diarsipkan?", now=wita(2026, 3, 6)
    )
    return report


def test_ombudsman_reads_reason_and_consented_identity(world, omb):
    report = clarified(world, omb)
    listed = client_of(omb).get(LIST)
    assert listed.status_code == 200
    (row,) = listed.json()["results"]
    assert row["id"] == report.pk
    assert row["complaint"]["ticket_number"] == report.complaint.ticket_number
    assert (row["status"], row["ground"], row["viewer_role"]) == ("clarification", "archived", "ombudsman")
    assert row["clarification_due_at"] is not None
    assert row["identity_shared"] is True
    assert "reason" not in row  # the list carries no reason and no identity
    assert "reporter" not in row
    body = client_of(omb).get(detail(report)).json()
    assert body["reason"] == REASON
    assert body["reporter"]["name"] == NAME
    assert body["reporter"]["email"] == EMAIL
    (clarification,) = body["clarifications"]
    assert clarification["question"] == "Mengapa diarsipkan?"
    assert clarification["due_at"] == row["clarification_due_at"]
    assert clarification["answered_at"] is None


@pytest.mark.parametrize(("anonymous", "consent"), [(True, True), (False, False)])
def test_no_identity_without_consent_or_for_an_anonim_complaint(world, omb, anonymous, consent):
    report = reported(archived(world, is_anonymous=anonymous), consent=consent)
    response = client_of(omb).get(detail(report))
    assert response.status_code == 200
    body = response.json()
    assert body["reporter"] is None
    assert body["reason"] == REASON
    assert NAME not in response.content.decode()
    assert EMAIL not in response.content.decode()


def test_koordinator_reads_an_involved_report_without_reason_or_identity(world, omb):
    waiting = reported(archived(world), consent=True)  # not yet involving the Pemda
    involved = clarified(world, omb)
    koordinator = client_of(world.koordinator)
    rows = koordinator.get(LIST).json()["results"]
    assert [r["id"] for r in rows] == [involved.pk]
    assert rows[0]["viewer_role"] == "koordinator"
    assert rows[0]["identity_shared"] is None  # the reporter's choice about the Ombudsman is not the Pemda's
    response = koordinator.get(detail(involved))
    assert response.status_code == 200
    assert response.json()["reason"] is None
    assert response.json()["reporter"] is None
    assert REASON not in response.content.decode()
    assert NAME not in response.content.decode()
    assert koordinator.get(detail(waiting)).status_code == 404


def test_opd_staff_and_users_without_a_role_read_no_report(world, omb):
    report = clarified(world, omb)
    for user in (world.petugas[0], world.kepala, UserFactory()):
        for path in (LIST, detail(report)):
            response = client_of(user).get(path)
            assert response.status_code == 403
            assert response.json()["code"] == "ombudsman_or_koordinator_only"
            assert REASON not in response.content.decode()
    english = client_of(world.petugas[0]).get(LIST, HTTP_ACCEPT_LANGUAGE="en").json()["message"]
    assert english == "Only the Ombudsman and complaint coordinators can read reports to the Ombudsman."
    assert APIClient().get(LIST).status_code == 401
    assert APIClient().get(detail(report)).status_code == 401


def test_other_province_and_other_pemda_see_nothing(world, omb):
    report = clarified(world, omb)
    other = PemdaFactory()
    outsiders = (
        MembershipFactory(role="ombudsman", province=other.province).user,
        MembershipFactory(role="koordinator", pemda=other).user,
    )
    for user in outsiders:
        client = client_of(user)
        assert client.get(LIST).json()["results"] == []
        assert client.get(detail(report)).status_code == 404


def test_filters_and_a_bad_filter_is_a_clear_error(world, omb):
    other_pemda = PemdaFactory(province=world.pemda.province, code="SMD")
    reported(archived(world))  # submitted
    closed = reported(archived(world))
    services.report_close(
        report_id=closed.pk,
        user=omb,
        finding=Finding.NONE,
        note="Sudah sesuai prosedur.",
        now=wita(2026, 3, 9),
    )
    elsewhere = reported(_archived_in(other_pemda))
    client = client_of(omb)
    assert len(client.get(LIST).json()["results"]) == 3
    assert [r["id"] for r in client.get(LIST, {"status": "closed"}).json()["results"]] == [closed.pk]
    assert [r["id"] for r in client.get(LIST, {"pemda": "smd"}).json()["results"]] == [elsewhere.pk]
    assert client.get(LIST, {"ground": "overdue"}).json()["results"] == []
    bad = client.get(LIST, {"status": "hilang"})
    assert bad.status_code == 400
    assert "status" in bad.json()["errors"]
    for code in ("X" * 11, "SMD\x00"):
        bad = client.get(LIST, {"pemda": code})
        assert bad.status_code == 400
        assert "pemda" in bad.json()["errors"]
    assert client.get(LIST, {"pemda": "TIDAKADA"}).json()["results"] == []


def _archived_in(pemda):
    from aduan.complaints.selectors import Actor
    from aduan.complaints.workflow import Action, complaint_transition

    from .conftest import ARCHIVED_AT, FILED_AT

    koordinator = MembershipFactory(role="koordinator", pemda=pemda).user
    complaint = ComplaintFactory(pemda=pemda, now=FILED_AT)
    complaint_transition(
        complaint_id=complaint.pk, action=Action.ARCHIVE, actor=Actor.staff(koordinator),
        reason="unintelligible", now=ARCHIVED_AT,
    )  # fmt: skip
    complaint.refresh_from_db()
    return complaint


def test_corrective_actions_with_their_overdue_flag(world, omb):
    report = reported(archived(world))
    services.report_close(
        report_id=report.pk, user=omb, finding=Finding.MALADMINISTRATION, note="Pengarsipan tanpa dasar.",
        actions=[("Buka kembali aduan dan tindak lanjuti.", date(2026, 3, 20))], now=wita(2026, 3, 9),
    )  # fmt: skip
    action = CorrectiveAction.objects.get(report=report)
    body = client_of(world.koordinator).get(detail(report)).json()
    assert body["finding"] == "maladministrasi"
    (row,) = body["actions"]
    assert (row["id"], row["done_at"]) == (action.pk, None)
    assert row["overdue"] is True  # due 20 March 2026, read in December 2026
    services.action_done(action_id=action.pk, user=world.koordinator, note="Sudah dibuka kembali.")
    (row,) = client_of(world.koordinator).get(detail(report)).json()["actions"]
    assert row["overdue"] is False
    assert row["done_note"] == "Sudah dibuka kembali."


def _with_category_and_opd(report, world):
    category = CategoryFactory(pemda=world.pemda)
    Complaint.objects.filter(pk=report.complaint_id).update(category=category, current_opd=world.opd)
    return report


@pytest.mark.parametrize("role", ["ombudsman", "koordinator"])
def test_list_query_count_does_not_grow_with_rows(world, omb, role):
    client = client_of(omb if role == "ombudsman" else world.koordinator)
    _with_category_and_opd(clarified(world, omb), world)
    client.get(LIST)  # the token's first use
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    for _ in range(3):
        _with_category_and_opd(clarified(world, omb), world)
    with CaptureQueriesContext(connection) as four:
        rows = client.get(LIST).json()["results"]
    assert len(rows) == 4
    assert {(r["complaint"]["category"] is not None, r["complaint"]["current_opd"]) for r in rows} == {
        (True, world.opd.name)
    }
    assert len(four) == len(one)


def test_a_koordinator_who_is_also_an_ombudsman_reads_each_report_in_its_role(world, omb):
    own = clarified(world, omb)  # the koordinator's own Pemda, another province's Ombudsman
    other = PemdaFactory()
    MembershipFactory(role="ombudsman", province=other.province, user=world.koordinator)
    elsewhere = reported(_archived_in(other), consent=True)
    client = client_of(world.koordinator)
    roles = {r["id"]: r["viewer_role"] for r in client.get(LIST).json()["results"]}
    assert roles == {own.pk: "koordinator", elsewhere.pk: "ombudsman"}
    mine = client.get(detail(own)).json()
    assert mine["reason"] is None
    assert mine["reporter"] is None
    theirs = client.get(detail(elsewhere)).json()
    assert theirs["reason"] == REASON
    assert theirs["reporter"]["name"] == NAME


def test_the_api_is_read_only(world, omb):
    report = clarified(world, omb)
    before = (
        OmbudsmanReport.objects.values_list("status", flat=True).get(),
        ClarificationRequest.objects.count(),
    )
    client = client_of(omb)
    assert client.post(LIST, {"reason": "x"}, format="json").status_code == 405
    assert client.patch(detail(report), {"status": "closed"}, format="json").status_code == 405
    assert client.delete(detail(report)).status_code == 405
    after = (
        OmbudsmanReport.objects.values_list("status", flat=True).get(),
        ClarificationRequest.objects.count(),
    )
    assert after == before
