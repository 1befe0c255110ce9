"""The staff complaint page reads a fixed number of queries, however long its timeline, its notes,
its attachments and its notifications are: the complaint, then its rows in one round trip
(aduan.workspace.batch); a list the complaint does not have is not read, nor is the reporter's row
for a viewer who may not see it. Every staff page pays three before
the view: the session, the user, and the roles (with the Pemdas' two-factor switch and whether the
user has a two-factor device)."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aduan.agencies.models import Kecamatan, Kelurahan
from aduan.complaints.models import Attachment, Category, Complaint, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.services import complaint_assign, complaint_flag, complaint_note_add
from aduan.notifications.models import Notification
from tests.factories import MembershipFactory, complaint_in_status

pytestmark = pytest.mark.postgres

GATE = 3  # session, user, roles (with the two-factor switch and device)


def statements(sql: list[str]) -> list[str]:
    """The statements of the page's round trips (the batch sends several in one)."""
    return [part for query in sql for part in query.split("; SELECT ")]


def queries(client, complaint) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("complaints:staff-detail", kwargs={"pk": complaint.pk}))
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def grow(complaint, world, ombudsman, n: int) -> None:
    """n more of each: timeline events (assignments), notes, attachments, notifications."""
    petugas = world.petugas
    for i in range(n):
        complaint_assign(
            complaint_id=complaint.pk, actor=Actor.staff(petugas[0]), assignee_id=petugas[(i + 1) % 2].pk
        )
        note = f"Isi catatan nomor {i}"
        complaint_note_add(complaint_id=complaint.pk, actor=Actor.staff(petugas[0]), body=note)
        Attachment.objects.create(
            complaint=complaint, file=ContentFile(b"foto", name="a.jpg"), original_name=f"KTP_Warga_{i}.jpg",
            content_type="image/jpeg", size=4, scan_status="clean",
        )  # fmt: skip
        Notification.objects.create(
            key=f"detail-{complaint.pk}-{n}-{i}", kind="test", channel="email", audience="staff",
            address="petugas@example.id", state="sent", complaint=complaint, created_at=timezone.now(),
        )  # fmt: skip
    if not complaint.flags.exists():
        complaint_flag(complaint_id=complaint.pk, actor=Actor.staff(ombudsman), note="Dipantau.")


@pytest.fixture
def ombudsman(world):
    return MembershipFactory(role="ombudsman", province=world.pemda.province).user


def test_the_complaint_page_costs_the_same_with_1_or_12_of_everything(world, client, ombudsman):
    complaint = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator, is_anonymous=True
    )
    viewers = {"petugas": world.petugas[0], "koordinator": world.koordinator, "ombudsman": ombudsman}
    grow(complaint, world, ombudsman, 1)
    small = {}
    for name, user in viewers.items():
        client.force_login(user)
        queries(client, complaint)  # the process's caches (calendar, policies) are filled
        small[name] = queries(client, complaint)

    grow(complaint, world, ombudsman, 11)
    large = {}
    for name, user in viewers.items():
        client.force_login(user)
        large[name] = queries(client, complaint)
        html = client.get(reverse("complaints:staff-detail", kwargs={"pk": complaint.pk})).content.decode()
        assert html.count('<li class="event-') == complaint.events.count()
        assert html.count("Isi catatan nomor") == complaint.notes.count() == 12
        # the anonim reporter, and their file names, only for the koordinator (the others see
        # the files numbered)
        assert ("Budi Santoso" in html) is (name == "koordinator")
        assert ("KTP_Warga_10.jpg" in html) is (name == "koordinator")
        assert ("lampiran-12.jpg" in html) is (name != "koordinator")

    assert {name: len(q) for name, q in large.items()} == {name: len(q) for name, q in small.items()}
    assert {name: len(statements(q)) for name, q in large.items()} == {
        name: len(statements(q)) for name, q in small.items()
    }
    # petugas: the gate, the complaint, one round trip for clocks, events, hops, notifications,
    # attachments, notes, the open flag and the officers to assign to (no canned responses: the
    # OPD has none; no identity: the reporter is anonim, their row is not even read), then the
    # assigned officer (shown when set).
    assert len(large["petugas"]) == GATE + 3
    assert len(statements(large["petugas"])) == GATE + 10
    for name, sql in large.items():
        read = any('FROM "complaints_reporteridentity"' in q for q in sql)
        assert read is (name == "koordinator"), name


def test_lists_the_complaint_does_not_have_cost_no_query(world, client):
    complaint = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    client.force_login(world.petugas[0])
    queries(client, complaint)

    sql = queries(client, complaint)
    html = client.get(reverse("complaints:staff-detail", kwargs={"pk": complaint.pk})).content.decode()

    assert "Budi Santoso" in html  # not anonim: the OPD sees the reporter

    # the gate, the complaint, then one round trip for the reporter, clocks, events, hops,
    # notifications and the officers; no flag, report, note, attachment or canned response read
    assert len(sql) == GATE + 2
    rows = statements(sql[GATE + 1 :])
    assert len(rows) == 6
    for table in ("complaintflag", "ombudsmanreport", "complaintnote", "attachment", "cannedresponse"):
        assert not any(f'FROM "complaints_{table}"' in q for q in rows)


def test_the_category_and_the_area_come_with_the_rows(world, client):
    complaint = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    category = Category.objects.create(pemda=world.pemda, name="Jalan rusak", done_photo_required=True)
    area = Kelurahan.objects.create(
        kecamatan=Kecamatan.objects.create(pemda=world.pemda, name="Kecamatan Tepi"), name="Kelurahan Ujung"
    )
    Complaint.objects.filter(pk=complaint.pk).update(category=category, kelurahan=area)
    client.force_login(world.petugas[0])
    queries(client, complaint)

    sql = queries(client, complaint)
    html = client.get(reverse("complaints:staff-detail", kwargs={"pk": complaint.pk})).content.decode()

    assert len(sql) == GATE + 2
    assert len(statements(sql[GATE + 1 :])) == 8  # and the category, the kelurahan with its kecamatan
    for shown in (
        "Jalan rusak",
        "Kelurahan Ujung",
        "Kecamatan Tepi",
        "Foto bukti selesai (wajib untuk kategori ini)",
    ):
        assert shown in html


def test_a_revoked_membership_closes_the_page_on_the_next_request(world, client):
    complaint = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    petugas = world.petugas[0]
    client.force_login(petugas)
    url = reverse("complaints:staff-detail", kwargs={"pk": complaint.pk})
    assert client.get(url).status_code == 200

    petugas.memberships.update(is_active=False)

    assert client.get(url).status_code == 404


def test_a_refused_step_shows_the_same_rows(world, client):
    """A refused POST draws the page again during a write request (pghistory's context wraps the
    database calls then): the same reporter, clocks, timeline and hops as the page itself."""
    import re

    complaint = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    client.force_login(world.petugas[0])
    page = client.get(reverse("complaints:staff-detail", kwargs={"pk": complaint.pk})).content.decode()

    refused = client.post(reverse("complaints:staff-note", kwargs={"pk": complaint.pk}), {"body": ""})

    assert refused.status_code == 400
    html = refused.content.decode()
    for section in ("reporter-h", "deadline-h", "timeline-h", "notif-h"):
        pattern = rf'<section class="card[^"]*" aria-labelledby="{section}">.*?</section>'
        assert re.search(pattern, html, re.S).group() == re.search(pattern, page, re.S).group(), section
    assert "Budi Santoso" in html
