"""The staff workspace: triage, inbox, the complaint page's actions, anonim identity, exports,
password reset, session expiry and role start pages."""

import csv
import io
import logging
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from aduan.complaints.models import (
    ArchiveReason,
    CannedResponse,
    Category,
    Complaint,
    ComplaintFlag,
    ComplaintNote,
    Status,
)
from aduan.complaints.selectors import Actor, reporter_identity_for
from aduan.complaints.services import ReporterData, canned_response_save, complaint_flag
from aduan.complaints.workflow import TRANSITIONS, Action
from aduan.workspace.views.staff_detail import STAFF_ROLES
from tests.factories import ComplaintFactory, MembershipFactory, complaint_in_status

NAME, EMAIL, PHONE = "Rahasia Sekali Wulandari", "wulan.rahasia@example.id", "081299988877"


def detail(complaint) -> str:
    return reverse("complaints:staff-detail", kwargs={"pk": complaint.pk})


def act(complaint, action) -> str:
    return reverse("complaints:staff-transition", kwargs={"pk": complaint.pk, "action": action})


def buttons(html: str) -> list[str]:
    return re.findall(r'<details class="action" data-action="([a-z_]+)"', html)


# ------------------------------------------------------------------------------ triage queue


def test_triage_lists_new_and_on_hold_oldest_first_with_suggestion(world, client):
    category = Category.objects.create(pemda=world.pemda, name="Jalan rusak", default_opd=world.opd)
    now = timezone.now()
    older = ComplaintFactory(pemda=world.pemda, category=category, now=now - timedelta(hours=5))
    held = complaint_in_status(Status.ON_HOLD, pemda=world.pemda, koordinator=world.koordinator)
    newer = ComplaintFactory(pemda=world.pemda, target_opd=world.other_opd, now=now - timedelta(hours=1))
    dispatched = complaint_in_status(Status.DISPATCHED, pemda=world.pemda, opd=world.opd)
    client.force_login(world.koordinator)

    html = client.get(reverse("complaints:staff-triage")).content.decode()

    positions = [html.index(c.ticket_number) for c in (older, newer)]
    assert positions == sorted(positions)
    assert held.ticket_number in html
    assert dispatched.ticket_number not in html
    row = html[html.index(f'id="row-{older.pk}"') :][:2500]
    assert world.opd.name in row  # suggested from the category
    assert "hari kerja lagi" in row
    assert "pilihan pelapor" in html
    assert world.other_opd.name in html
    assert 'class="countdown paused"' in html  # the on-hold clock stopped


def test_koordinator_verifies_and_dispatches_from_the_complaint_page(world, client):
    complaint = ComplaintFactory(pemda=world.pemda)
    client.force_login(world.koordinator)

    response = client.post(
        act(complaint, "dispatch"), {"dispatch-opd": world.opd.pk, "dispatch-note": "Segera"}
    )

    assert response.status_code == 302
    assert response["Location"] == detail(complaint)
    complaint.refresh_from_db()
    assert complaint.status == Status.DISPATCHED
    assert complaint.current_opd == world.opd
    assert complaint.events.last().note == "Segera"


def test_a_refused_move_keeps_what_was_typed_and_changes_nothing(world, client):
    complaint = ComplaintFactory(pemda=world.pemda)
    client.force_login(world.koordinator)
    events = complaint.events.count()

    response = client.post(act(complaint, "hold"), {"hold-note": "   "})
    archive = client.post(
        act(complaint, "archive"),
        {"archive-reason": "duplicate", "archive-note": "Sama persis dengan yang lain"},
    )

    assert response.status_code == 400
    assert "Catatan wajib diisi." in response.content.decode()
    assert archive.status_code == 400
    html = archive.content.decode()
    assert "Pilih aduan asli." in html
    assert "Sama persis dengan yang lain" in html  # nothing typed is lost
    complaint.refresh_from_db()
    assert complaint.status == Status.SUBMITTED
    assert complaint.events.count() == events


