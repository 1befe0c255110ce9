"""The permission matrix of the staff workspace, generated over the URL configuration.

Every staff URL of ``aduan.workspace.urls`` (except sign-in, sign-out and password reset) must
have an entry in MATRIX, so a new staff URL without one fails ``test_every_staff_url_is_in_the_matrix``.
Each role of Pemda A / OPD A is then sent at the complaints of Pemda B / OPD B (another province):
pages are refused (403/404) or list nothing of B, and refused actions change nothing.
"""

import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, reverse
from django.utils import timezone
from PIL import Image

from aduan.agencies.areas import areas_load
from aduan.agencies.models import Kelurahan
from aduan.complaints.attachments import attachment_add, validate_upload
from aduan.complaints.intake import IntakeData, complaint_intake
from aduan.complaints.models import (
    Attachment,
    CannedResponse,
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintFlag,
    ComplaintNote,
    ComplaintSupport,
    InboundEmail,
    InboundOutcome,
    IntakeRecord,
    Mailbox,
    Status,
    UnreadableReason,
)
from aduan.complaints.selectors import Actor
from aduan.complaints.services import ReporterData, canned_response_save
from aduan.ombudsman import services as ombudsman_services
from aduan.ombudsman.models import ClarificationRequest, CorrectiveAction, OmbudsmanReport
from aduan.workspace import urls as complaint_urls
from tests.factories import (
    MembershipFactory,
    OpdFactory,
    PemdaFactory,
    ProvinceFactory,
    complaint_in_status,
)


