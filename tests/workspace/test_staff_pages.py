"""The staff workspace (/staf/) and the citizen's tracking page (/lacak/<secret>/).

The views read the real clock, so the data is built relative to ``timezone.now()``: a complaint
submitted 30 days ago has run out of its follow-up and legal-response clocks.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from aduan.complaints.selectors import Actor
from aduan.complaints.services import ReporterData
from aduan.complaints.workflow import Action, complaint_transition
from aduan.notifications.models import Notification
from aduan.notifications.services import notification_deliver
from aduan.sla.calendar import count_working_days
from aduan.sla.models import Deadline, Stage
from aduan.sla.services import calendar_for, deadlines_sweep
from tests.factories import ComplaintFactory, MembershipFactory, OpdFactory, PemdaFactory

PASSWORD = "rahasia-123"  # tests.factories.UserFactory
NAME, EMAIL, PHONE = "Siti Rahmawati Kusuma", "siti.rahasia@example.id", "081377712345"


@dataclass
class World:
    pemda: object
    opd: object
    other_opd: object
    koordinator: object
    petugas: object
    other_petugas: object


@pytest.fixture
def world(default_policies):
    pemda = PemdaFactory()
    opd = OpdFactory(pemda=pemda, name="Dinas Pekerjaan Umum")
    other_opd = OpdFactory(pemda=pemda, name="Dinas Perhubungan")
    return World(
        pemda=pemda,
        opd=opd,
        other_opd=other_opd,
        koordinator=MembershipFactory(
            role="koordinator", pemda=pemda, user__full_name="Koordinator Handayani"
        ).user,
        petugas=MembershipFactory(role="petugas_opd", opd=opd, user__full_name="Petugas Wibowo").user,
        other_petugas=MembershipFactory(
            role="petugas_opd", opd=other_opd, user__full_name="Petugas Lain"
        ).user,
    )


def dispatched(world, *, submitted_at, dispatched_at, opd=None, **kwargs):
    complaint = ComplaintFactory(pemda=world.pemda, now=submitted_at, **kwargs)
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.DISPATCH,
        actor=Actor.staff(world.koordinator),
        opd=opd or world.opd,
        note="Catatan koordinator: prioritas tinggi.",
        now=dispatched_at,
    )
    return complaint


def detail_url(complaint) -> str:
    return f"/staf/aduan/{complaint.pk}/"


def row_of(html: str, stage: str) -> str:
    match = re.search(rf'<tr class="deadline-{stage}">(.*?)</tr>', html, re.S)
    assert match, f"no {stage} row"
    return match.group(1)


# ---------------------------------------------------------------------------------- sign-in


def test_the_staff_pages_require_a_login(world, client):
    complaint = ComplaintFactory(pemda=world.pemda)

    for url in ("/staf/", detail_url(complaint)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/staf/masuk/?next={url}"


def test_staff_sign_in_with_e_mail_and_password(world, client):
    response = client.post(
        "/staf/masuk/", {"username": world.petugas.email, "password": PASSWORD, "next": "/staf/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/staf/"
    page = client.get("/staf/")
    assert page.status_code == 200
    assert "Petugas Wibowo" in page.content.decode()


def test_a_wrong_password_does_not_sign_in(world, client):
    response = client.post(
        "/staf/masuk/", {"username": world.petugas.email, "password": "salah-sekali", "next": "/staf/"}
    )

    assert response.status_code == 200
    assert client.get("/staf/").status_code == 302


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(world, client):
    for _ in range(5):
        wrong = client.post("/staf/masuk/", {"username": world.petugas.email, "password": "salah"})
        assert wrong.status_code == 200

    locked = client.post("/staf/masuk/", {"username": world.petugas.email, "password": PASSWORD})

    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= 15 * 60
    assert "Terlalu banyak permintaan" in locked.content.decode()
    assert client.get("/staf/").status_code == 302  # not signed in
    # Another account from the same client is not locked.
    other = client.post("/staf/masuk/", {"username": world.koordinator.email, "password": PASSWORD})
    assert other.status_code == 302


def test_one_client_may_try_twenty_times_per_quarter_hour(world, client):
    for n in range(20):
        client.post("/staf/masuk/", {"username": f"orang{n}@example.id", "password": "salah"})

    refused = client.post("/staf/masuk/", {"username": world.petugas.email, "password": PASSWORD})

    assert refused.status_code == 429
    assert client.get("/staf/").status_code == 302


# -------------------------------------------------------------------------------------- list


def test_the_list_shows_only_the_complaints_visible_to_the_user(world, client):
    now = timezone.now()
    mine = dispatched(world, submitted_at=now - timedelta(hours=2), dispatched_at=now - timedelta(hours=1))
    theirs = dispatched(
        world,
        submitted_at=now - timedelta(hours=2),
        dispatched_at=now - timedelta(hours=1),
        opd=world.other_opd,
    )
    unassigned = ComplaintFactory(pemda=world.pemda, now=now - timedelta(hours=1))
    elsewhere = ComplaintFactory(pemda=PemdaFactory(), now=now - timedelta(hours=1))

    pages = {}
    for user in (world.petugas, world.other_petugas, world.koordinator):
        client.force_login(user)
        pages[user.pk] = client.get("/staf/").content.decode()

    def shown(user):
        return {c for c in (mine, theirs, unassigned, elsewhere) if c.ticket_number in pages[user.pk]}

    assert shown(world.petugas) == {mine}
    assert shown(world.other_petugas) == {theirs}
    assert shown(world.koordinator) == {mine, theirs, unassigned}


# ------------------------------------------------------------------------------------ detail


def test_a_breached_follow_up_clock_is_marked_with_the_opd_that_held_it(world, client):
    now = timezone.now()
    complaint = dispatched(
        world, submitted_at=now - timedelta(days=30), dispatched_at=now - timedelta(days=29)
    )
    deadlines_sweep(now=now)  # records the breaches
    follow_up = Deadline.objects.get(complaint=complaint, stage=Stage.FOLLOW_UP)
    assert follow_up.breached_at == follow_up.due_at
    client.force_login(world.petugas)

    html = client.get(detail_url(complaint)).content.decode()

    row = row_of(html, Stage.FOLLOW_UP)
    assert f'<strong class="breach">⚠ terlampaui — {world.opd}</strong>' in row  # the OPD's short name
    late = count_working_days(follow_up.due_at, timezone.now(), calendar_for(world.pemda, around=now))
    assert late >= 10
    assert f"terlambat {late} hari kerja" in row
    assert 'class="countdown late"' in row
    verification = row_of(html, Stage.VERIFICATION)  # met after one day
    assert "selesai tepat waktu" in verification
    assert "breach" not in verification


def test_an_open_clock_shows_the_working_days_left(world, client):
    now = timezone.now()
    complaint = dispatched(
        world, submitted_at=now - timedelta(minutes=2), dispatched_at=now - timedelta(minutes=1)
    )
    cal = calendar_for(world.pemda, around=now)
    # 5 working days from a minute ago: 4 whole ones left on a working day; from a weekend or
    # holiday the count starts on the next working day, so all 5 are left.
    expected = 4 if cal.is_working_day(timezone.localtime(now, world.pemda.zoneinfo).date()) else 5
    client.force_login(world.petugas)

    html = client.get(detail_url(complaint)).content.decode()

    row = row_of(html, Stage.FOLLOW_UP)
    assert f"{expected} hari kerja lagi" in row
    assert "breach" not in row
    assert "terlambat" not in row


def test_the_notifications_table_shows_each_delivery_state(world, client):
    now = timezone.now()
    complaint = dispatched(
        world, submitted_at=now - timedelta(hours=2), dispatched_at=now - timedelta(hours=1)
    )
    assigned = Notification.objects.get(complaint=complaint, kind="staff_assigned")
    submit_mail = Notification.objects.get(complaint=complaint, context__action="submit")
    dispatch_mail = Notification.objects.get(
        complaint=complaint, kind="citizen_update", context__action="dispatch"
    )

    assert notification_deliver(assigned.pk, now=now) is True
    Notification.objects.filter(pk=submit_mail.pk).update(state="failed", attempts=8, last_error="HTTP 400")
    client.force_login(world.koordinator)

    html = client.get(detail_url(complaint)).content.decode()

    cells = re.findall(r'<td class="delivery-(\w+)">(.*?)</td>\s*<td>(\d+)</td>', html, re.S)
    assert [(state, attempts) for state, _, attempts in cells] == [
        ("failed", "8"),
        ("pending", "0"),
        ("sent", "1"),
    ]
    assert cells[0][1].startswith("Gagal")
    assert "HTTP 400" in cells[0][1]
    assert cells[1][1] == "Menunggu dikirim"
    assert cells[2][1].startswith("Terkirim ")
    assert dispatch_mail.state == "pending"


def test_an_anonim_reporter_is_hidden_from_the_opd_but_not_from_the_koordinator(world, client):
    now = timezone.now()
    complaint = dispatched(
        world,
        submitted_at=now - timedelta(hours=2),
        dispatched_at=now - timedelta(hours=1),
        is_anonymous=True,
        reporter=ReporterData(name=NAME, email=EMAIL, phone=PHONE),
    )
    assert Notification.objects.filter(complaint=complaint, address=EMAIL).count() == 2  # submit, dispatch

    client.force_login(world.petugas)
    for_petugas = client.get(detail_url(complaint)).content.decode()
    client.force_login(world.koordinator)
    for_koordinator = client.get(detail_url(complaint)).content.decode()

    assert "Identitas dirahasiakan" in for_petugas
    for secret in (NAME, EMAIL, PHONE):
        assert secret not in for_petugas
    assert for_petugas.count("Pelapor: —") == 2  # the citizen notifications' recipient column
    assert "Identitas dirahasiakan" not in for_koordinator
    assert NAME in for_koordinator
    assert f"Pelapor: {EMAIL}" in for_koordinator


def test_a_complaint_out_of_scope_is_not_found(world, client):
    now = timezone.now()
    complaint = dispatched(
        world, submitted_at=now - timedelta(hours=2), dispatched_at=now - timedelta(hours=1)
    )
    client.force_login(world.other_petugas)

    response = client.get(detail_url(complaint))

    assert response.status_code == 404
    assert complaint.ticket_number not in response.content.decode()
    client.force_login(world.petugas)
    assert client.get(detail_url(complaint)).status_code == 200


# ---------------------------------------------------------------------------------- tracking


def test_the_tracking_page_shows_status_and_answer_but_no_internal_notes_or_staff(world, client):
    now = timezone.now()
    complaint = dispatched(
        world, submitted_at=now - timedelta(hours=3), dispatched_at=now - timedelta(hours=2)
    )
    petugas = Actor.staff(world.petugas)
    complaint_transition(
        complaint_id=complaint.pk, action=Action.REQUEST_REDISPATCH, actor=petugas,
        note="Catatan internal: sebenarnya wewenang Dishub.", now=now - timedelta(minutes=90),
    )  # fmt: skip
    complaint_transition(
        complaint_id=complaint.pk, action=Action.FOLLOW_UP, actor=petugas,
        note="Lubang jalan sudah kami tambal pada hari Senin.", now=now - timedelta(hours=1),
    )  # fmt: skip

    response = client.get(f"/lacak/{complaint.tracking_secret}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Status: <strong>Ditindaklanjuti</strong>" in html
    assert "Lubang jalan sudah kami tambal pada hari Senin." in html
    assert "Catatan internal" not in html
    assert "Catatan koordinator" not in html
    for user in (world.koordinator, world.petugas):
        assert user.full_name not in html
        assert user.email not in html


def test_a_wrong_tracking_secret_is_not_found(world, client):
    complaint = ComplaintFactory(pemda=world.pemda)

    secret = complaint.tracking_secret
    wrong = client.get(f"/lacak/{secret[:-1]}{'y' if secret.endswith('x') else 'x'}/")
    too_long = client.get(f"/lacak/{'a' * 65}/")

    assert wrong.status_code == 404
    assert too_long.status_code == 404
    assert complaint.ticket_number not in wrong.content.decode()