def test_hold_forward_out_and_archive_as_duplicate(world, client):
    original = ComplaintFactory(pemda=world.pemda)
    to_hold, to_forward, duplicate = (ComplaintFactory(pemda=world.pemda) for _ in range(3))
    client.force_login(world.koordinator)

    client.post(act(to_hold, "hold"), {"hold-note": "Di mana persisnya?"})
    client.post(act(to_forward, "forward_out"), {"forward_out-institution": "BPJS Kesehatan"})
    client.post(
        act(duplicate, "archive"),
        {"archive-reason": "duplicate", "archive-duplicate_of": original.ticket_number},
    )

    for c in (to_hold, to_forward, duplicate):
        c.refresh_from_db()
    assert to_hold.status == Status.ON_HOLD
    assert (to_forward.status, to_forward.forwarded_to) == (Status.FORWARDED_OUT, "BPJS Kesehatan")
    assert (duplicate.status, duplicate.archive_reason, duplicate.duplicate_of) == (
        Status.ARCHIVED,
        ArchiveReason.DUPLICATE,
        original,
    )


def test_merge_moves_the_supporters_to_the_original(world, client):
    original = ComplaintFactory(pemda=world.pemda)
    duplicate = ComplaintFactory(pemda=world.pemda)
    Complaint.objects.filter(pk=duplicate.pk).update(supporters_count=0)
    client.force_login(world.koordinator)

    response = client.post(
        reverse("complaints:staff-merge", kwargs={"pk": duplicate.pk}),
        {"original": original.ticket_number.lower()},
    )

    assert response.status_code == 302
    assert response["Location"] == detail(original)
    duplicate.refresh_from_db()
    original.refresh_from_db()
    assert (duplicate.status, duplicate.duplicate_of) == (Status.ARCHIVED, original)
    assert original.supporters_count == 1  # the duplicate's reporter


def test_bulk_hold_does_each_and_reports_refusals(world, client):
    a, b = ComplaintFactory(pemda=world.pemda), ComplaintFactory(pemda=world.pemda)
    on_hold = complaint_in_status(Status.ON_HOLD, pemda=world.pemda, koordinator=world.koordinator)
    client.force_login(world.koordinator)

    response = client.post(
        reverse("complaints:staff-triage-bulk"),
        {"complaints": [a.pk, b.pk, on_hold.pk], "action": "hold", "note": "Mohon foto."},
        follow=True,
    )

    assert Complaint.objects.get(pk=a.pk).status == Status.ON_HOLD
    assert Complaint.objects.get(pk=b.pk).status == Status.ON_HOLD
    html = response.content.decode()
    assert "2 aduan diproses." in html
    assert f"{on_hold.ticket_number}: " in html
    assert on_hold.events.filter(action=Action.HOLD).count() == 1  # untouched by the bulk


def test_bulk_dispatch(world, client):
    a, b = ComplaintFactory(pemda=world.pemda), ComplaintFactory(pemda=world.pemda)
    client.force_login(world.koordinator)

    client.post(
        reverse("complaints:staff-triage-bulk"),
        {"complaints": [a.pk, b.pk], "action": "dispatch", "opd": world.opd.pk},
    )

    assert set(Complaint.objects.filter(pk__in=[a.pk, b.pk]).values_list("current_opd", flat=True)) == {
        world.opd.pk
    }


# ------------------------------------------------------------------------------- OPD inbox


def test_inbox_filters_assigned_to_me_and_unassigned(world, client):
    mine = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    free = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    petugas = world.petugas[0]
    client.force_login(petugas)
    client.post(reverse("complaints:staff-assign", kwargs={"pk": mine.pk}), {"assignee": petugas.pk})

    assigned = client.get(reverse("complaints:staff-inbox") + "?assigned=me").content.decode()
    unassigned = client.get(reverse("complaints:staff-inbox") + "?assigned=none").content.decode()

    assert Complaint.objects.get(pk=mine.pk).assigned_to == petugas
    assert mine.ticket_number in assigned
    assert free.ticket_number not in assigned
    assert free.ticket_number in unassigned
    assert mine.ticket_number not in unassigned


def test_follow_up_with_a_canned_response_prefill_and_the_reporter_sees_it(world, client):
    complaint = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    petugas = world.petugas[0]
    canned = canned_response_save(
        actor=Actor.staff(petugas), opd=world.opd, title="Sudah ditambal", body="Lubang sudah kami tambal."
    )
    client.force_login(petugas)

    page = client.get(detail(complaint) + f"?canned={canned.pk}").content.decode()
    response = client.post(
        act(complaint, "follow_up"), {"follow_up-note": "Lubang sudah kami tambal hari ini."}
    )

    assert re.search(r'<textarea name="follow_up-note"[^>]*>\s*Lubang sudah kami tambal\.</textarea>', page)
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.FOLLOWED_UP
    tracking = client.get(f"/lacak/{complaint.tracking_secret}/").content.decode()
    assert "Lubang sudah kami tambal hari ini." in tracking


