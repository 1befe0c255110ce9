"""The pages: the tracking page's form, the Ombudsman's queue and report page, the koordinator's
list; the reporter's identity on them only with consent, never for an anonim complaint, never
to OPD staff."""

import pytest
from django.urls import reverse

from aduan.notifications.models import Notification
from aduan.ombudsman import services
from aduan.ombudsman.models import ClarificationRequest, CorrectiveAction, OmbudsmanReport, ReportStatus
from tests.factories import ComplaintFactory, MembershipFactory, ProvinceFactory

from .conftest import REASON, archived, reported

pytestmark = pytest.mark.django_db

NAME, EMAIL, PHONE = "Budi Santoso", "budi@example.id", "081234567890"


def track_url(complaint, name="track"):
    return reverse(f"complaints:{name}", kwargs={"secret": complaint.tracking_secret})


def report_url(report, name="staff-ombudsman-report"):
    return reverse(f"complaints:{name}", kwargs={"pk": report.pk})


def identity_absent(html):
    return NAME not in html and EMAIL not in html and PHONE not in html


# --- the citizen --------------------------------------------------------------------------------


def test_tracking_page_offers_the_form_only_when_eligible(client, world):
    fresh = ComplaintFactory(pemda=world.pemda)
    assert 'id="ombudsman"' not in client.get(track_url(fresh)).content.decode()
    html = client.get(track_url(archived(world))).content.decode()
    assert 'id="ombudsman"' in html
    assert 'name="consent"' in html


def test_citizen_sends_with_consent_then_sees_the_report(client, world, omb):
    complaint = archived(world)
    response = client.post(track_url(complaint, "track-ombudsman"), {"reason": REASON, "consent": "1"})
    assert response.status_code == 302
    report = OmbudsmanReport.objects.get(complaint=complaint)
    assert report.identity_shared
    assert report.status == ReportStatus.SUBMITTED
    html = client.get(track_url(complaint)).content.decode()
    assert "Diterima Ombudsman" in html
    assert 'name="reason"' not in html
    # A second post (double submit) makes no second report.
    again = client.post(track_url(complaint, "track-ombudsman"), {"reason": REASON, "consent": "1"})
    assert again.status_code == 400
    assert OmbudsmanReport.objects.filter(complaint=complaint).count() == 1


def test_anonim_reporter_gets_no_consent_box_and_stays_anonim(client, world, omb):
    complaint = archived(world, is_anonymous=True)
    assert 'name="consent"' not in client.get(track_url(complaint)).content.decode()
    client.post(track_url(complaint, "track-ombudsman"), {"reason": REASON, "consent": "1"})
    assert OmbudsmanReport.objects.get(complaint=complaint).identity_shared is False


