"""The citizen's tracking pages: /lacak/<secret>/ with its moves, rating and SKM survey, and the
look-up /lacak/ by ticket number plus e-mail or phone, which sends the link to the contact on file."""

import re

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aduan.complaints.models import Attachment, ComplaintEvent, ComplaintRating, SkmResponse, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.services import ReporterData
from aduan.complaints.workflow import Action, complaint_transition
from aduan.sla.models import Deadline, Stage
from aduan.users.models import User
from tests.factories import complaint_in_status

SENT = "kami telah mengirim tautan pelacakan"
SKM_NAMES = [f"u{i}" for i in range(1, 10)]


def make(world, status, **kwargs):
    return complaint_in_status(
        status, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator, **kwargs
    )


def url(complaint, suffix=""):
    return f"/lacak/{complaint.tracking_secret}/{suffix}"


def snapshot(complaint):
    complaint.refresh_from_db()
    return complaint.status, ComplaintEvent.objects.filter(complaint=complaint).count()


def petugas(world):
    return Actor.staff(world.petugas[0])


# ------------------------------------------------------------------------------------- the page


def test_the_page_shows_status_in_words_the_opd_and_its_answer(world, client):
    complaint = make(world, Status.FOLLOWED_UP)

    response = client.get(url(complaint))

    html = response.content.decode()
    assert response.status_code == 200
    assert complaint.ticket_number in html
    assert complaint.title in html
    assert "Status: <strong>Ditindaklanjuti</strong>" in html
    assert "OPD sudah menjawab aduan Anda." in html
    assert world.opd.name in html
    assert 'id="jawaban"' in html
    assert "Sudah kami perbaiki." in html  # the follow-up note (tests.factories)


def test_on_hold_the_page_asks_for_more_information(world, client):
    complaint = make(world, Status.ON_HOLD)

    html = client.get(url(complaint)).content.decode()

    assert "Kami menunggu keterangan tambahan dari Anda" in html
    assert "Mohon lengkapi lokasi." in html  # the koordinator's question, meant for the reporter
    assert 'name="action" value="complete"' in html
    assert 'for="note-complete"' in html


def test_a_wrong_or_overlong_secret_is_not_found(world, client):
    complaint = make(world, Status.SUBMITTED)
    secret = complaint.tracking_secret
    wrong = secret[:-1] + ("y" if secret.endswith("x") else "x")

    assert client.get(f"/lacak/{wrong}/").status_code == 404
    assert client.get(f"/lacak/{'a' * 65}/").status_code == 404
    assert complaint.ticket_number not in client.get(f"/lacak/{wrong}/").content.decode()


def test_internal_notes_and_staff_names_never_appear(world, client):
    complaint = make(world, Status.DISPATCHED)
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.REQUEST_REDISPATCH,
        actor=petugas(world),
        note="Catatan internal: sebenarnya wewenang Dishub.",
    )
    complaint_transition(
        complaint_id=complaint.pk, action=Action.REDISPATCH, actor=Actor.staff(world.koordinator),
        opd=world.other_opd, note="Alihkan ke Dishub, rahasia dapur.",
    )  # fmt: skip
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.FOLLOW_UP,
        actor=Actor.staff(world.other_petugas),
        note="Rambu sudah kami pasang kembali.",
    )

    html = client.get(url(complaint)).content.decode()

    assert "Rambu sudah kami pasang kembali." in html
    assert "Catatan internal" not in html
    assert "rahasia dapur" not in html
    assert 'class="event-request_redispatch"' not in html
    assert 'class="event-redispatch"' not in html
    users = list(User.objects.all())
    assert len(users) >= 6
    for user in users:
        assert user.full_name not in html
        assert user.email not in html


def test_the_page_never_shows_another_complaints_data(world, client):
    mine = make(world, Status.FOLLOWED_UP)
    other = make(world, Status.ON_HOLD, title="Lampu jalan padam di Jalan Sudirman")

    html = client.get(url(mine)).content.decode()

    assert other.title not in html
    assert other.ticket_number not in html
    assert other.tracking_secret not in html
    assert "Mohon lengkapi lokasi." not in html  # the other complaint's hold note


@pytest.mark.parametrize("anonymous", [True, False])
def test_the_page_shows_nothing_of_the_reporters_identity(world, client, anonymous):
    reporter = ReporterData(name="Rahmat Hidayatullah", email="rahmat.h@example.id", phone="081299988877")
    complaint = make(world, Status.FOLLOWED_UP, reporter=reporter, is_anonymous=anonymous)

    html = client.get(url(complaint)).content.decode()

    assert "Rahmat Hidayatullah" not in html
    assert "rahmat.h@example.id" not in html
    assert "081299988877" not in html


