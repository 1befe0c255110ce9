"""The staff API (aduan/api/views/staff.py, auth.py): tokens, the scoped list with filters, one
complaint with the identity rule, every move through POST .../transitions/, follow-ups, notes,
assignment, Ombudsman flags, merge and bulk moves. Refused writes change nothing."""

import pytest
from knox.models import AuthToken

from aduan.complaints.models import ComplaintFlag, ComplaintNote, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.services import ReporterData
from aduan.complaints.workflow import Action, complaint_transition
from tests.factories import ComplaintFactory, MembershipFactory, UserFactory, complaint_in_status

LIST = "/api/v1/staff/complaints/"


def url(c, op=""):
    return f"{LIST}{c.pk}/" + (f"{op}/" if op else "")


def dispatched(world, **kwargs):
    c = ComplaintFactory(pemda=world.pemda, **kwargs)
    complaint_transition(
        complaint_id=c.pk, action=Action.DISPATCH, actor=Actor.staff(world.koordinator), opd=world.opd
    )
    c.refresh_from_db()
    return c


# -------------------------------------------------------------------------------------- tokens


@pytest.mark.django_db
def test_a_token_for_email_and_password_then_revoked(api):
    user = UserFactory(email="petugas@example.id")

    got = api.post(
        "/api/v1/auth/token/", {"email": "petugas@example.id", "password": "rahasia-123"}, format="json"
    )

    assert got.status_code == 200
    key = got.json()["token"]
    assert AuthToken.objects.get(user=user).token_key == key[:15]
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").json()["email"] == "petugas@example.id"
    assert api.delete("/api/v1/auth/token/").status_code == 204
    refused = api.get("/api/v1/me/")
    assert (refused.status_code, refused.json()["code"]) == (401, "authentication_failed")


@pytest.mark.django_db
def test_a_wrong_password_gets_no_token_and_five_lock_the_account(api):
    user = UserFactory(email="x@example.id")
    for _ in range(5):
        bad = api.post("/api/v1/auth/token/", {"email": "x@example.id", "password": "salah"}, format="json")
        assert (bad.status_code, bad.json()["code"]) == (400, "invalid_credentials")

    locked = api.post(
        "/api/v1/auth/token/", {"email": "x@example.id", "password": "rahasia-123"}, format="json"
    )

    assert locked.status_code == 400
    assert not AuthToken.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_staff_endpoints_need_sign_in(api):
    response = api.get(LIST)

    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


def test_session_sign_in_works_too(api, world):
    api.force_login(world.koordinator)

    assert api.get(LIST).status_code == 200


# ------------------------------------------------------------------------------ list and detail


def test_the_list_is_scoped_and_filtered(as_user, world):
    held = dispatched(world)
    waiting = ComplaintFactory(pemda=world.pemda)
    elsewhere = ComplaintFactory()  # another Pemda

    koordinator = as_user(world.koordinator).get(LIST).json()
    petugas = as_user(world.petugas[0]).get(LIST).json()
    other_opd = as_user(world.other_petugas).get(LIST).json()
    only_submitted = as_user(world.koordinator).get(LIST, {"status": "submitted"}).json()

    assert {r["id"] for r in koordinator["results"]} == {held.pk, waiting.pk}
    assert [r["id"] for r in petugas["results"]] == [held.pk]
    assert other_opd["results"] == []
    assert [r["id"] for r in only_submitted["results"]] == [waiting.pk]
    assert elsewhere.pk not in {r["id"] for r in koordinator["results"]}
    assert petugas["results"][0]["next_due_at"] is not None


def test_a_bad_filter_value_is_a_400(as_user, world):
    response = as_user(world.koordinator).get(LIST, {"status": "nope"})

    assert (response.status_code, response.json()["field"]) == (400, "status")


def test_anonim_identity_is_shown_to_the_koordinator_only(as_user, world):
    c = dispatched(
        world, is_anonymous=True, reporter=ReporterData(name="Siti Rahasia", email="siti@example.id")
    )
    ombudsman = MembershipFactory(role="ombudsman", province=world.pemda.province).user

    koordinator = as_user(world.koordinator).get(url(c)).json()
    petugas = as_user(world.petugas[0]).get(url(c))
    for_ombudsman = as_user(ombudsman).get(url(c))

    assert koordinator["reporter"]["name"] == "Siti Rahasia"
    for response in (petugas, for_ombudsman):
        assert response.json()["reporter"] is None
        assert "Siti" not in response.content.decode()
        assert "siti@" not in response.content.decode()


