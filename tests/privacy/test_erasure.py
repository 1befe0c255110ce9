"""Hak penghapusan: the reporter asks through the tracking link, the koordinator of that Pemda
decides. Anyone else is refused and nothing changes."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from aduan.complaints.models import Attachment, ReporterIdentity, Status
from aduan.notifications.models import Audience, Notification
from aduan.privacy.models import ErasureRequest, ErasureStatus
from tests.factories import MembershipFactory, OpdFactory, PemdaFactory, ProvinceFactory, complaint_in_status

from .helpers import REPORTER, add_file, close, file_exists, snapshot


@pytest.fixture
def case(default_policies):
    """A dispatched complaint of Pemda A with a reporter's file and a staff file, and staff of A, of
    another Pemda B in another province, and the Ombudsman of A's province."""
    province = ProvinceFactory()
    pemda = PemdaFactory(province=province)
    opd = OpdFactory(pemda=pemda)
    koordinator = MembershipFactory(role="koordinator", pemda=pemda).user
    petugas = MembershipFactory(role="petugas_opd", opd=opd).user
    complaint = complaint_in_status(
        Status.DISPATCHED, pemda=pemda, opd=opd, koordinator=koordinator, reporter=REPORTER
    )
    reporter_file = add_file(complaint)
    staff_file = add_file(complaint, uploaded_by=petugas, is_internal=True)
    other_pemda = PemdaFactory()
    return {
        "complaint": complaint,
        "reporter_file": reporter_file,
        "staff_file": staff_file,
        "koordinator": koordinator,
        "petugas": petugas,
        "kepala": MembershipFactory(role="kepala_opd", opd=opd).user,
        "ombudsman": MembershipFactory(role="ombudsman", province=province).user,
        "other_koordinator": MembershipFactory(role="koordinator", pemda=other_pemda).user,
        "other_petugas": MembershipFactory(role="petugas_opd", opd=OpdFactory(pemda=other_pemda)).user,
    }


def ask(client, complaint, reason="Saya tidak ingin data saya disimpan lagi."):
    return client.post(
        reverse("privacy:erasure-request", args=[complaint.tracking_secret]), {"reason": reason}
    )


def decide(client, request_id, decision, note=""):
    return client.post(
        reverse("privacy:staff-erasure-decide", args=[request_id]),
        {"decision": decision, "decision_note": note},
    )


def test_reporter_asks_once_and_a_second_pending_request_is_refused(client, case):
    complaint = case["complaint"]

    first = ask(client, complaint)
    second = ask(client, complaint, reason="Sekali lagi")

    assert first.status_code == 302
    assert second.status_code == 400
    assert "sedang diproses" in second.content.decode()
    request = ErasureRequest.objects.get()
    assert (request.complaint_id, request.status, request.reason) == (
        complaint.pk,
        ErasureStatus.PENDING,
        "Saya tidak ingin data saya disimpan lagi.",
    )
    page = client.get(reverse("complaints:track", args=[complaint.tracking_secret])).content.decode()
    assert "Menunggu keputusan" in page


def test_a_request_without_reason_or_with_a_wrong_secret_stores_nothing(client, case):
    complaint = case["complaint"]

    blank = ask(client, complaint, reason="   ")
    wrong = client.post(reverse("privacy:erasure-request", args=["x" * 43]), {"reason": "Hapus"})

    assert blank.status_code == 400
    assert wrong.status_code == 404
    assert not ErasureRequest.objects.exists()


def test_the_database_allows_one_pending_request_per_complaint(case):
    complaint = case["complaint"]
    ErasureRequest.objects.create(complaint=complaint, reason="satu")
    with pytest.raises(IntegrityError), transaction.atomic():
        ErasureRequest.objects.create(complaint=complaint, reason="dua")
    ErasureRequest.objects.create(
        complaint=complaint, reason="lama", status=ErasureStatus.REJECTED, decided_at=complaint.submitted_at
    )
    assert ErasureRequest.objects.count() == 2


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, 302),  # signed out: to the sign-in page
        ("petugas", 403),  # not a koordinator anywhere: the staff page itself is refused
        ("kepala", 403),
        ("ombudsman", 403),
        ("other_petugas", 403),
        ("other_koordinator", 404),  # a koordinator, but not of this Pemda: the request does not exist
    ],
)
def test_nobody_but_the_koordinator_of_the_pemda_can_decide(client, case, who, expected):
    ask(client, case["complaint"])
    request = ErasureRequest.objects.get()
    before = snapshot()
    if who is not None:
        client.force_login(case[who])

    response = decide(client, request.pk, "approve")

    assert response.status_code == expected
    assert snapshot() == before
    assert file_exists(case["reporter_file"])


@pytest.mark.parametrize("who", ["petugas", "kepala", "ombudsman", "other_petugas"])
def test_the_list_page_is_for_koordinators_only(client, case, who):
    client.force_login(case[who])
    assert client.get(reverse("privacy:staff-erasure-list")).status_code == 403


