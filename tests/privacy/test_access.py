"""Hak akses (UU 27/2022): the reporter's copy of their data through the tracking link — the JSON
download, the readable page and the API — holds everything about them and nothing about anyone
else (other complaints, staff names, internal notes)."""

import json

import jsonschema
import pytest
import yaml
from django.urls import reverse

from aduan.api.management.commands.api_schema import SCHEMA_FILE
from aduan.complaints.models import Status
from aduan.complaints.selectors import Actor
from aduan.complaints.services import (
    ReporterData,
    complaint_note_add,
    complaint_rate,
    complaint_skm_submit,
)
from aduan.users.models import User
from tests.factories import ComplaintFactory, OpdFactory, PemdaFactory, complaint_in_status

REPORTER = ReporterData(
    name="Siti Rahmawati", email="siti.rahma@contoh.id", phone="081377712345", nik="6471012345678901"
)
EXPORT_KEYS = {
    "format_version", "generated_at", "controller", "complaint", "identity", "account", "attachments",
    "timeline", "rating", "skm", "notifications", "processing", "opd_hops", "ombudsman_report",
    "erasure_requests", "retention",
}  # fmt: skip


@pytest.fixture
def resolved(default_policies):
    pemda = PemdaFactory()
    opd = OpdFactory(pemda=pemda, name="Dinas Pekerjaan Umum")
    complaint = complaint_in_status(Status.RESOLVED, pemda=pemda, opd=opd, reporter=REPORTER)
    secret = complaint.tracking_secret
    complaint_rate(complaint_id=complaint.pk, actor=Actor.citizen(secret), score=4, comment="Cepat ditangani")
    complaint_skm_submit(
        complaint_id=complaint.pk, actor=Actor.citizen(secret), answers={f"u{i}": 3 for i in range(1, 10)}
    )
    koordinator = User.objects.get(memberships__role="koordinator", memberships__pemda=pemda)
    complaint_note_add(
        complaint_id=complaint.pk, actor=Actor.staff(koordinator), body="Catatan internal rahasia"
    )
    other = ComplaintFactory(
        pemda=pemda,
        title="Aduan orang lain",
        reporter=ReporterData(name="Joko Widodo Lain", email="joko.lain@contoh.id", nik="6471999988887777"),
    )
    return complaint, other


def staff_strings() -> list[str]:
    users = User.objects.filter(memberships__isnull=False).distinct()
    return [s for u in users for s in (u.full_name, u.email) if s]