def test_a_named_reporter_is_shown_to_the_opd(as_user, world):
    c = dispatched(world)

    assert as_user(world.petugas[0]).get(url(c)).json()["reporter"]["name"] == "Budi Santoso"


def test_the_timeline_never_names_the_reporter_account(as_user, world):
    reporter = UserFactory(full_name="Akun Pelapor")
    c = ComplaintFactory(pemda=world.pemda, reporter_user=reporter)

    events = as_user(world.koordinator).get(url(c, "events")).json()

    assert [(e["action"], e["actor_role"], e["actor"]) for e in events] == [("submit", "citizen", "")]


# ------------------------------------------------------------------------------------- moves


def test_the_koordinator_dispatches(as_user, world):
    c = ComplaintFactory(pemda=world.pemda)

    response = as_user(world.koordinator).post(
        url(c, "transitions"), {"action": "dispatch", "opd": world.opd.pk}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["current_opd"]["id"]) == ("dispatched", world.opd.pk)


def test_a_petugas_may_not_dispatch_and_nothing_changes(as_user, world):
    c = dispatched(world)

    response = as_user(world.petugas[0]).post(
        url(c, "transitions"), {"action": "redispatch", "opd": world.other_opd.pk}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (403, "role_not_allowed")
    c.refresh_from_db()
    assert (c.current_opd_id, c.events.count()) == (world.opd.pk, 2)


def test_a_move_without_its_input_names_the_field(as_user, world):
    c = ComplaintFactory(pemda=world.pemda)

    response = as_user(world.koordinator).post(url(c, "transitions"), {"action": "hold"}, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("note_required", "note")
    c.refresh_from_db()
    assert c.status == Status.SUBMITTED


def test_an_unknown_opd_is_an_input_error(as_user, world):
    c = ComplaintFactory(pemda=world.pemda)

    response = as_user(world.koordinator).post(
        url(c, "transitions"), {"action": "dispatch", "opd": 999999}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "opd_invalid")


def test_archive_as_duplicate_of_a_visible_complaint(as_user, world):
    original = ComplaintFactory(pemda=world.pemda)
    c = ComplaintFactory(pemda=world.pemda)

    response = as_user(world.koordinator).post(
        url(c, "transitions"),
        {"action": "archive", "reason": "duplicate", "duplicate_of": original.pk},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["duplicate_of"]) == ("archived", original.pk)


def test_follow_up_with_a_file_by_the_opd(as_user, world):
    from .test_citizen import png

    c = dispatched(world)

    response = as_user(world.petugas[0]).post(
        url(c, "follow-ups"), {"note": "Sudah ditambal.", "attachments": [png()]}, format="multipart"
    )

    assert response.status_code == 201
    assert response.json()["status"] == "followed_up"
    assert [(a["is_internal"], a["content_type"]) for a in response.json()["attachments"]] == [
        (False, "image/png")
    ]


def test_a_follow_up_refused_stores_no_file(as_user, world):
    from .test_citizen import png

    c = ComplaintFactory(pemda=world.pemda)  # not dispatched yet

    response = as_user(world.koordinator).post(
        url(c, "follow-ups"), {"note": "Jawaban.", "attachments": [png()]}, format="multipart"
    )

    assert response.status_code == 403
    assert c.attachments.count() == 0


def test_internal_notes(as_user, world):
    c = dispatched(world)
    petugas = as_user(world.petugas[0])

    written = petugas.post(url(c, "notes"), {"body": "Survei Kamis."}, format="json")
    read = as_user(world.koordinator).get(url(c, "notes")).json()

    assert written.status_code == 201
    assert [(n["body"], n["author_role"]) for n in read] == [("Survei Kamis.", "petugas_opd")]


def test_the_kepala_reads_notes_but_may_not_write(as_user, world):
    c = dispatched(world)

    response = as_user(world.kepala).post(url(c, "notes"), {"body": "Catatan."}, format="json")

    assert response.status_code == 403
    assert not ComplaintNote.objects.exists()


def test_assignment(as_user, world):
    c = dispatched(world)
    petugas = as_user(world.petugas[0])

    officers = petugas.get(url(c, "assignment")).json()
    response = petugas.put(url(c, "assignment"), {"assignee": world.petugas[1].pk}, format="json")
    wrong = petugas.put(url(c, "assignment"), {"assignee": world.other_petugas.pk}, format="json")

    assert {o["id"] for o in officers} == {u.pk for u in world.petugas}
    assert response.json()["assigned_to"]["id"] == world.petugas[1].pk
    assert (wrong.status_code, wrong.json()["code"]) == (400, "assignee_invalid")
    c.refresh_from_db()
    assert c.assigned_to_id == world.petugas[1].pk


def test_only_the_holding_opds_petugas_see_its_officers(as_user, world):
    c = dispatched(world)
    for user in (
        world.koordinator,
        world.kepala,
        MembershipFactory(role="ombudsman", province=world.pemda.province).user,
    ):
        response = as_user(user).get(url(c, "assignment"))
        assert (response.status_code, response.json()["code"]) == (403, "role_not_allowed")
        assert "email" not in response.content.decode()


def test_the_ombudsman_flags_and_clears(as_user, world):
    c = dispatched(world)
    ombudsman = as_user(MembershipFactory(role="ombudsman", province=world.pemda.province).user)

    flagged = ombudsman.post(url(c, "flag"), {"note": "Dipantau."}, format="json")
    by_koordinator = as_user(world.koordinator).post(url(c, "flag"), {"note": "x"}, format="json")
    cleared = ombudsman.delete(url(c, "flag"))

    assert (flagged.status_code, flagged.json()["flag"]["note"]) == (201, "Dipantau.")
    assert by_koordinator.status_code == 403
    assert (cleared.status_code, cleared.json()["flag"]) == (200, None)
    assert ComplaintFlag.objects.filter(complaint=c).count() == 1


def test_merge_a_duplicate(as_user, world):
    original = ComplaintFactory(pemda=world.pemda)
    duplicate = ComplaintFactory(pemda=world.pemda)

    response = as_user(world.koordinator).post(
        url(duplicate, "merge"), {"original": original.pk}, format="json"
    )

    assert (response.status_code, response.json()["status"]) == (200, "archived")
    original.refresh_from_db()
    assert original.supporters_count == 1


def test_bulk_moves_report_each_complaint(as_user, world):
    a = ComplaintFactory(pemda=world.pemda)
    b = complaint_in_status(Status.ARCHIVED, pemda=world.pemda, koordinator=world.koordinator)
    foreign = ComplaintFactory()

    response = as_user(world.koordinator).post(
        f"{LIST}bulk-transitions/",
        {"ids": [a.pk, b.pk, foreign.pk], "action": "dispatch", "opd": world.opd.pk},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["done"] == [a.pk]
    assert [(r["id"], r["code"]) for r in response.json()["refused"]] == [
        (b.pk, "transition_not_allowed"),
        (foreign.pk, "not_found"),
    ]
    foreign.refresh_from_db()
    assert foreign.status == Status.SUBMITTED


# ------------------------------------------------------------------------------------ webhooks


def test_the_koordinator_registers_a_webhook_and_sees_the_secret_once(as_user, world):
    client = as_user(world.koordinator)

    created = client.post(
        "/api/v1/staff/webhooks/",
        {"pemda": world.pemda.code, "url": "https://hook.example.id/aduan"},
        format="json",
    )
    listed = client.get("/api/v1/staff/webhooks/").json()

    assert created.status_code == 201
    assert len(created.json()["secret"]) == 64
    assert [(w["url"], w["is_active"]) for w in listed] == [("https://hook.example.id/aduan", True)]
    assert "secret" not in listed[0]
    assert client.delete(f"/api/v1/staff/webhooks/{created.json()['id']}/").status_code == 204
    assert client.get("/api/v1/staff/webhooks/").json()[0]["is_active"] is False


def test_only_the_pemdas_koordinator_registers_and_only_https(as_user, world):
    from aduan.notifications.models import WebhookEndpoint

    petugas = as_user(world.petugas[0]).post(
        "/api/v1/staff/webhooks/",
        {"pemda": world.pemda.code, "url": "https://hook.example.id/"},
        format="json",
    )
    plain = as_user(world.koordinator).post(
        "/api/v1/staff/webhooks/",
        {"pemda": world.pemda.code, "url": "http://hook.example.id/"},
        format="json",
    )

    assert (petugas.status_code, petugas.json()["code"]) == (403, "koordinator_only")
    assert (plain.status_code, plain.json()["code"]) == (400, "webhook_url_invalid")
    assert not WebhookEndpoint.objects.exists()