def test_another_pemdas_koordinator_does_not_see_the_request(client, case):
    ask(client, case["complaint"])
    client.force_login(case["other_koordinator"])
    html = client.get(reverse("privacy:staff-erasure-list")).content.decode()
    assert case["complaint"].ticket_number not in html
    client.force_login(case["koordinator"])
    html = client.get(reverse("privacy:staff-erasure-list")).content.decode()
    assert case["complaint"].ticket_number in html
    assert "Saya tidak ingin data saya disimpan lagi." in html


def test_approval_erases_identity_reporter_files_and_outbox_addresses_now(client, case):
    complaint = case["complaint"]
    ask(client, complaint)
    request = ErasureRequest.objects.get()
    citizen_rows = Notification.objects.filter(complaint=complaint, audience=Audience.CITIZEN)
    staff_rows = sorted(Notification.objects.exclude(audience=Audience.CITIZEN).values_list("pk", "address"))
    assert citizen_rows.exclude(address="").exists()
    close(complaint)
    before = snapshot()
    client.force_login(case["koordinator"])

    response = decide(client, request.pk, "approve")

    assert response.status_code == 302
    identity = ReporterIdentity.objects.get(complaint=complaint)
    assert (identity.name, identity.email, identity.phone, identity.nik) == ("", "", "", "")
    assert identity.anonymised_at is not None
    reporter_file = Attachment.objects.get(pk=case["reporter_file"].pk)
    assert reporter_file.purged_at is not None
    assert not file_exists(reporter_file)
    staff_file = Attachment.objects.get(pk=case["staff_file"].pk)
    assert staff_file.purged_at is None  # the OPD's own evidence is not the reporter's data
    assert file_exists(staff_file)
    assert set(citizen_rows.values_list("address", flat=True)) == {""}
    assert (
        sorted(Notification.objects.exclude(audience=Audience.CITIZEN).values_list("pk", "address"))
        == staff_rows
    )
    request.refresh_from_db()
    assert request.status == ErasureStatus.APPROVED
    assert request.decided_by == case["koordinator"]
    assert request.decided_at is not None
    after = snapshot()
    assert after["complaints"] == before["complaints"]
    assert after["events"] == before["events"]
    # The reporter sees the outcome, and cannot ask again: there is nothing left.
    client.logout()
    page = client.get(reverse("complaints:track", args=[complaint.tracking_secret])).content.decode()
    assert "Disetujui, data dihapus" in page
    assert ask(client, complaint).status_code == 400
    assert ErasureRequest.objects.count() == 1
    # A decided request cannot be decided again.
    client.force_login(case["koordinator"])
    settled = snapshot()
    assert decide(client, request.pk, "reject", "salah klik").status_code == 400
    assert snapshot() == settled


def test_rejection_needs_a_reason_and_the_reporter_reads_it(client, case):
    complaint = case["complaint"]
    ask(client, complaint)
    request = ErasureRequest.objects.get()
    client.force_login(case["koordinator"])
    before = snapshot()

    without = decide(client, request.pk, "reject", "  ")
    assert without.status_code == 400
    assert snapshot() == before

    with_reason = decide(
        client, request.pk, "reject", "Aduan masih diproses dan kami perlu menghubungi Anda."
    )
    assert with_reason.status_code == 302
    request.refresh_from_db()
    assert request.status == ErasureStatus.REJECTED
    assert ReporterIdentity.objects.get(complaint=complaint).nik == REPORTER.nik
    assert file_exists(case["reporter_file"])
    client.logout()
    page = client.get(reverse("complaints:track", args=[complaint.tracking_secret])).content.decode()
    assert "Aduan masih diproses dan kami perlu menghubungi Anda." in page
    # After a rejection the reporter may ask again.
    assert ask(client, complaint, reason="Mohon dipertimbangkan lagi").status_code == 302
    assert ErasureRequest.objects.filter(status=ErasureStatus.PENDING).count() == 1


def test_the_staff_menu_links_the_erasure_page_for_the_koordinator_only(client, case):
    url = reverse("privacy:staff-erasure-list")
    client.force_login(case["koordinator"])
    assert f'href="{url}"' in client.get(reverse("complaints:staff-triage")).content.decode()
    client.force_login(case["petugas"])
    assert f'href="{url}"' not in client.get(reverse("complaints:staff-inbox")).content.decode()


def test_approval_waits_until_the_complaint_is_closed(client, case):
    """Erasing while the OPD still works on it would delete the reporter's evidence and contact:
    the approval is refused with a clear message, nothing changes and the request keeps waiting."""
    ask(client, case["complaint"])
    request = ErasureRequest.objects.get()
    before = snapshot()
    client.force_login(case["koordinator"])

    response = decide(client, request.pk, "approve")

    assert response.status_code == 400
    assert "masih diproses" in response.content.decode()
    assert snapshot() == before
    assert ErasureRequest.objects.get().status == ErasureStatus.PENDING
    assert file_exists(case["reporter_file"])
