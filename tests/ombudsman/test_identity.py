"""The reporter's identity never reaches the OPD or the Ombudsman without consent: not in any staff
message of the whole Ombudsman flow, not in the staff API's complaint detail."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import Action, complaint_transition
from aduan.notifications.models import Audience, Notification
from aduan.ombudsman import services
from aduan.ombudsman.models import Finding
from tests.factories import ComplaintFactory, wita

from .conftest import REASON, archived, reported

pytestmark = pytest.mark.django_db

SECRETS = ("Budi Santoso", "budi@example.id", "081234567890", REASON)


@pytest.mark.parametrize("anonymous", [True, False])
def test_no_staff_message_of_the_flow_carries_the_identity(world, omb, anonymous):
    complaint = ComplaintFactory(pemda=world.pemda, now=wita(2026, 1, 5, 9, 0), is_anonymous=anonymous)
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.DISPATCH,
        actor=Actor.staff(world.koordinator),
        opd=world.opd,
        now=wita(2026, 1, 5, 10, 0),
    )
    report = reported(complaint, consent=True, now=wita(2026, 3, 10, 9, 0))
    services.clarification_request(report_id=report.pk, user=omb, question="Mengapa?", now=wita(2026, 3, 11))
    from aduan.sla.services import deadlines_sweep

    deadlines_sweep(now=wita(2026, 3, 26, 0, 0))  # escalation to the koordinator and the kepala OPD
    services.clarification_answer(
        report_id=report.pk, user=world.koordinator, answer="Ya.", now=wita(2026, 3, 27)
    )
    services.report_close(
        report_id=report.pk,
        user=omb,
        finding=Finding.MALADMINISTRATION,
        note="Temuan.",
        actions=[("Perbaiki", date(2026, 4, 30))],
        now=wita(2026, 3, 28),
    )
    staff = Notification.objects.filter(audience=Audience.STAFF)
    kinds = set(staff.values_list("kind", flat=True))
    assert {"staff_ombudsman", "staff_escalation"} <= kinds
    recipients = set(staff.values_list("recipient_user_id", flat=True))
    assert {world.kepala.pk, world.koordinator.pk, omb.pk} <= recipients
    for n in staff:
        text = f"{n.context} {n.address}"
        for secret in SECRETS:
            assert secret not in text, (n.kind, secret)


@pytest.mark.parametrize(("consent", "shown"), [(False, False), (True, True)])
def test_staff_api_detail_for_the_ombudsman(world, omb, consent, shown):
    complaint = archived(world)
    reported(complaint, consent=consent)
    client = APIClient()
    client.force_authenticate(omb)
    body = client.get(f"/api/v1/staff/complaints/{complaint.pk}/").json()
    assert (body["reporter"] is not None) is shown
    assert ("budi@example.id" in str(body)) is shown
    # The koordinator always sees it; OPD staff never see this archived complaint at all.
    client.force_authenticate(world.koordinator)
    assert client.get(f"/api/v1/staff/complaints/{complaint.pk}/").json()["reporter"] is not None


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_ombudsman_message_renders_and_is_sent(world, omb, language):
    from django.core import mail

    from aduan.notifications.services import notification_deliver

    complaint = archived(world)
    report = reported(complaint, consent=False)
    services.clarification_request(report_id=report.pk, user=omb, question="Mengapa?", now=wita(2026, 3, 9))
    services.clarification_answer(
        report_id=report.pk, user=world.koordinator, answer="Ya.", now=wita(2026, 3, 10)
    )
    services.report_close(
        report_id=report.pk,
        user=omb,
        finding=Finding.MALADMINISTRATION,
        note="Temuan.",
        actions=[("Perbaiki SOP", date(2026, 3, 20))],
        now=wita(2026, 3, 11),
    )
    services.corrective_actions_remind(now=wita(2026, 3, 18, 9, 0))
    services.corrective_actions_remind(now=wita(2026, 3, 21, 9, 0))
    services.action_done(
        action_id=report.actions.get().pk, user=world.koordinator, note="Sudah.", now=wita(2026, 3, 22)
    )
    rows = Notification.objects.filter(kind__in=("staff_ombudsman", "citizen_ombudsman"))
    rows.update(language=language)
    events = set()
    for n in rows:
        assert notification_deliver(n.pk, now=wita(2026, 3, 23)), n.context
        events.add((n.kind, n.context["event"]))
    assert events == {
        ("citizen_ombudsman", "submitted"),
        ("citizen_ombudsman", "clarification"),
        ("citizen_ombudsman", "closed"),
        ("staff_ombudsman", "submitted"),
        ("staff_ombudsman", "clarification"),
        ("staff_ombudsman", "answered"),
        ("staff_ombudsman", "closed"),
        ("staff_ombudsman", "action_due"),
        ("staff_ombudsman", "action_overdue"),
        ("staff_ombudsman", "action_done"),
    }
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == rows.count()
    assert all(s.startswith(f"[{complaint.ticket_number}]") for s in subjects), subjects
    bodies = " ".join(m.body for m in mail.outbox)
    assert "{{" not in bodies
    assert "{%" not in bodies
    if language == "en":
        assert "maladministration found" in bodies
