"""The cross-Pemda / cross-OPD matrix over the API's URL configuration: every staff route that
takes a complaint id is called with every method it serves by staff who may not see the complaint
(koordinator of another Pemda, petugas and kepala of another OPD, Ombudsman of another province);
each answers 404 — existence never leaks — and nothing changes. Lists never include it."""

import pytest
from django.urls import URLPattern

from aduan.api import urls as api_urls
from aduan.complaints.models import ComplaintFlag, ComplaintNote
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
        for method in ("get", "post", "put", "delete"):
            if hasattr(view, method):
                routes.append((method, "/api/" + route.replace("<int:pk>", "{pk}")))
    return routes


ROUTES = _staff_routes()
BODIES = {"post": {"action": "hold", "note": "x", "body": "x", "original": 1}, "put": {"assignee": None}}


def test_the_matrix_covers_every_staff_route():
    assert len({path for _m, path in ROUTES}) == 8
    assert len(ROUTES) >= 11


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