def test_deadlines_are_shown_in_the_pemdas_zone(world, client):
    complaint = make(world, Status.SUBMITTED)
    verification = Deadline.objects.get(complaint=complaint, stage=Stage.VERIFICATION)
    local = timezone.localtime(verification.due_at, world.pemda.zoneinfo)

    html = client.get(url(complaint)).content.decode()

    assert 'class="deadline-verification"' in html
    assert f"{local:%H:%M} WITA" in html
    assert 'class="deadline-legal_response"' not in html  # a staff clock, not the citizen's


def test_only_the_citizens_attachments_that_are_not_internal_are_linked(world, client):
    complaint = make(world, Status.DISPATCHED)
    shown = Attachment.objects.create(
        complaint=complaint, file=ContentFile(b"foto", name="a.jpg"), original_name="foto-jalan.jpg",
        content_type="image/jpeg", size=4, scan_status="clean",
    )  # fmt: skip
    Attachment.objects.create(
        complaint=complaint, file=ContentFile(b"memo", name="b.pdf"), original_name="memo-internal.pdf",
        content_type="application/pdf", size=4, is_internal=True, uploaded_by=world.petugas[0],
    )  # fmt: skip

    html = client.get(url(complaint)).content.decode()

    assert f'href="/lacak/{complaint.tracking_secret}/lampiran/{shown.pk}/"' in html
    assert "foto-jalan.jpg" in html
    assert "memo-internal.pdf" not in html


@pytest.mark.parametrize(
    ("status", "shown", "hidden"),
    [
        (Status.SUBMITTED, [], ["complete", "accept", "reply", "reject", "reopen"]),
        (Status.ON_HOLD, ["complete"], ["accept", "reply", "reject", "reopen"]),
        (Status.DISPATCHED, [], ["complete", "accept", "reply", "reject", "reopen"]),
        (Status.FOLLOWED_UP, ["accept", "reply", "reject"], ["complete", "reopen"]),
        (Status.RESOLVED, ["reopen"], ["complete", "accept", "reply", "reject"]),
    ],
)
def test_only_the_moves_the_workflow_allows_are_offered(world, client, status, shown, hidden):
    complaint = make(world, status)

    html = client.get(url(complaint)).content.decode()

    for action in shown:
        assert f'name="action" value="{action}"' in html
    for action in hidden:
        assert f'name="action" value="{action}"' not in html


def test_the_reopen_form_is_hidden_once_the_window_has_passed(world, client):
    world.pemda.reopen_window_days = 0
    world.pemda.save()
    complaint = make(world, Status.RESOLVED)

    html = client.get(url(complaint)).content.decode()

    assert 'value="reopen"' not in html


def test_the_page_query_count_does_not_grow_with_events(world, client):
    def with_events(n_rounds):
        complaint = make(world, Status.DISPATCHED)
        complaint_transition(
            complaint_id=complaint.pk, action=Action.REQUEST_REDISPATCH, actor=petugas(world), note="x"
        )
        for _ in range(n_rounds):
            complaint_transition(
                complaint_id=complaint.pk, action=Action.FOLLOW_UP, actor=petugas(world), note="jawab"
            )
            complaint_transition(
                complaint_id=complaint.pk,
                action=Action.REPLY,
                actor=Actor.citizen(complaint.tracking_secret),
                note="belum",
            )
        complaint_transition(
            complaint_id=complaint.pk, action=Action.FOLLOW_UP, actor=petugas(world), note="jawab"
        )
        return complaint

    small, large = with_events(0), with_events(4)
    assert ComplaintEvent.objects.filter(complaint=small).count() == 4
    assert ComplaintEvent.objects.filter(complaint=large).count() == 12

    def count(complaint):
        client.get(url(complaint))  # warm up (sessions, translations)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(complaint)).status_code == 200
        return len(queries)

    assert count(small) == count(large)


# ------------------------------------------------------------------------------------ the moves


