"""The inbox, the triage queue and the complaint page read a fixed number of queries, whether the
OPD holds 10 complaints or 1,000 (the rows are cloned with bulk_create from one real complaint:
its event, hop and clocks, so each clone is what the workflow would have written)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aduan.complaints.models import Complaint, ComplaintEvent, ComplaintHop, ReporterIdentity, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.services import complaint_assign
from aduan.sla.models import Deadline
from aduan.workspace.views.staff_queues import queue_caches_clear
from tests.factories import ComplaintFactory, complaint_in_status

pytestmark = pytest.mark.postgres


def clone(template: Complaint, n: int, start: int) -> None:
    """n copies of a dispatched complaint with its events, hop and open clocks."""
    complaints = Complaint.objects.bulk_create(
        [
            Complaint(
                pemda_id=template.pemda_id,
                ticket_number=f"{template.pemda.code}-2026-{900000 + start + i:06d}",
                title=f"{template.title} #{start + i}",
                chronology=template.chronology,
                status=template.status,
                status_changed_at=template.status_changed_at,
                submitted_at=template.submitted_at,
                current_opd_id=template.current_opd_id,
                category_id=template.category_id,
                assigned_to_id=template.assigned_to_id if i % 2 else None,
                is_anonymous=bool(i % 3 == 0),
            )
            for i in range(n)
        ]
    )
    ReporterIdentity.objects.bulk_create(
        [ReporterIdentity(complaint=c, name="Warga", email="warga@example.id") for c in complaints]
    )
    event = template.events.get(action="dispatch")
    events = ComplaintEvent.objects.bulk_create(
        [
            ComplaintEvent(
                complaint=c,
                action=event.action,
                from_status=event.from_status,
                to_status=event.to_status,
                actor_id=event.actor_id,
                actor_role=event.actor_role,
                opd_id=event.opd_id,
                created_at=event.created_at,
                seq=1,
            )
            for c in complaints
        ]
    )
    hop = template.hops.get()
    ComplaintHop.objects.bulk_create(
        [
            ComplaintHop(complaint=c, opd_id=hop.opd_id, started_at=hop.started_at, started_by=e)
            for c, e in zip(complaints, events, strict=True)
        ]
    )
    clocks = list(template.deadlines.all())
    Deadline.objects.bulk_create(
        [
            Deadline(
                complaint=c,
                stage=d.stage,
                opd_id=d.opd_id,
                policy_id=d.policy_id,
                started_at=d.started_at,
                due_at=d.due_at,
                met_at=d.met_at,
            )
            for c in complaints
            for d in clocks
        ]
    )


def count(client, url) -> int:
    queue_caches_clear()  # as in a fresh process, whichever page came first
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_inbox_triage_and_complaint_page_queries_do_not_grow(world, client):
    template = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    petugas = world.petugas[0]
    complaint_assign(complaint_id=template.pk, actor=Actor.staff(petugas), assignee_id=petugas.pk)
    template.refresh_from_db()
    for _ in range(3):
        ComplaintFactory(pemda=world.pemda)  # the triage queue has rows too
    urls = {
        "inbox": reverse("complaints:staff-inbox"),
        "inbox sorted by due": reverse("complaints:staff-inbox") + "?sort=due&due=overdue",
        "list": reverse("complaints:staff-list"),
        "detail": reverse("complaints:staff-detail", kwargs={"pk": template.pk}),
    }
    triage = reverse("complaints:staff-triage")

    clone(template, 9, 0)
    client.force_login(petugas)
    small = {name: count(client, url) for name, url in urls.items()}
    client.force_login(world.koordinator)
    small_triage = count(client, triage)

    clone(template, 990, 100)
    client.force_login(petugas)
    large = {name: count(client, url) for name, url in urls.items()}
    client.force_login(world.koordinator)
    large_triage = count(client, triage)

    assert Complaint.objects.filter(current_opd=world.opd).count() == 1000
    assert large == small
    assert large_triage == small_triage
    assert small["inbox"] <= 20
    assert small["detail"] <= 30
