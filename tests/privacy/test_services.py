"""The erasure services themselves (what pages, API and commands share): who may decide, and one
pending request per complaint under concurrency."""

import threading

import pytest
from django.db import connection

from aduan.complaints.models import ReporterIdentity, Status
from aduan.complaints.selectors import Actor
from aduan.core.exceptions import InvalidInput, NotFound, PermissionDenied
from aduan.privacy.models import ErasureRequest, ErasureStatus
from aduan.privacy.services import erasure_request_create, erasure_request_decide
from tests.factories import MembershipFactory, OpdFactory, PemdaFactory, complaint_in_status

from .helpers import REPORTER, snapshot


@pytest.fixture
def pending(default_policies):
    pemda = PemdaFactory()
    opd = OpdFactory(pemda=pemda)
    complaint = complaint_in_status(Status.DISPATCHED, pemda=pemda, opd=opd, reporter=REPORTER)
    request = erasure_request_create(
        complaint_id=complaint.pk, actor=Actor.citizen(complaint.tracking_secret), reason="Hapus data saya"
    )
    return complaint, request


@pytest.mark.parametrize("who", ["petugas", "kepala", "ombudsman", "other_koordinator", "citizen", "system"])
def test_only_the_koordinator_of_the_pemda_may_decide(pending, who):
    complaint, request = pending
    pemda, opd = complaint.pemda, complaint.current_opd
    actors = {
        "petugas": lambda: Actor.staff(MembershipFactory(role="petugas_opd", opd=opd).user),
        "kepala": lambda: Actor.staff(MembershipFactory(role="kepala_opd", opd=opd).user),
        "ombudsman": lambda: Actor.staff(MembershipFactory(role="ombudsman", province=pemda.province).user),
        "other_koordinator": lambda: Actor.staff(
            MembershipFactory(role="koordinator", pemda=PemdaFactory()).user
        ),
        "citizen": lambda: Actor.citizen(complaint.tracking_secret),
        "system": Actor.system,
    }
    actor = actors[who]()
    before = snapshot()

    with pytest.raises(NotFound):
        erasure_request_decide(request_id=request.pk, actor=actor, approve=True)

    assert snapshot() == before
    assert ReporterIdentity.objects.get(complaint=complaint).nik == REPORTER.nik


def test_only_the_reporter_may_ask(pending):
    complaint, request = pending
    erasure_request_decide(
        request_id=request.pk,
        actor=Actor.staff(MembershipFactory(role="koordinator", pemda=complaint.pemda).user),
        approve=False,
        note="Masih diproses",
    )
    koordinator = Actor.staff(MembershipFactory(role="koordinator", pemda=complaint.pemda).user)
    before = snapshot()

    with pytest.raises(PermissionDenied):
        erasure_request_create(complaint_id=complaint.pk, actor=koordinator, reason="Atas nama pelapor")
    with pytest.raises(PermissionDenied):
        erasure_request_create(complaint_id=complaint.pk, actor=Actor.citizen("salah" * 9), reason="Hapus")

    assert snapshot() == before


def test_a_rejection_without_a_note_changes_nothing(pending):
    complaint, request = pending
    koordinator = Actor.staff(MembershipFactory(role="koordinator", pemda=complaint.pemda).user)
    before = snapshot()
    with pytest.raises(InvalidInput) as refused:
        erasure_request_decide(request_id=request.pk, actor=koordinator, approve=False, note=" ")
    assert refused.value.code == "decision_note_required"
    assert snapshot() == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_leave_exactly_one_pending(default_policies):
    complaint = complaint_in_status(Status.SUBMITTED, pemda=PemdaFactory(), reporter=REPORTER)
    actor = Actor.citizen(complaint.tracking_secret)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def ask(n: int):
        try:
            barrier.wait(timeout=10)
            erasure_request_create(complaint_id=complaint.pk, actor=actor, reason=f"permintaan {n}")
            outcomes.append("created")
        except InvalidInput as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)

    assert sorted(outcomes) == ["created", "erasure_pending", "erasure_pending", "erasure_pending"]
    assert ErasureRequest.objects.filter(complaint=complaint, status=ErasureStatus.PENDING).count() == 1
