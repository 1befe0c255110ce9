"""The cross-Pemda / cross-OPD matrix over the API's URL configuration: every staff route that
takes a complaint id is called with every method it serves by staff who may not see the complaint
(koordinator of another Pemda, petugas and kepala of another OPD, Ombudsman of another province);
each answers 404 — existence never leaks — and nothing changes. Lists never include it.

The same outsiders against the other scoped resources: an OPD's canned responses (every method of
the detail route: 404 for OPD staff, 403 without an OPD role, nothing changed; the list never shows
them) and a Pemda's compliance figures and scores (never listed; 404 when asked for by code)."""

import pytest
from django.urls import URLPattern

from aduan.api import urls as api_urls
from aduan.complaints.models import Attachment, CannedResponse, ComplaintFlag, ComplaintNote
from aduan.complaints.selectors import Actor
from aduan.complaints.services import canned_response_save
from aduan.compliance.methodologies import ensure_initial_methodologies
from aduan.compliance.models import Methodology
from aduan.compliance.services import assessment_entry_record, score_compute
from tests.factories import ComplaintFactory, MembershipFactory, OpdFactory, PemdaFactory

from .test_staff import dispatched


def _staff_routes() -> list[tuple[str, str]]:
    routes = []
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        if not hasattr(pattern.callback, "view_class"):
            continue
        if not route.startswith("v1/staff/complaints/") or "<int:pk>" not in route:
            continue
        view = pattern.callback.view_class
        for method in ("get", "post", "put", "patch", "delete"):
            if hasattr(view, method):
                routes.append((method, "/api/" + route.replace("<int:pk>", "{pk}")))
    return routes


ROUTES = _staff_routes()
BODIES = {"post": {"action": "hold", "note": "x", "body": "x", "original": 1}, "put": {"assignee": None}}


def test_the_matrix_covers_every_staff_route():
    assert len({path for _m, path in ROUTES}) == 9
    assert len(ROUTES) >= 12
    assert ("post", "/api/v1/staff/complaints/{pk}/attachments/") in ROUTES


@pytest.fixture
def outsiders(world):
    other_pemda = PemdaFactory()
    return {
        "koordinator of another Pemda": MembershipFactory(role="koordinator", pemda=other_pemda).user,
        "petugas of another OPD": world.other_petugas,
        "kepala of another OPD": world.other_kepala,
        "petugas of another Pemda's OPD": MembershipFactory(
            role="petugas_opd", opd=OpdFactory(pemda=other_pemda)
        ).user,
        "ombudsman of another province": MembershipFactory(
            role="ombudsman", province=other_pemda.province
        ).user,
    }


def _snapshot(c):
    c.refresh_from_db()
    return (
        c.status, c.current_opd_id, c.assigned_to_id, c.events.count(),
        ComplaintNote.objects.filter(complaint=c).count(), ComplaintFlag.objects.filter(complaint=c).count(),
        Attachment.objects.filter(complaint=c).count(),
    )  # fmt: skip


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_outsiders_get_404_and_change_nothing(as_user, world, outsiders, method, path):
    c = dispatched(world)
    before = _snapshot(c)

    for who, user in outsiders.items():
        client = as_user(user)
        response = getattr(client, method)(path.format(pk=c.pk), BODIES.get(method, {}), format="json")
        assert response.status_code == 404, (who, response.status_code, response.content)
        assert response.json()["code"] == "not_found"

    assert _snapshot(c) == before


def test_lists_never_leak(as_user, world, outsiders):
    c = dispatched(world)
    ComplaintFactory(pemda=world.pemda, is_confidential=True)

    for who, user in outsiders.items():
        rows = as_user(user).get("/api/v1/staff/complaints/", {"page_size": 100}).json()["results"]
        assert c.pk not in {r["id"] for r in rows}, who
        assert all(r["pemda"] != world.pemda.code for r in rows), who
    bulk = as_user(outsiders["koordinator of another Pemda"]).post(
        "/api/v1/staff/complaints/bulk-transitions/",
        {"ids": [c.pk], "action": "archive", "reason": "unintelligible"},
        format="json",
    )
    assert bulk.json() == {
        "done": [],
        "refused": [{"id": c.pk, "code": "not_found", "message": "Data tidak ditemukan."}],
    }


# ------------------------------------------------------------------------- canned responses


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_outsiders_never_reach_an_opds_canned_response(as_user, world, outsiders, method):
    canned = canned_response_save(
        actor=Actor.staff(world.kepala), opd=world.opd, title="Sudah ditambal", body="Lubang sudah ditambal."
    )
    before = list(CannedResponse.objects.values_list("pk", "opd_id", "title", "body", "is_active"))

    for who, user in outsiders.items():
        response = getattr(as_user(user), method)(
            f"/api/v1/staff/canned-responses/{canned.pk}/", {"title": "Diambil", "body": "x"}, format="json"
        )
        has_opd_role = who.startswith(("petugas", "kepala"))
        if method == "delete":  # not offered to anyone
            assert response.status_code == 405, who
        else:
            assert response.status_code == (404 if has_opd_role else 403), (who, response.status_code)

    assert list(CannedResponse.objects.values_list("pk", "opd_id", "title", "body", "is_active")) == before


def test_canned_lists_never_leak(as_user, world, outsiders):
    canned_response_save(actor=Actor.staff(world.kepala), opd=world.opd, title="Satu", body="Isi")

    for who, user in outsiders.items():
        response = as_user(user).get("/api/v1/staff/canned-responses/", {"opd": world.opd.pk})
        if response.status_code == 200:
            assert response.json()["results"] == [], who
        else:
            assert response.status_code == 403, who
        own = as_user(user).get("/api/v1/staff/canned-responses/")
        assert own.status_code == 403 or all(r["opd"] != world.opd.pk for r in own.json()["results"]), who


# ------------------------------------------------------------------------------- compliance


def test_compliance_figures_and_scores_never_leak(as_user, world, outsiders):
    ensure_initial_methodologies(Methodology)
    ombudsman = MembershipFactory(role="ombudsman", province=world.pemda.province).user
    for code in ("input", "proses", "output"):
        assessment_entry_record(
            pemda=world.pemda, year=2022, kind="dimension", code=code, value=90, user=ombudsman
        )
    score_compute(pemda_id=world.pemda.pk, year=2022)
    dispatched(world)

    for who, user in outsiders.items():
        client = as_user(user)
        listed = client.get("/api/v1/metrics/")
        assert listed.status_code == 200, who
        for pemda in listed.json()["pemdas"]:
            if pemda["code"] == world.pemda.code:  # a petugas/kepala of world's other OPD
                assert pemda["figures"] is None, who
                assert world.opd.pk not in {r["id"] for r in pemda["opds"]}, who
        if not who.endswith("another OPD"):
            assert world.pemda.code not in {p["code"] for p in listed.json()["pemdas"]}, who
            assert client.get("/api/v1/metrics/", {"pemda": world.pemda.code}).status_code == 404, who
        for url in (
            f"/api/v1/pemdas/{world.pemda.code}/scores/",
            f"/api/v1/pemdas/{world.pemda.code}/scores/2022/",
        ):
            response = client.get(url)
            assert (response.status_code, response.json()["code"]) == (404, "not_found"), (who, url)