def png_upload(name="bukti.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 200, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@dataclass
class Side:
    pemda: object
    opd: object
    koordinator: object
    petugas: object
    kepala: object
    ombudsman: object
    new: object  # submitted
    held: object  # dispatched to opd
    canned: object
    attachment: object
    loket: object = None
    intake: object = None  # recorded at staff intake by the loket
    kept_mail: object = None  # an e-mail the Pemda's mailbox could not use (koordinator's list)

    report_new: object = None  # taken to the Ombudsman, not yet handled
    report: object = None  # under clarification
    action: object = None  # a corrective action of a closed report


def areas_side(pemda, code: str):
    """One kecamatan with one kelurahan for the Pemda: the area filters and the location step."""
    areas_load(pemda, {f"Kecamatan {code}": [f"Kelurahan {code}"]})
    return Kelurahan.objects.get(kecamatan__pemda=pemda)


def make_side(code: str) -> Side:
    province = ProvinceFactory(code=f"PR{code}", name=f"Provinsi {code}")
    pemda = PemdaFactory(province=province, code=f"KOTA{code}", name=f"Kota {code}")
    opd = OpdFactory(pemda=pemda, name=f"Dinas {code}")
    koordinator = MembershipFactory(role="koordinator", pemda=pemda).user
    petugas = MembershipFactory(role="petugas_opd", opd=opd).user
    kepala = MembershipFactory(role="kepala_opd", opd=opd).user
    ombudsman = MembershipFactory(role="ombudsman", province=province).user
    new = complaint_in_status(Status.SUBMITTED, pemda=pemda, koordinator=koordinator, title=f"Baru {code}")
    kelurahan = areas_side(pemda, code)
    held = complaint_in_status(
        Status.DISPATCHED,
        pemda=pemda,
        opd=opd,
        koordinator=koordinator,
        latitude=Decimal("-1.255200"),
        longitude=Decimal("116.869100"),
        kelurahan=kelurahan,
    )
    canned = canned_response_save(actor=Actor.staff(petugas), opd=opd, title="Salam", body=f"Jawaban {code}")
    attachment = attachment_add(
        complaint=held, upload=validate_upload(png_upload()), uploaded_by=petugas, is_internal=True
    )
    loket = MembershipFactory(role="petugas_loket", pemda=pemda).user
    intake = complaint_intake(
        pemda=pemda,
        intake=IntakeData(channel=Channel.PHONE, received_at=timezone.now()),
        recorded_by=loket,
        title=f"Telepon {code}",
        chronology="Lewat hotline.",
        reporter=ReporterData(name=f"Penelepon {code}", phone="0812000000"),
    )
    mailbox = Mailbox.objects.create(
        pemda=pemda, host="imap.example.id", username=f"aduan{code}", password_env="ADUAN_MAIL_X"
    )
    kept_mail = InboundEmail.objects.create(
        mailbox=mailbox,
        pemda=pemda,
        message_id=f"<{code}@example.id>",
        received_at=timezone.now(),
        outcome=InboundOutcome.UNREADABLE,
        reason=UnreadableReason.NOT_AWAITING,
        complaint=new,
        sender=f"pelapor{code}@example.id",
        subject=f"Re: [{new.ticket_number}]",
        raw=f"Subject: Re: [{new.ticket_number}]\r\n\r\nJawaban {code}\r\n".encode(),
    )
    side = Side(
        pemda, opd, koordinator, petugas, kepala, ombudsman, new, held, canned, attachment, loket, intake,
        kept_mail,
    )  # fmt: skip
    ombudsman_reports_add(side)
    return side


def ombudsman_reports_add(side: Side) -> None:
    """Three complaints taken to the Ombudsman: one new, one under clarification, one closed with a
    corrective action."""
    reports = []
    for _ in range(3):
        complaint = complaint_in_status(Status.ARCHIVED, pemda=side.pemda, koordinator=side.koordinator)
        reports.append(
            ombudsman_services.report_submit(
                complaint_id=complaint.pk,
                secret=complaint.tracking_secret,
                reason="Diarsipkan tanpa alasan yang jelas oleh koordinator.",
                consent=True,
            )
        )
    side.report_new, side.report, closed = reports
    ombudsman_services.clarification_request(
        report_id=side.report.pk, user=side.ombudsman, question="Mengapa?"
    )
    ombudsman_services.report_close(
        report_id=closed.pk,
        user=side.ombudsman,
        finding="maladministrasi",
        note="Temuan.",
        actions=[("Perbaiki SOP", timezone.now().date() + timedelta(days=30))],
    )
    side.action = closed.actions.get()


@pytest.fixture
def sides(default_policies):
    return make_side("A"), make_side("B")


def snapshot() -> dict:
    """Everything a staff action could change."""
    return {
        "complaints": sorted(
            Complaint.objects.values_list(
                "pk",
                "status",
                "current_opd_id",
                "assigned_to_id",
                "supporters_count",
                "archive_reason",
                "public_title",
                "public_text",
                "public_hidden",
                "latitude",
                "longitude",
                "kelurahan_id",
            )
        ),
        "events": ComplaintEvent.objects.count(),
        "intakes": IntakeRecord.objects.count(),
        "notes": ComplaintNote.objects.count(),
        "flags": sorted(ComplaintFlag.objects.values_list("pk", "cleared_at")),
        "attachments": Attachment.objects.count(),
        "canned": sorted(CannedResponse.objects.values_list("pk", "title", "body", "is_active")),
        "supports": ComplaintSupport.objects.count(),
        "kept_mail": sorted(InboundEmail.objects.values_list("pk", "handled_at", "handled_by_id")),
        "ombudsman": sorted(OmbudsmanReport.objects.values_list("pk", "status", "finding")),
        "clarifications": sorted(ClarificationRequest.objects.values_list("pk", "answered_at")),
        "corrective": sorted(CorrectiveAction.objects.values_list("pk", "done_at")),
    }


# name -> list of (method, url kwargs from (a, b), POST data from (a, b)); "list" pages get GET only.
MATRIX = {
    "staff-list": [("GET", None, None)],
    "staff-home": [("GET", None, None)],
    "staff-triage": [("GET", None, None)],
    "staff-inbox": [("GET", None, None)],
    "staff-kepala": [("GET", None, None)],
    "staff-ombudsman": [("GET", None, None)],
    "staff-map": [("GET", None, None)],
    "staff-export-csv": [("GET", None, None)],
    "staff-export-xlsx": [("GET", None, None)],
    "staff-canned": [
        ("GET", None, None),
        ("POST", None, lambda a, b: {"opd": b.opd.pk, "title": "Baru", "body": "Isi", "is_active": "on"}),
    ],
    "staff-canned-edit": [
        ("GET", lambda a, b: {"pk": b.canned.pk}, None),
        ("POST", lambda a, b: {"pk": b.canned.pk}, lambda a, b: {"title": "Ganti", "body": "Isi"}),
    ],
    "staff-triage-bulk": [
        ("POST", None, lambda a, b: {"complaints": [b.new.pk], "action": "hold", "note": "Tanya"}),
        ("POST", None, lambda a, b: {"complaints": [b.new.pk], "action": "dispatch", "opd": b.opd.pk}),
    ],
    "staff-detail": [
        ("GET", lambda a, b: {"pk": b.held.pk}, None),
        ("GET", lambda a, b: {"pk": b.new.pk}, None),
    ],
    "staff-transition": [
        (
            "POST",
            lambda a, b: {"pk": b.new.pk, "action": "dispatch"},
            lambda a, b: {"dispatch-opd": b.opd.pk},
        ),
        ("POST", lambda a, b: {"pk": b.new.pk, "action": "hold"}, lambda a, b: {"hold-note": "Tanya"}),
        (
            "POST",
            lambda a, b: {"pk": b.new.pk, "action": "archive"},
            lambda a, b: {"archive-reason": "unintelligible"},
        ),
        (
            "POST",
            lambda a, b: {"pk": b.new.pk, "action": "forward_out"},
            lambda a, b: {"forward_out-institution": "BPJS"},
        ),
        (
            "POST",
            lambda a, b: {"pk": b.held.pk, "action": "follow_up"},
            lambda a, b: {"follow_up-note": "Beres"},
        ),
        (
            "POST",
            lambda a, b: {"pk": b.held.pk, "action": "request_redispatch"},
            lambda a, b: {"request_redispatch-note": "Bukan kami"},
        ),
    ],
    "staff-assign": [("POST", lambda a, b: {"pk": b.held.pk}, lambda a, b: {"assignee": b.petugas.pk})],
    "staff-note": [("POST", lambda a, b: {"pk": b.held.pk}, lambda a, b: {"body": "Catatan"})],
    "staff-attachment-add": [
        ("POST", lambda a, b: {"pk": b.held.pk}, lambda a, b: {"file": png_upload(), "is_internal": "on"})
    ],
    "staff-merge": [("POST", lambda a, b: {"pk": b.new.pk}, lambda a, b: {"original": b.held.ticket_number})],
    "staff-flag": [("POST", lambda a, b: {"pk": b.held.pk}, lambda a, b: {"note": "Pantau"})],
    "staff-unflag": [("POST", lambda a, b: {"pk": b.held.pk}, lambda a, b: {})],
    "staff-public-edit": [
        ("POST", lambda a, b: {"pk": b.held.pk}, lambda a, b: {"public_title": "Diubah", "public_text": "x"})
    ],
    "staff-public-hide": [("POST", lambda a, b: {"pk": b.held.pk}, lambda a, b: {"hidden": "1"})],
    "staff-relocate": [
        (
            "POST",
            lambda a, b: {"pk": b.held.pk},
            lambda a, b: {"latitude": "-1.1", "longitude": "116.1", "kelurahan": a.held.kelurahan_id},
        ),
        ("POST", lambda a, b: {"pk": b.new.pk}, lambda a, b: {"latitude": "-1.1", "longitude": "116.1"}),
    ],
    "staff-attachment": [("GET", lambda a, b: {"pk": b.attachment.pk}, None)],
    "staff-intake": [("GET", None, None)],
    "staff-inbound-mail": [("GET", None, None)],
    "staff-inbound-mail-raw": [("GET", lambda a, b: {"pk": b.kept_mail.pk}, None)],
    "staff-inbound-mail-handled": [("POST", lambda a, b: {"pk": b.kept_mail.pk}, lambda a, b: {})],
    "staff-ombudsman-reports": [("GET", None, None)],
    "staff-ombudsman-pemda": [("GET", None, None)],
    "staff-ombudsman-report": [
        ("GET", lambda a, b: {"pk": b.report.pk}, None),
        ("GET", lambda a, b: {"pk": b.report_new.pk}, None),
    ],
    "staff-ombudsman-clarify": [
        ("POST", lambda a, b: {"pk": b.report_new.pk}, lambda a, b: {"question": "x"})
    ],
    "staff-ombudsman-answer": [("POST", lambda a, b: {"pk": b.report.pk}, lambda a, b: {"answer": "x"})],
    "staff-ombudsman-close": [
        (
            "POST",
            lambda a, b: {"pk": b.report_new.pk},
            lambda a, b: {"finding": "tidak_ditemukan", "note": "x"},
        )
    ],
    "staff-ombudsman-action-done": [("POST", lambda a, b: {"pk": b.action.pk}, lambda a, b: {"note": "x"})],
    "staff-intake-receipt": [
        ("GET", lambda a, b: {"pk": b.intake.pk}, None),
        ("GET", lambda a, b: {"pk": b.new.pk}, None),
    ],
}

ROLES = ("koordinator", "petugas", "kepala", "ombudsman", "loket")


def staff_url_names() -> set[str]:
    names = set()
    for pattern in complaint_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name and pattern.name.startswith("staff-"):
            names.add(pattern.name)
    return names - complaint_urls.STAFF_PUBLIC_URL_NAMES


def test_every_staff_url_is_in_the_matrix():
    assert staff_url_names() == set(MATRIX)


def tickets_of(side) -> list[str]:
    reports = [side.report_new, side.report, side.action.report]
    return [side.new.ticket_number, side.held.ticket_number, side.intake.ticket_number] + [
        r.complaint.ticket_number for r in reports
    ]


def body_text(response) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row if c)
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_roles_of_pemda_a_reach_nothing_of_pemda_b(sides, client, role):
    a, b = sides
    user = getattr(a, role)
    client.force_login(user)
    # An open Ombudsman flag on B, so that "unflag" has something it could wrongly clear.
    ComplaintFlag.objects.create(complaint=b.held, note="B dipantau", flagged_by=b.ombudsman)
    for name, requests in MATRIX.items():
        for method, kwargs, data in requests:
            url = reverse(f"complaints:{name}", kwargs=kwargs(a, b) if kwargs else None)
            before = snapshot()
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data(a, b) if data else {})
            where = f"{role} {method} {url}"
            if kwargs is None and method == "GET":
                assert response.status_code in (200, 302, 403), where
                text = body_text(response) if response.status_code == 200 else ""
                for ticket in tickets_of(b):
                    assert ticket not in text, where
                assert "Jawaban B" not in text, where
            else:
                assert response.status_code in (403, 404), f"{where}: {response.status_code}"
            assert snapshot() == before, where