def test_internal_notes_never_reach_the_reporter(world, client):
    complaint = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    client.force_login(world.petugas[0])

    client.post(
        reverse("complaints:staff-note", kwargs={"pk": complaint.pk}), {"body": "Catatan rahasia tim"}
    )

    assert ComplaintNote.objects.get(complaint=complaint).body == "Catatan rahasia tim"
    assert "Catatan rahasia tim" in client.get(detail(complaint)).content.decode()
    client.logout()
    assert "Catatan rahasia tim" not in client.get(f"/lacak/{complaint.tracking_secret}/").content.decode()


def test_request_redispatch_and_canned_response_management(world, client):
    complaint = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    client.force_login(world.petugas[0])

    client.post(act(complaint, "request_redispatch"), {"request_redispatch-note": "Wewenang Dishub"})
    created = client.post(
        reverse("complaints:staff-canned"), {"title": "Terima kasih", "body": "Isi", "is_active": "on"}
    )
    canned = CannedResponse.objects.get(opd=world.opd)
    edited = client.post(
        reverse("complaints:staff-canned-edit", kwargs={"pk": canned.pk}),
        {"title": "Terima kasih", "body": "Isi baru"},
    )

    assert complaint.events.last().action == Action.REQUEST_REDISPATCH
    assert created.status_code == 302
    assert edited.status_code == 302
    canned.refresh_from_db()
    assert (canned.body, canned.is_active) == ("Isi baru", False)


# ----------------------------------------------------------------------- Ombudsman and kepala


def test_ombudsman_flag_is_shown_to_the_pemda(world, client):
    complaint = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    ombudsman = MembershipFactory(role="ombudsman", province=world.pemda.province).user
    client.force_login(ombudsman)

    client.post(reverse("complaints:staff-flag", kwargs={"pk": complaint.pk}), {"note": "Kami pantau"})

    assert ComplaintFlag.objects.get(complaint=complaint).note == "Kami pantau"
    for user in (world.koordinator, world.petugas[0]):
        client.force_login(user)
        assert "Kami pantau" in client.get(detail(complaint)).content.decode()
        listing = client.get(reverse("complaints:staff-list")).content.decode()
        assert "badge-flag" in listing
    client.force_login(ombudsman)
    client.post(reverse("complaints:staff-unflag", kwargs={"pk": complaint.pk}))
    assert ComplaintFlag.objects.get(complaint=complaint).cleared_by == ombudsman


def test_kepala_sees_the_inbox_read_only_with_overdue(world, client):
    complaint = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    complaint.deadlines.update(due_at=timezone.now() - timedelta(days=3))
    client.force_login(world.kepala)

    page = client.get(reverse("complaints:staff-kepala")).content.decode()
    complaint_page = client.get(detail(complaint)).content.decode()

    overdue = page[page.index('id="overdue-h"') : page.index('id="esc-h"')]
    assert complaint.ticket_number in overdue
    assert buttons(complaint_page) == []
    assert "Simpan catatan" not in complaint_page


# ---------------------------------------------------------- the buttons and the transition table


def test_every_button_is_allowed_and_every_allowed_staff_move_has_its_button(world, client):
    ombudsman = MembershipFactory(role="ombudsman", province=world.pemda.province).user
    users = {
        "koordinator": world.koordinator,
        "petugas_opd": world.petugas[0],
        "kepala_opd": world.kepala,
        "ombudsman": ombudsman,
    }
    checked = 0
    for status in Status:
        complaint = complaint_in_status(
            status, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
        )
        for role, user in users.items():
            client.force_login(user)
            response = client.get(detail(complaint))
            if response.status_code == 404:  # an OPD never holding it may not see it
                assert role in ("petugas_opd", "kepala_opd")
                assert complaint.current_opd_id is None
                continue
            shown = buttons(response.content.decode())
            expected = [
                a
                for a, t in TRANSITIONS.items()
                if status in t.sources and role in t.roles and role in STAFF_ROLES
            ]
            assert sorted(shown) == sorted(expected), (status, role)
            assert len(shown) == len(set(shown))
            for action in shown:
                assert status in TRANSITIONS[action].sources
                assert role in TRANSITIONS[action].roles
            checked += 1
    assert checked >= 20