def test_completing_an_on_hold_complaint_resubmits_it(world, client):
    complaint = make(world, Status.ON_HOLD)

    response = client.post(
        url(complaint, "aksi/"), {"action": "complete", "note": "Lokasi: Jl. Ahmad Yani 12."}
    )

    assert response.status_code == 302
    assert response["Location"] == url(complaint)
    complaint.refresh_from_db()
    assert complaint.status == Status.SUBMITTED
    event = complaint.events.last()
    assert (event.action, event.note, event.actor_role) == (
        "complete",
        "Lokasi: Jl. Ahmad Yani 12.",
        "citizen",
    )
    page = client.get(response["Location"]).content.decode()
    assert "keterangan tambahan Anda sudah kami terima" in page  # the flash message


def test_replying_to_the_answer_sends_it_back_to_the_opd(world, client):
    complaint = make(world, Status.FOLLOWED_UP)

    response = client.post(url(complaint, "aksi/"), {"action": "reply", "note": "Lubangnya masih ada."})

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.DISPATCHED
    event = complaint.events.last()
    assert (event.action, event.note) == ("reply", "Lubangnya masih ada.")


def test_rejecting_the_answer_is_a_reply_with_the_reason_marked(world, client):
    complaint = make(world, Status.FOLLOWED_UP)

    response = client.post(url(complaint, "aksi/"), {"action": "reject", "note": "  Baru ditambal separuh. "})

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.DISPATCHED
    event = complaint.events.last()
    assert event.action == "reply"
    assert event.note == "Jawaban ditolak: Baru ditambal separuh."
    page = client.get(url(complaint)).content.decode()
    assert "Anda menolak jawaban OPD" in page


def test_accepting_the_answer_resolves_the_complaint(world, client):
    complaint = make(world, Status.FOLLOWED_UP)

    response = client.post(url(complaint, "aksi/"), {"action": "accept"})

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    assert complaint.events.last().action == "accept"
    page = client.get(url(complaint)).content.decode()
    assert "Aduan Anda sudah selesai." in page
    assert f'action="/lacak/{complaint.tracking_secret}/nilai/"' in page


def test_reopening_within_the_window(world, client):
    complaint = make(world, Status.RESOLVED)

    response = client.post(url(complaint, "aksi/"), {"action": "reopen", "note": "Rusak lagi."})

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.DISPATCHED
    assert complaint.events.last().note == "Rusak lagi."


def test_reopening_after_the_window_is_refused_and_changes_nothing(world, client):
    world.pemda.reopen_window_days = 0
    world.pemda.save()
    complaint = make(world, Status.RESOLVED)
    before = snapshot(complaint)

    response = client.post(url(complaint, "aksi/"), {"action": "reopen", "note": "Rusak lagi."})

    assert response.status_code == 400
    assert "Batas waktu untuk membuka kembali aduan ini sudah lewat." in response.content.decode()
    assert snapshot(complaint) == before


@pytest.mark.parametrize(
    ("status", "action", "expected_error"),
    [
        (Status.ON_HOLD, "complete", "Catatan wajib diisi."),
        (Status.FOLLOWED_UP, "reply", "Catatan wajib diisi."),
        (Status.FOLLOWED_UP, "reject", "Tuliskan alasan Anda menolak jawaban."),
        (Status.RESOLVED, "reopen", "Catatan wajib diisi."),
    ],
)
def test_a_missing_note_is_refused_beside_the_field_and_changes_nothing(
    world, client, status, action, expected_error
):
    complaint = make(world, status)
    before = snapshot(complaint)

    response = client.post(url(complaint, "aksi/"), {"action": action, "note": "   "})

    html = response.content.decode()
    assert response.status_code == 400
    assert f'<p class="field-error" id="error-{action}" role="alert">{expected_error}</p>' in html
    assert snapshot(complaint) == before


def test_a_refused_note_is_kept_in_the_form(world, client):
    complaint = make(world, Status.ON_HOLD)
    before = snapshot(complaint)
    typed = "Lokasi <b>lengkap</b> " + "x" * 5000

    response = client.post(url(complaint, "aksi/"), {"action": "complete", "note": typed})

    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-complete"' in html
    assert "Lokasi &lt;b&gt;lengkap&lt;/b&gt; " + "x" * 5000 + "</textarea>" in html
    assert snapshot(complaint) == before


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.DISPATCHED, "accept"),
        (Status.SUBMITTED, "complete"),
        (Status.FOLLOWED_UP, "reopen"),
        (Status.DISPATCHED, "dispatch"),  # a staff move
        (Status.DISPATCHED, "follow_up"),  # a staff move
        (Status.SUBMITTED, "nonsense"),
    ],
)
def test_a_move_not_allowed_now_is_refused_and_changes_nothing(world, client, status, action):
    complaint = make(world, status)
    before = snapshot(complaint)

    response = client.post(url(complaint, "aksi/"), {"action": action, "note": "Sesuatu."})

    assert response.status_code == 400
    assert 'class="alert" role="alert"' in response.content.decode()
    assert snapshot(complaint) == before