def test_short_reason_keeps_the_text_and_changes_nothing(client, world, omb):
    complaint = archived(world)
    response = client.post(track_url(complaint, "track-ombudsman"), {"reason": "kurang", "consent": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "kurang</textarea>" in html
    assert 'aria-invalid="true"' in html
    assert not OmbudsmanReport.objects.exists()
    assert not Notification.objects.filter(kind__contains="ombudsman").exists()


def test_not_eligible_post_is_refused(client, world, omb):
    complaint = ComplaintFactory(pemda=world.pemda)
    response = client.post(track_url(complaint, "track-ombudsman"), {"reason": REASON})
    assert response.status_code == 400
    assert not OmbudsmanReport.objects.exists()


def test_wrong_secret_is_404(client, world):
    url = reverse("complaints:track-ombudsman", kwargs={"secret": "x" * 40})
    assert client.post(url, {"reason": REASON}).status_code == 404


# --- the Ombudsman's queue and report page ------------------------------------------------------


@pytest.mark.parametrize(
    ("anonymous", "consent", "shown"), [(False, True, True), (False, False, False), (True, True, False)]
)
def test_identity_on_queue_and_report_page(client, world, omb, anonymous, consent, shown):
    complaint = archived(world, is_anonymous=anonymous)
    report = reported(complaint, consent=consent)
    client.force_login(omb)
    queue = client.get(reverse("complaints:staff-ombudsman-reports")).content.decode()
    assert complaint.ticket_number in queue
    assert identity_absent(queue)
    page = client.get(report_url(report)).content.decode()
    assert REASON in page  # the Ombudsman reads the reporter's reason
    assert (NAME in page and EMAIL in page) is shown
    if not shown:
        assert identity_absent(page)
        # The complaint page and the export do not show it to the Ombudsman either.
        detail = client.get(reverse("complaints:staff-detail", kwargs={"pk": complaint.pk})).content.decode()
        assert identity_absent(detail)
        export = client.get(reverse("complaints:staff-export-csv"), {"q": complaint.ticket_number})
        assert identity_absent(
            b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
        )


def test_ombudsman_asks_koordinator_answers_ombudsman_closes_koordinator_acts(client, world, omb):
    complaint = archived(world)
    report = reported(complaint, consent=True)
    client.force_login(omb)
    page = client.get(report_url(report)).content.decode()
    assert "Riwayat aduan" in page
    assert "Diarsipkan" in page
    response = client.post(report_url(report, "staff-ombudsman-clarify"), {"question": "Mengapa diarsipkan?"})
    assert response.status_code == 302
    assert ClarificationRequest.objects.get(report=report).deadline is not None
    # Calendar days, not working days: 14 right after the request, on the page and in the queue.
    assert "14 hari kalender lagi" in client.get(report_url(report)).content.decode()
    assert (
        "14 hari kalender lagi" in client.get(reverse("complaints:staff-ombudsman-reports")).content.decode()
    )

    client.force_login(world.koordinator)
    listing = client.get(reverse("complaints:staff-ombudsman-pemda")).content.decode()
    assert complaint.ticket_number in listing
    page = client.get(report_url(report)).content.decode()
    assert "Mengapa diarsipkan?" in page
    assert REASON not in page
    assert 'id="form-answer"' in page
    assert 'id="form-close"' not in page
    assert 'id="form-clarify"' not in page
    assert (
        client.post(report_url(report, "staff-ombudsman-answer"), {"answer": "Isi tidak jelas."}).status_code
        == 302
    )

    client.force_login(omb)
    bad = client.post(
        report_url(report, "staff-ombudsman-close"), {"finding": "maladministrasi", "note": "Tidak patut."}
    )
    assert bad.status_code == 400
    assert "paling sedikit satu tindakan korektif" in bad.content.decode()
    ok = client.post(
        report_url(report, "staff-ombudsman-close"),
        {
            "finding": "maladministrasi",
            "note": "Tidak patut.",
            "action_0": "Buka kembali aduan",
            "due_0": "2099-01-01",
        },
    )
    assert ok.status_code == 400  # more than a year ahead
    from django.utils import timezone

    due = timezone.now().astimezone(world.pemda.zoneinfo).date().isoformat()
    ok = client.post(
        report_url(report, "staff-ombudsman-close"),
        {
            "finding": "maladministrasi",
            "note": "Tidak patut.",
            "action_0": "Buka kembali aduan",
            "due_0": due,
        },
    )
    assert ok.status_code == 302
    action = CorrectiveAction.objects.get(report=report)

    client.force_login(world.koordinator)
    url = reverse("complaints:staff-ombudsman-action-done", kwargs={"pk": action.pk})
    assert client.post(url, {"note": ""}).status_code == 400
    assert client.post(url, {"note": "Sudah dibuka kembali."}).status_code == 302
    action.refresh_from_db()
    assert action.done_at is not None


def test_other_roles_get_nothing(client, world, omb):
    report = reported(archived(world))
    services.clarification_request(report_id=report.pk, user=omb, question="Mengapa?")
    other = MembershipFactory(role="ombudsman", province=ProvinceFactory()).user
    for user in (world.petugas[0], world.kepala, other):
        client.force_login(user)
        assert client.get(report_url(report)).status_code == 404
        assert client.post(report_url(report, "staff-ombudsman-answer"), {"answer": "x"}).status_code == 404
    client.force_login(world.kepala)
    assert client.get(reverse("complaints:staff-ombudsman-reports")).status_code == 403
    assert client.get(reverse("complaints:staff-ombudsman-pemda")).status_code == 403
    client.force_login(world.koordinator)
    assert (
        client.post(
            report_url(report, "staff-ombudsman-close"), {"finding": "tidak_ditemukan", "note": "x"}
        ).status_code
        == 403
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.CLARIFICATION


def test_queue_query_count_does_not_grow_with_reports(client, world, omb, django_assert_max_num_queries):
    for _ in range(3):
        report = reported(archived(world))
        services.clarification_request(report_id=report.pk, user=omb, question="Mengapa?")
    client.force_login(omb)
    client.get(reverse("complaints:staff-ombudsman-reports"))  # warm caches (policies, calendar)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as three:
        client.get(reverse("complaints:staff-ombudsman-reports"))
    for _ in range(3):
        report = reported(archived(world))
        services.clarification_request(report_id=report.pk, user=omb, question="Mengapa?")
    with CaptureQueriesContext(connection) as six:
        client.get(reverse("complaints:staff-ombudsman-reports"))
    assert len(six) == len(three)


def test_complaint_page_links_to_the_report_for_who_may_open_it(client, world, omb):
    complaint = archived(world)
    report = reported(complaint)
    detail = reverse("complaints:staff-detail", kwargs={"pk": complaint.pk})
    link = report_url(report)
    client.force_login(omb)
    assert link in client.get(detail).content.decode()
    client.force_login(world.koordinator)
    assert link not in client.get(detail).content.decode()  # not involved yet
    services.clarification_request(report_id=report.pk, user=omb, question="Mengapa?")
    assert link in client.get(detail).content.decode()