def test_pages_of_pemda_a_do_show_its_own_complaints(sides, client):
    """The matrix above would pass on pages that show nothing at all: the same pages list A's own."""
    a, b = sides
    expected = {
        "koordinator": ("staff-triage", a.new),
        "petugas": ("staff-inbox", a.held),
        "kepala": ("staff-kepala", a.held),
        "ombudsman": ("staff-ombudsman", a.held),
    }
    for role, (name, complaint) in expected.items():
        client.force_login(getattr(a, role))
        html = client.get(reverse(f"complaints:{name}")).content.decode()
        assert complaint.ticket_number in html, role
        assert client.get(reverse("complaints:staff-detail", kwargs={"pk": a.held.pk})).status_code == 200


@pytest.mark.parametrize(
    ("role", "name"),
    [
        ("petugas", "staff-triage"),
        ("kepala", "staff-triage"),
        ("ombudsman", "staff-triage"),
        ("koordinator", "staff-inbox"),
        ("ombudsman", "staff-inbox"),
        ("petugas", "staff-kepala"),
        ("koordinator", "staff-ombudsman"),
        ("petugas", "staff-ombudsman"),
        ("ombudsman", "staff-canned"),
        ("koordinator", "staff-canned"),
        ("petugas", "staff-inbound-mail"),
        ("kepala", "staff-inbound-mail"),
        ("ombudsman", "staff-inbound-mail"),
        ("loket", "staff-inbound-mail"),
        ("ombudsman", "staff-map"),
        ("loket", "staff-map"),
    ],
)
def test_a_page_of_another_role_is_forbidden(sides, client, role, name):
    a, _b = sides
    client.force_login(getattr(a, role))

    assert client.get(reverse(f"complaints:{name}")).status_code == 403