def test_a_post_with_another_complaints_secret_cannot_touch_this_one(world, client):
    mine = make(world, Status.FOLLOWED_UP)
    theirs = make(world, Status.FOLLOWED_UP)
    before = snapshot(mine)

    response = client.post(url(theirs, "aksi/"), {"action": "accept", "complaint_id": mine.pk, "pk": mine.pk})
    wrong = client.post(f"/lacak/{'z' * 43}/aksi/", {"action": "accept"})

    assert response.status_code == 302
    assert snapshot(mine) == before
    theirs.refresh_from_db()
    assert theirs.status == Status.RESOLVED
    assert wrong.status_code == 404


def test_the_action_endpoints_answer_only_posts(world, client):
    complaint = make(world, Status.FOLLOWED_UP)

    for suffix in ("aksi/", "nilai/", "survei/"):
        assert client.get(url(complaint, suffix)).status_code == 405


# ----------------------------------------------------------------------------- rating and SKM


def test_rating_once_after_resolution(world, client):
    complaint = make(world, Status.RESOLVED)

    first = client.post(url(complaint, "nilai/"), {"score": "4", "comment": "Cepat ditangani."})
    second = client.post(url(complaint, "nilai/"), {"score": "1", "comment": "Ganti nilai."})

    assert first.status_code == 302
    assert second.status_code == 400
    assert "Aduan ini sudah dinilai." in second.content.decode()
    rating = ComplaintRating.objects.get(complaint=complaint)
    assert (rating.score, rating.comment) == (4, "Cepat ditangani.")
    page = client.get(url(complaint)).content.decode()
    assert "Terima kasih atas penilaian Anda." in page
    assert "Nilai Anda: 4 dari 5" in page
    assert 'name="score"' not in page


@pytest.mark.parametrize("score", ["0", "6", "abc", "", "-1"])
def test_a_score_outside_one_to_five_is_refused(world, client, score):
    complaint = make(world, Status.RESOLVED)

    response = client.post(url(complaint, "nilai/"), {"score": score, "comment": "Komentar saya."})

    html = response.content.decode()
    assert response.status_code == 400
    assert '<p class="field-error" id="error-score" role="alert">Pilih nilai 1 sampai 5.</p>' in html
    assert "Komentar saya.</textarea>" in html
    assert not ComplaintRating.objects.filter(complaint=complaint).exists()


def test_a_chosen_score_is_kept_when_the_comment_is_refused(world, client):
    complaint = make(world, Status.RESOLVED)

    response = client.post(url(complaint, "nilai/"), {"score": "3", "comment": "k" * 2001})

    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-comment"' in html
    assert 'id="score-3" name="score" value="3" checked' in html
    assert not ComplaintRating.objects.filter(complaint=complaint).exists()


def test_rating_before_resolution_is_refused(world, client):
    complaint = make(world, Status.FOLLOWED_UP)
    before = snapshot(complaint)

    response = client.post(url(complaint, "nilai/"), {"score": "5"})

    assert response.status_code == 400
    assert "Penilaian dapat diberikan setelah aduan selesai." in response.content.decode()
    assert not ComplaintRating.objects.filter(complaint=complaint).exists()
    assert snapshot(complaint) == before


def test_the_skm_survey_stores_all_nine_answers_exactly(world, client):
    complaint = make(world, Status.RESOLVED)
    answers = {name: str(value) for name, value in zip(SKM_NAMES, [1, 2, 3, 4, 4, 3, 2, 1, 3], strict=True)}

    response = client.post(url(complaint, "survei/"), answers)

    assert response.status_code == 302
    skm = SkmResponse.objects.get(complaint=complaint)
    assert {name: getattr(skm, name) for name in SKM_NAMES} == {k: int(v) for k, v in answers.items()}
    page = client.get(url(complaint)).content.decode()
    assert "Terima kasih, Anda sudah mengisi survei ini." in page
    assert 'name="u1"' not in page


