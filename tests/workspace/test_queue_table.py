"""The staff queue table drawn in Python (staff_tags.render_queue_table) is the template
complaints/staff/_table.html byte for byte: on varied rows (anonim, rahasia, flagged, overdue,
paused, closed, without OPD or category, a sub-category with its default OPD, the reporter's own
choice of OPD, supporters, assignees with and without a name, risk present and absent, markup in
every text), for every queue's columns, in both languages and for an officer who may or may not
take a complaint."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from aduan.agencies.selectors import staff_roles
from aduan.complaints.models import Category, Complaint, ComplaintFlag, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.services import complaint_assign
from aduan.sla.models import Deadline
from aduan.workspace.templatetags.staff_tags import render_queue_table
from aduan.workspace.views.staff_common import calendars_for, list_queryset, rows_of, with_clocks
from aduan.workspace.views.staff_risk import attach_risks
from tests.factories import ComplaintFactory, MembershipFactory, UserFactory, complaint_in_status
from tests.workspace.test_staff_queries import clone, count

pytestmark = pytest.mark.postgres

TOKEN = "t0k3n" * 12 + "abcd"
COLUMNS = {  # the flags each page passes to the table
    "triage": {"selectable": True, "row_actions": True},
    "inbox": {"show_assignee": True, "row_actions": True, "show_risk": True},
    "kepala": {"show_assignee": True, "show_risk": True},
    "ombudsman": {"show_pemda": True},
    None: {"show_pemda": True, "show_assignee": True},  # the list of all complaints
}


@pytest.fixture
def varied(world):
    roads = Category.objects.create(name="Infrastruktur & <Jalan>", name_en="Roads & <streets>")
    holes = Category.objects.create(
        name='Jalan "berlubang"', name_en="Potholes", parent=roads, default_opd=world.opd
    )
    lights = Category.objects.create(name="Lampu", default_opd=world.other_opd)
    # the triage queue: with and without a category, the reporter's choice beside the suggestion
    ComplaintFactory(
        pemda=world.pemda,
        title="<b>Jalan & \"rusak\"</b> 'di sini'",
        category=holes,
        target_opd=world.other_opd,
        is_anonymous=True,
        is_confidential=True,
    )
    ComplaintFactory(pemda=world.pemda, title="Lampu padam", category=lights, target_opd=world.other_opd)
    ComplaintFactory(pemda=world.pemda, title="Tanpa kategori", target_opd=world.opd)
    held = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator, category=roads
    )
    ComplaintFlag.objects.create(complaint=held, note="Dipantau", flagged_by=world.koordinator)
    Complaint.objects.filter(pk=held.pk).update(supporters_count=1234)
    named = world.petugas[0]
    named.full_name = "Petugas <Satu> & Co"
    named.save(update_fields=["full_name"])
    complaint_assign(complaint_id=held.pk, actor=Actor.staff(named), assignee_id=named.pk)
    overdue = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    Deadline.objects.filter(complaint=overdue, met_at__isnull=True).update(
        due_at=timezone.now() - timedelta(days=9)
    )
    nameless = UserFactory(full_name="")
    Complaint.objects.filter(pk=overdue.pk).update(assigned_to=nameless)
    complaint_in_status(Status.FOLLOWED_UP, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator)
    complaint_in_status(Status.ON_HOLD, pemda=world.pemda, koordinator=world.koordinator)
    complaint_in_status(Status.RESOLVED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator)
    complaint_in_status(Status.ARCHIVED, pemda=world.pemda, koordinator=world.koordinator)
    now = timezone.now()
    objects = list(list_queryset(Complaint.objects.filter(pemda=world.pemda).order_by("pk")))
    calendars = calendars_for(objects, now)
    rows = rows_of(objects, now, calendars)
    attach_risks(rows, now, calendars)
    return rows


def both(rows, *, queue, user, language, **flags):
    request = RequestFactory().get("/staf/kotak-masuk/", {"q": 'a&b "<c>"', "page": "2"})
    request.user = user
    me = staff_roles(user)
    context = {
        "rows": rows,
        "queue": queue,
        "request": request,
        "user": user,
        "staff_me": me,
        "csrf_token": TOKEN,
        **flags,
    }
    with (
        translation.override(language),
        timezone.override(rows[0].complaint.pemda.zoneinfo if rows else None),
    ):
        template = render_to_string("complaints/staff/_table.html", context)
        python = render_queue_table(
            rows, queue=queue, request=request, user=user, staff_me=me, csrf_token=TOKEN, **flags
        )
    return template, python


def test_the_rows_cover_what_the_table_shows(varied):
    complaints = [r.complaint for r in varied]
    assert any(c.is_anonymous for c in complaints)
    assert any(c.is_flagged for c in complaints)
    assert any(c.category and c.category.parent_id for c in complaints)
    assert any(c.current_opd_id is None for c in complaints)
    assert any(r.countdown and r.countdown.days_late for r in varied)
    assert any(r.countdown and r.countdown.paused for r in varied)
    assert any(r.countdown is None for r in varied)
    assert any(r.risk for r in varied)
    assert any(r.risk is None for r in varied)
    assert {c.status for c in complaints} >= {Status.SUBMITTED, Status.DISPATCHED, Status.RESOLVED}


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("queue", list(COLUMNS))
def test_python_table_equals_the_template(world, varied, queue, language):
    for user in (world.petugas[0], world.koordinator, world.kepala):
        template, python = both(varied, queue=queue, user=user, language=language, **COLUMNS[queue])
        assert python == template
    assert varied[0].complaint.ticket_number in python


def test_python_table_equals_the_template_without_rows(world):
    for queue, flags in COLUMNS.items():
        template, python = both([], queue=queue, user=world.petugas[0], language="id", **flags)
        assert python == template
        assert "Tidak ada aduan yang cocok." in python


def test_markup_in_the_rows_is_escaped(world, varied):
    _template, python = both(
        varied, queue="triage", user=world.koordinator, language="id", **COLUMNS["triage"]
    )
    assert "&lt;b&gt;Jalan &amp; &quot;rusak&quot;&lt;/b&gt; &#x27;di sini&#x27;" in python
    assert "<b>" not in python
    assert "Infrastruktur &amp; &lt;Jalan&gt; › Jalan &quot;berlubang&quot;" in python


def test_rows_with_sub_categories_read_a_fixed_number_of_queries(world, client):
    """A category's name shows its parent's and the triage offers its default OPD: neither costs
    a query per row, on any queue page (nor does a column the rows do not load)."""
    parent = Category.objects.create(name="Infrastruktur")
    children = [
        Category.objects.create(name=f"Sub {i}", parent=parent, default_opd=opd)
        for i, opd in enumerate([world.opd, world.other_opd, world.opd])
    ]
    template = complaint_in_status(
        Status.DISPATCHED,
        pemda=world.pemda,
        opd=world.opd,
        koordinator=world.koordinator,
        category=children[0],
    )
    ombudsman = MembershipFactory(role="ombudsman", province=world.pemda.province).user

    def grow(n: int, start: int) -> dict:
        clone(template, n, start)
        for i in range(n // 3):
            ComplaintFactory(pemda=world.pemda, category=children[i % 3], target_opd=world.other_opd)
        for i, pk in enumerate(Complaint.objects.filter(pemda=world.pemda).values_list("pk", flat=True)):
            Complaint.objects.filter(pk=pk).update(category=children[i % 3])
        client.force_login(world.petugas[0])
        inbox = count(client, reverse("complaints:staff-inbox"))
        client.force_login(world.kepala)
        kepala = count(client, reverse("complaints:staff-kepala"))
        client.force_login(ombudsman)
        watch = count(client, reverse("complaints:staff-ombudsman"))
        client.force_login(world.koordinator)
        triage = count(client, reverse("complaints:staff-triage"))
        every = count(client, reverse("complaints:staff-list"))
        html = client.get(reverse("complaints:staff-triage")).content.decode()
        assert "Infrastruktur › Sub 1" in html  # the parent's name, read with the page
        return {"inbox": inbox, "kepala": kepala, "ombudsman": watch, "triage": triage, "list": every}

    small = grow(3, 0)
    large = grow(45, 100)
    assert Complaint.objects.filter(current_opd=world.opd).count() == 49
    assert large == small


def test_python_table_equals_the_template_with_grouped_digits(world, varied, settings):
    settings.USE_THOUSAND_SEPARATOR = True
    varied[0].complaint.pk = 1067  # in memory only: ids, values and URLs are never grouped
    template, python = both(varied, queue="inbox", user=world.petugas[0], language="id", **COLUMNS["inbox"])
    assert python == template
    assert " · +1.234</div>" in python
    assert '<tr id="row-1067">' in python
    assert 'href="/staf/aduan/1067/"' in python
    assert "1.067" not in python


def test_the_open_clocks_read_with_the_rows_are_the_clocks(world, varied):
    fields = ["pk", "complaint_id", "stage", "opd_id", "started_at", "due_at", "met_at", "cancelled_at"]
    fields += ["breached_at", "paused_at", "paused_working_days"]
    seen = 0
    for row in varied:
        c = row.complaint
        stored = Deadline.objects.open().filter(complaint=c).order_by("due_at", "pk")
        assert [[getattr(d, f) for f in fields] for d in c.open_deadlines] == [
            [getattr(d, f) for f in fields] for d in stored
        ]
        seen += len(stored)
        for clock in c.open_deadlines:
            assert clock.complaint is c
            assert clock.is_open
            with pytest.raises(AttributeError):  # not read with the row, and never a query per row
                clock.policy_id  # noqa: B018
    assert seen >= len(varied)
    assert any(d.paused_at for r in varied for d in r.complaint.open_deadlines)
    verification = list(list_queryset(Complaint.objects.filter(pemda=world.pemda), stage="verification"))
    with_clocks(verification)
    assert {d.stage for c in verification for d in c.open_deadlines} == {"verification"}