def test_a_role_of_the_same_pemda_without_the_move_changes_nothing(sides, client):
    """Inside its own Pemda a petugas may not re-dispatch, an Ombudsman may not follow up and a
    kepala may not write notes; a complaint the petugas' OPD never held is not even found."""
    a, _b = sides
    before = snapshot()
    client.force_login(a.petugas)
    unseen = client.post(
        reverse("complaints:staff-transition", kwargs={"pk": a.new.pk, "action": "dispatch"}),
        {"dispatch-opd": a.opd.pk},
    )
    other = OpdFactory(pemda=a.pemda)
    dispatch = client.post(
        reverse("complaints:staff-transition", kwargs={"pk": a.held.pk, "action": "redispatch"}),
        {"redispatch-opd": other.pk},
    )
    client.force_login(a.ombudsman)
    follow_up = client.post(
        reverse("complaints:staff-transition", kwargs={"pk": a.held.pk, "action": "follow_up"}),
        {"follow_up-note": "Sudah"},
    )
    client.force_login(a.kepala)
    note = client.post(reverse("complaints:staff-note", kwargs={"pk": a.held.pk}), {"body": "x"})

    assert unseen.status_code == 404
    assert (dispatch.status_code, follow_up.status_code, note.status_code) == (403, 403, 403)
    assert snapshot() == before