def test_an_skm_survey_with_one_answer_missing_stores_nothing_and_keeps_the_rest(world, client):
    complaint = make(world, Status.RESOLVED)
    answers = {name: "3" for name in SKM_NAMES if name != "u5"}

    response = client.post(url(complaint, "survei/"), answers)

    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-u5"' in html
    assert 'id="error-u4"' not in html
    assert 'id="u4-3" name="u4" value="3" checked' in html
    assert 'id="u5-3" name="u5" value="3" checked' not in html
    assert not SkmResponse.objects.filter(complaint=complaint).exists()


def test_the_skm_survey_before_resolution_is_refused(world, client):
    complaint = make(world, Status.DISPATCHED)

    response = client.post(url(complaint, "survei/"), {name: "4" for name in SKM_NAMES})

    assert response.status_code == 400
    assert not SkmResponse.objects.filter(complaint=complaint).exists()


# ------------------------------------------------------------------------------------- look-up


def test_the_lookup_form_is_prefilled_from_the_query_string(world, client):
    response = client.get("/lacak/", {"tiket": "BPN-2026-000123", "kontak": "budi@example.id"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'for="tiket"' in html
    assert 'for="kontak"' in html
    assert 'value="BPN-2026-000123"' in html
    assert 'value="budi@example.id"' in html
    assert SENT not in html


@pytest.mark.parametrize(
    "contact", ["BUDI@Example.ID", "budi@example.id", "081234567890", "+62 812-3456-7890"]
)
def test_lookup_by_ticket_and_contact_sends_the_link_and_never_shows_it(
    world, client, contact, django_capture_on_commit_callbacks
):
    complaint = make(world, Status.DISPATCHED)  # tests.factories: budi@example.id, 081234567890
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/lacak/", {"tiket": complaint.ticket_number.lower(), "kontak": contact})

    assert response.status_code == 200
    assert complaint.tracking_secret not in response.content.decode()
    assert SENT in response.content.decode()
    assert [m.to for m in mail.outbox] == [["budi@example.id"]]  # the address on file
    assert url(complaint) in mail.outbox[0].body


def test_a_mismatch_gets_the_same_answer_as_a_match(world, client):
    complaint = make(world, Status.DISPATCHED)

    right = client.post("/lacak/", {"tiket": complaint.ticket_number, "kontak": "budi@example.id"})
    wrong_contact = client.post("/lacak/", {"tiket": complaint.ticket_number, "kontak": "orang@lain.id"})
    unknown_ticket = client.post("/lacak/", {"tiket": "ZZZ-2026-999999", "kontak": "orang@lain.id"})

    pages = [r.content.decode() for r in (right, wrong_contact, unknown_ticket)]
    assert right.status_code == wrong_contact.status_code == unknown_ticket.status_code == 200
    for html in pages:
        assert SENT in html
        assert complaint.title not in html
        assert complaint.tracking_secret not in html
        assert "Didisposisikan" not in html

    def normalised(html):
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        return re.sub(r'nonce="[^"]+"', "", html)  # the CSP nonce differs per response

    assert normalised(pages[0]) == normalised(pages[1]) == normalised(pages[2])


def test_an_empty_lookup_field_is_named(world, client):
    response = client.post("/lacak/", {"tiket": "", "kontak": "budi@example.id"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-tiket"' in html
    assert 'id="error-kontak"' not in html


def test_lookups_are_throttled_per_client(world, client):
    complaint = make(world, Status.DISPATCHED)
    for _ in range(20):
        assert client.post("/lacak/", {"tiket": "ZZZ-2026-000001", "kontak": "a@b.id"}).status_code == 200

    throttled = client.post("/lacak/", {"tiket": complaint.ticket_number, "kontak": "budi@example.id"})
    other_client = client.post(
        "/lacak/", {"tiket": complaint.ticket_number, "kontak": "budi@example.id"}, REMOTE_ADDR="10.0.0.9"
    )

    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 3600
    assert "Terlalu banyak permintaan" in throttled.content.decode()
    assert complaint.tracking_secret not in throttled.content.decode()
    assert other_client.status_code == 200
    assert SENT in other_client.content.decode()


def test_posts_on_the_tracking_page_are_throttled_per_client(world, client):
    complaint = make(world, Status.FOLLOWED_UP)
    before = snapshot(complaint)
    for _ in range(30):
        assert client.post(url(complaint, "nilai/"), {"score": "9"}).status_code == 400

    throttled = client.post(url(complaint, "aksi/"), {"action": "accept"})

    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert "Terlalu banyak permintaan" in throttled.content.decode()
    assert snapshot(complaint) == before