# ------------------------------------------------------------------------ anonim identity


@pytest.fixture
def anonim(world):
    complaint = ComplaintFactory(
        pemda=world.pemda,
        is_anonymous=True,
        reporter=ReporterData(name=NAME, email=EMAIL, phone=PHONE),
        title="Pungli di loket kelurahan",
    )
    from aduan.complaints.workflow import complaint_transition

    complaint_transition(
        complaint_id=complaint.pk, action=Action.DISPATCH, actor=Actor.staff(world.koordinator), opd=world.opd
    )
    return complaint


def test_anonim_identity_never_reaches_opd_or_ombudsman(world, client, anonim, caplog):
    ombudsman = MembershipFactory(role="ombudsman", province=world.pemda.province).user
    complaint_flag(complaint_id=anonim.pk, actor=Actor.staff(ombudsman), note="pantau")
    caplog.set_level(logging.DEBUG)
    urls = [
        detail(anonim),
        reverse("complaints:staff-list"),
        reverse("complaints:staff-list") + "?q=" + EMAIL,
        reverse("complaints:staff-list") + "?q=" + PHONE,
        reverse("complaints:staff-list") + "?q=pungli",
        reverse("complaints:staff-inbox"),
        reverse("complaints:staff-kepala"),
        reverse("complaints:staff-ombudsman"),
        reverse("complaints:staff-export-csv"),
        reverse("complaints:staff-export-xlsx"),
    ]
    for user in (world.petugas[0], world.kepala, ombudsman):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            if response.status_code == 403:
                continue
            if hasattr(response, "streaming_content"):
                text = b"".join(response.streaming_content).decode()
            elif url.endswith(".xlsx"):
                book = load_workbook(io.BytesIO(response.content), read_only=True)
                text = " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row if c)
                assert anonim.ticket_number in text
            else:
                text = response.content.decode()
            if "?q=" in url:  # the page repeats what the user typed in the search box
                text = text.replace(url.split("?q=")[1], "")
            for secret in (NAME, EMAIL, PHONE):
                assert secret not in text, (user, url)
        # searching by the reporter's contact finds nothing for them
        found = client.get(reverse("complaints:staff-list") + "?q=" + EMAIL).content.decode()
        assert anonim.ticket_number not in found
    for record in caplog.records:
        for secret in (NAME, EMAIL, PHONE):
            assert secret not in record.getMessage()


def test_the_koordinator_sees_and_finds_the_anonim_reporter(world, client, anonim):
    client.force_login(world.koordinator)

    page = client.get(detail(anonim)).content.decode()
    found = client.get(reverse("complaints:staff-list") + "?q=" + EMAIL).content.decode()
    exported = b"".join(client.get(reverse("complaints:staff-export-csv")).streaming_content).decode()

    assert NAME in page
    assert "Identitas dirahasiakan" not in page
    assert anonim.ticket_number in found
    assert NAME in exported
    assert EMAIL in exported


def test_export_identity_columns_follow_reporter_identity_for(world, client, anonim):
    plain = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    petugas = world.petugas[0]
    client.force_login(petugas)

    lines = list(
        csv.reader(
            io.StringIO(
                b"".join(client.get(reverse("complaints:staff-export-csv")).streaming_content)
                .decode()
                .lstrip("\ufeff")
            )
        )
    )

    by_ticket = {row[0]: row for row in lines[1:]}
    assert lines[0][-3:] == ["Nama pelapor", "E-mail pelapor", "Telepon pelapor"]
    for complaint in (anonim, plain):
        identity = reporter_identity_for(actor=Actor.staff(petugas), complaint=complaint)
        expected = [identity.name, identity.email, identity.phone] if identity else ["", "", ""]
        assert by_ticket[complaint.ticket_number][-3:] == expected
    assert by_ticket[anonim.ticket_number][-3:] == ["", "", ""]