def test_json_download_holds_every_section_of_the_reporter_and_nothing_else(client, resolved):
    complaint, other = resolved
    response = client.get(reverse("privacy:my-data-json", args=[complaint.tracking_secret]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="data-pribadi-{complaint.ticket_number}.json"'
    )
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    data = json.loads(response.content)
    assert set(data) == EXPORT_KEYS
    assert data["identity"] == {
        "name": "Siti Rahmawati",
        "email": "siti.rahma@contoh.id",
        "phone": "081377712345",
        "nik": "6471012345678901",
        "language": "id",
        "anonymised_at": None,
    }
    assert data["complaint"]["ticket_number"] == complaint.ticket_number
    assert data["complaint"]["status"] == "resolved"
    assert [e["action"] for e in data["timeline"]] == ["submit", "dispatch", "follow_up", "accept"]
    assert data["rating"]["score"] == 4
    assert data["rating"]["comment"] == "Cepat ditangani"
    assert [a["value"] for a in data["skm"]["answers"]] == [3] * 9
    # The processing history: roles and OPDs, in order.
    assert [(p["action"], p["role"], p["opd"]) for p in data["processing"]] == [
        ("submit", "citizen", ""),
        ("dispatch", "koordinator", "Dinas Pekerjaan Umum"),
        ("follow_up", "petugas_opd", "Dinas Pekerjaan Umum"),
        ("accept", "citizen", ""),
    ]
    assert data["opd_hops"][0]["opd"] == "Dinas Pekerjaan Umum"
    # Messages to the reporter: their address, a subject, no staff message.
    assert data["notifications"]
    assert {n["address"] for n in data["notifications"]} == {"siti.rahma@contoh.id"}
    assert all(n["subject"].startswith(f"[{complaint.ticket_number}]") for n in data["notifications"])
    assert {r["data_class"] for r in data["retention"]} == {"reporter_identity", "attachments", "outbox"}

    body = response.content.decode()
    for absent in [other.ticket_number, "Aduan orang lain", "Joko Widodo Lain", "joko.lain@contoh.id",
                   "6471999988887777", "Catatan internal rahasia", *staff_strings()]:  # fmt: skip
        assert absent not in body, absent


def test_readable_page_shows_the_same_data_and_the_erasure_form(client, resolved):
    complaint, other = resolved
    response = client.get(reverse("privacy:my-data", args=[complaint.tracking_secret]))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    for present in ["Siti Rahmawati", "siti.rahma@contoh.id", "6471012345678901", "Dinas Pekerjaan Umum",
                    reverse("privacy:my-data-json", args=[complaint.tracking_secret]),
                    reverse("privacy:erasure-request", args=[complaint.tracking_secret])]:  # fmt: skip
        assert present in html, present
    for absent in ["Joko Widodo Lain", "Catatan internal rahasia", *staff_strings()]:
        assert absent not in html, absent


def test_tracking_page_links_to_my_data(client, resolved):
    complaint, _other = resolved
    html = client.get(reverse("complaints:track", args=[complaint.tracking_secret])).content.decode()
    assert reverse("privacy:my-data", args=[complaint.tracking_secret]) in html
    # The tracking page itself still shows nothing of the identity.
    assert "6471012345678901" not in html
    assert "siti.rahma@contoh.id" not in html


def test_anonim_reporter_still_gets_their_own_identity(client, default_policies):
    pemda = PemdaFactory()
    complaint = complaint_in_status(Status.DISPATCHED, pemda=pemda, reporter=REPORTER, is_anonymous=True)

    data = client.get(reverse("privacy:my-data-json", args=[complaint.tracking_secret])).json()

    assert data["complaint"]["is_anonymous"] is True
    assert data["identity"]["nik"] == "6471012345678901"
    for absent in staff_strings():
        assert absent not in json.dumps(data)


def test_api_answers_the_same_export(client, resolved):
    complaint, _other = resolved
    page = client.get(reverse("privacy:my-data-json", args=[complaint.tracking_secret])).json()

    response = client.get(f"/api/v1/track/{complaint.tracking_secret}/my-data/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    api = response.json()
    assert set(api) == EXPORT_KEYS
    page.pop("generated_at"), api.pop("generated_at")
    assert api == page


@pytest.mark.parametrize(
    "url",
    [
        "/lacak/{s}/data-saya/",
        "/lacak/{s}/data-saya.json",
        "/api/v1/track/{s}/my-data/",
    ],
)
def test_a_wrong_secret_is_a_404(client, resolved, url):
    complaint, _other = resolved
    response = client.get(url.format(s=complaint.tracking_secret[:-2] + "xx"))
    assert response.status_code == 404
    assert "Siti" not in response.content.decode()


def test_account_of_a_signed_in_reporter_is_part_of_the_export(client, default_policies):
    user = User.objects.create_user(email="warga@contoh.id", password="rahasia-123", full_name="Warga Uji")
    complaint = ComplaintFactory(reporter=REPORTER, reporter_user=user)

    data = client.get(reverse("privacy:my-data-json", args=[complaint.tracking_secret])).json()

    assert data["account"] == {"email": "warga@contoh.id", "name": "Warga Uji"}


def _nullable_to_json_schema(node):
    """OpenAPI 3.0 ``nullable: true`` as JSON Schema (what jsonschema understands)."""
    if isinstance(node, list):
        return [_nullable_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _nullable_to_json_schema(v) for k, v in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def test_the_api_answer_conforms_to_the_checked_in_openapi_schema(client, resolved):
    complaint, _other = resolved
    spec = yaml.safe_load(SCHEMA_FILE.read_text())
    operation = spec["paths"]["/api/v1/track/{secret}/my-data/"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    schema = {"$ref": ref, "components": _nullable_to_json_schema(spec["components"])}
    body = client.get(f"/api/v1/track/{complaint.tracking_secret}/my-data/").json()

    jsonschema.validate(body, schema)
    for section in ("identity", "rating", "skm"):
        assert body[section] is not None
    del body["complaint"]["ticket_number"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(body, schema)