def test_exports_neutralise_formulas(world, client):
    bad = ComplaintFactory(pemda=world.pemda, title='=HYPERLINK("http://x","klik")')
    client.force_login(world.koordinator)

    text = b"".join(client.get(reverse("complaints:staff-export-csv")).streaming_content).decode()
    book = load_workbook(io.BytesIO(client.get(reverse("complaints:staff-export-xlsx")).content))
    cells = [row for row in book.active.iter_rows(values_only=True)]

    assert "'=HYPERLINK" in text
    title = next(row[1] for row in cells if row[0] == bad.ticket_number)
    assert title.startswith("'=")
    assert book.active["B2"].data_type == "s"


def test_export_applies_the_filters(world, client):
    now = timezone.now()
    old = ComplaintFactory(pemda=world.pemda, now=now - timedelta(days=40))
    new = ComplaintFactory(pemda=world.pemda)
    client.force_login(world.koordinator)
    since = timezone.localtime(now - timedelta(days=2), world.pemda.zoneinfo).date().isoformat()

    text = b"".join(
        client.get(reverse("complaints:staff-export-csv") + f"?submitted_from={since}").streaming_content
    ).decode()

    assert new.ticket_number in text
    assert old.ticket_number not in text


# --------------------------------------------------------------- sign-in, reset and sessions


@pytest.mark.parametrize(
    ("role", "start"),
    [
        ("koordinator", "staff-triage"),
        ("petugas_opd", "staff-inbox"),
        ("kepala_opd", "staff-kepala"),
        ("ombudsman", "staff-ombudsman"),
    ],
)
def test_each_role_lands_on_its_start_page(world, client, role, start):
    place = {
        "koordinator": {"pemda": world.pemda},
        "petugas_opd": {"opd": world.opd},
        "kepala_opd": {"opd": world.opd},
        "ombudsman": {"province": world.pemda.province},
    }[role]
    user = MembershipFactory(role=role, **place).user

    response = client.post(
        reverse("complaints:staff-login"), {"username": user.email, "password": "rahasia-123"}
    )

    assert response["Location"] == reverse(f"complaints:{start}")
    assert client.get(response["Location"]).status_code == 200


def test_a_superuser_lands_on_the_admin(db, client):
    from aduan.users.models import User

    User.objects.create_superuser("root@example.id", "sandi-kuat-123")

    response = client.post(
        reverse("complaints:staff-login"), {"username": "root@example.id", "password": "sandi-kuat-123"}
    )

    assert response["Location"] == "/admin/"


def test_password_reset_by_e_mail(world, client):
    user = world.petugas[0]

    response = client.post(reverse("complaints:staff-password-reset"), {"email": user.email})

    assert response["Location"] == reverse("complaints:staff-password-reset-done")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/staf/sandi/[^\s]+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Kata-Sandi-Baru-9", "new_password2": "Kata-Sandi-Baru-9"},
    )
    assert done["Location"] == reverse("complaints:staff-password-reset-complete")
    user.refresh_from_db()
    assert user.check_password("Kata-Sandi-Baru-9")


def test_password_reset_form_is_throttled_per_client(db, client):
    for _ in range(5):
        assert (
            client.post(reverse("complaints:staff-password-reset"), {"email": "x@example.id"}).status_code
            == 302
        )

    assert (
        client.post(reverse("complaints:staff-password-reset"), {"email": "x@example.id"}).status_code == 429
    )


def test_sessions_expire_after_eight_hours(world, client):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    client.force_login(world.koordinator)
    assert client.get(reverse("complaints:staff-triage")).status_code == 200

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("complaints:staff-triage"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("complaints:staff-login"))


# ------------------------------------------------------------------------------ htmx and i18n


def test_staff_pages_load_the_vendored_htmx_and_no_cdn(world, client):
    client.force_login(world.koordinator)

    html = client.get(reverse("complaints:staff-triage")).content.decode()

    assert "/static/aduan/vendor/htmx.min.js" in html
    # Every script and stylesheet is our own (not the CSRF token, which may contain "cdn" by chance).
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources
    assert not [
        s for s in sources if "cdn" in s.lower() or "unpkg" in s or s.startswith(("http:", "https:", "//"))
    ]


def test_the_triage_queue_in_english(world, client):
    client.force_login(world.koordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("complaints:staff-triage"))

    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode()
