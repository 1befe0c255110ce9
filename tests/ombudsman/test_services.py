"""The Ombudsman report's services: each action through a row lock, refused actions change nothing,
one report per complaint, and the reporter's identity withheld without consent."""

from datetime import date

import pytest

from aduan.complaints.selectors import Actor, reporter_identity_for
from aduan.core.exceptions import InvalidInput, NotFound, PermissionDenied
from aduan.notifications.models import Notification
from aduan.ombudsman import services
from aduan.ombudsman.models import (
    ClarificationRequest,
    CorrectiveAction,
    Finding,
    Ground,
    OmbudsmanReport,
    ReportStatus,
)
from aduan.sla.models import Deadline, Stage
from tests.factories import ComplaintFactory, MembershipFactory, ProvinceFactory, wita

from .conftest import FILED_AT, REASON, REPORTED_AT, archived, reported

pytestmark = pytest.mark.django_db

ASKED_AT = wita(2026, 3, 9, 10, 0)
ANSWERED_AT = wita(2026, 3, 12, 11, 0)
CLOSED_AT = wita(2026, 3, 20, 9, 0)


def snapshot():
    """Everything an Ombudsman action may write."""
    return (
        list(OmbudsmanReport.objects.values_list("pk", "status", "finding", "closed_at")),
        list(ClarificationRequest.objects.values_list("pk", "answered_at", "answer")),
        list(CorrectiveAction.objects.values_list("pk", "done_at")),
        list(Deadline.objects.filter(stage=Stage.CLARIFICATION).values_list("pk", "met_at", "cancelled_at")),
        Notification.objects.count(),
    )


# --- the reporter sends it ------------------------------------------------------------------------


def test_report_goes_to_the_province_with_its_ground_and_tells_ombudsman_and_reporter(world, omb):
    complaint = archived(world)
    report = reported(complaint, consent=True)
    assert (report.province_id, report.ground, report.status) == (
        world.pemda.province_id,
        Ground.ARCHIVED,
        ReportStatus.SUBMITTED,
    )
    assert report.identity_shared is True
    staff = Notification.objects.get(kind="staff_ombudsman", recipient_user=omb)
    assert staff.context["event"] == "submitted"
    # Staff messages never carry the reporter's identity or their own words.
    text = str(staff.context)
    assert "Budi Santoso" not in text
    assert "budi@example.id" not in text
    assert REASON not in text
    citizen = Notification.objects.get(kind="citizen_ombudsman")
    assert citizen.address == "budi@example.id"


def test_anonim_complaint_stays_anonim_whatever_the_consent(world, omb):
    complaint = archived(world, is_anonymous=True)
    report = reported(complaint, consent=True)
    assert report.identity_shared is False
    assert reporter_identity_for(actor=Actor.staff(omb), complaint=complaint) is None


def test_without_consent_the_ombudsman_never_sees_a_named_reporter(world, omb):
    complaint = archived(world)
    actor = Actor.staff(omb)
    # Before any report the monitoring role sees a named reporter (the existing rule) ...
    assert reporter_identity_for(actor=actor, complaint=complaint) is not None
    reported(complaint, consent=False)
    # ... after a report without consent, not any more; the koordinator still does.
    assert reporter_identity_for(actor=actor, complaint=complaint) is None
    assert reporter_identity_for(actor=Actor.staff(world.koordinator), complaint=complaint) is not None


def test_with_consent_the_ombudsman_sees_the_reporter(world, omb):
    complaint = archived(world)
    reported(complaint, consent=True)
    assert reporter_identity_for(actor=Actor.staff(omb), complaint=complaint).name == "Budi Santoso"


def test_second_submit_is_refused_and_changes_nothing(world, omb):
    complaint = archived(world)
    reported(complaint)
    before = snapshot()
    with pytest.raises(services.AlreadyReported):
        reported(complaint)
    assert snapshot() == before


def test_not_eligible_is_refused_and_changes_nothing(world, omb):
    complaint = ComplaintFactory(pemda=world.pemda, now=FILED_AT)  # submitted, within its time
    before = snapshot()
    with pytest.raises(services.NotEligible):
        reported(complaint, now=REPORTED_AT)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("secret", "reason", "error"),
    [
        ("wrong-secret", REASON, PermissionDenied),
        (None, "", InvalidInput),
        (None, "terlalu pendek", InvalidInput),
        (None, "x" * 5001, InvalidInput),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(world, omb, secret, reason, error):
    complaint = archived(world)
    before = snapshot()
    with pytest.raises(error):
        services.report_submit(
            complaint_id=complaint.pk,
            secret=secret or complaint.tracking_secret,
            reason=reason,
            consent=True,
            now=REPORTED_AT,
        )
    assert snapshot() == before


def test_rejected_twice_and_overdue_grounds_from_the_database(world, omb):
    from aduan.complaints.citizen_view import REJECT_PREFIX
    from aduan.complaints.workflow import Action, complaint_transition

    complaint = ComplaintFactory(pemda=world.pemda, now=FILED_AT)
    citizen = Actor.citizen(complaint.tracking_secret)
    petugas = Actor.staff(world.petugas[0])
    moves = [(Action.DISPATCH, Actor.staff(world.koordinator), {"opd": world.opd})]
    for _ in range(2):
        moves += [
            (Action.FOLLOW_UP, petugas, {"note": "Sudah diperbaiki."}),
            (Action.REPLY, citizen, {"note": REJECT_PREFIX + "Belum diperbaiki."}),
        ]
    for i, (action, actor, extra) in enumerate(moves):
        complaint_transition(
            complaint_id=complaint.pk, action=action, actor=actor, now=wita(2026, 3, 3, 9, i), **extra
        )
    report = reported(complaint, now=wita(2026, 3, 4, 9, 0))
    assert report.ground == Ground.REJECTED_TWICE

    overdue = ComplaintFactory(pemda=world.pemda, now=wita(2026, 1, 5, 9, 0))
    assert reported(overdue, now=wita(2026, 3, 7, 9, 0)).ground == Ground.OVERDUE


# --- the Ombudsman and the Pemda ------------------------------------------------------------------


def test_clarification_answer_close_and_action_done(world, omb):
    report = reported(archived(world))
    request = services.clarification_request(
        report_id=report.pk, user=omb, question="Mengapa aduan diarsipkan?", now=ASKED_AT
    )
    clock = request.deadline
    assert (clock.stage, clock.due_at, clock.opd_id) == (Stage.CLARIFICATION, wita(2026, 3, 23, 10, 0), None)
    report.refresh_from_db()
    assert report.status == ReportStatus.CLARIFICATION
    assert Notification.objects.filter(
        kind="staff_ombudsman", recipient_user=world.koordinator, context__event="clarification"
    ).exists()

    services.clarification_answer(
        report_id=report.pk, user=world.koordinator, answer="Isi aduan tidak jelas.", now=ANSWERED_AT
    )
    clock.refresh_from_db()
    assert clock.met_at == ANSWERED_AT
    assert clock.breached_at is None
    report.refresh_from_db()
    assert report.status == ReportStatus.ANSWERED

    services.report_close(
        report_id=report.pk,
        user=omb,
        finding=Finding.MALADMINISTRATION,
        note="Pengarsipan tanpa meminta kelengkapan dari pelapor.",
        actions=[("Buka kembali dan periksa aduan", date(2026, 4, 10)), ("", None)],
        now=CLOSED_AT,
    )
    report.refresh_from_db()
    assert (report.status, report.finding, report.closed_at) == (
        ReportStatus.CLOSED,
        Finding.MALADMINISTRATION,
        CLOSED_AT,
    )
    action = report.actions.get()
    assert action.due_date == date(2026, 4, 10)
    assert Notification.objects.filter(kind="citizen_ombudsman", context__event="closed").exists()

    services.action_done(
        action_id=action.pk, user=world.koordinator, note="Sudah dibuka kembali.", now=CLOSED_AT
    )
    action.refresh_from_db()
    assert action.done_by == world.koordinator
    before = snapshot()
    with pytest.raises(services.ReportStateError):
        services.action_done(action_id=action.pk, user=world.koordinator, note="Lagi.", now=CLOSED_AT)
    assert snapshot() == before


def test_only_the_provinces_ombudsman_asks_and_closes(world, omb):
    report = reported(archived(world))
    other_province = MembershipFactory(role="ombudsman", province=ProvinceFactory()).user
    before = snapshot()
    for user in (world.koordinator, world.petugas[0], world.kepala, other_province):
        with pytest.raises(NotFound):
            services.clarification_request(report_id=report.pk, user=user, question="Mengapa?", now=ASKED_AT)
        with pytest.raises(NotFound):
            services.report_close(
                report_id=report.pk, user=user, finding=Finding.NONE, note="Tidak ada.", now=ASKED_AT
            )
    assert snapshot() == before


def test_refused_clarification_steps_change_nothing(world, omb):
    report = reported(archived(world))
    before = snapshot()
    with pytest.raises(InvalidInput):
        services.clarification_request(report_id=report.pk, user=omb, question="  ", now=ASKED_AT)
    with pytest.raises(services.ReportStateError):  # nothing asked yet
        services.clarification_answer(report_id=report.pk, user=world.koordinator, answer="Ya.", now=ASKED_AT)
    assert snapshot() == before
    services.clarification_request(report_id=report.pk, user=omb, question="Mengapa?", now=ASKED_AT)
    before = snapshot()
    with pytest.raises(services.ReportStateError):  # one open request at a time
        services.clarification_request(report_id=report.pk, user=omb, question="Lagi?", now=ASKED_AT)
    with pytest.raises(NotFound):  # OPD staff have nothing to do with it
        services.clarification_answer(report_id=report.pk, user=world.petugas[0], answer="Ya.", now=ASKED_AT)
    with pytest.raises(InvalidInput):
        services.clarification_answer(report_id=report.pk, user=world.koordinator, answer="", now=ASKED_AT)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("finding", "actions", "code"),
    [
        ("", [], "finding_required"),
        (Finding.MALADMINISTRATION, [], "actions_required"),
        (Finding.MALADMINISTRATION, [("Perbaiki SOP", None)], "action_due_required"),
        (Finding.MALADMINISTRATION, [("Perbaiki SOP", date(2026, 3, 1))], "action_due_invalid"),
        (Finding.MALADMINISTRATION, [("", date(2026, 4, 1))], "action_required"),
    ],
)
def test_refused_close_changes_nothing(world, omb, finding, actions, code):
    report = reported(archived(world))
    services.clarification_request(report_id=report.pk, user=omb, question="Mengapa?", now=ASKED_AT)
    before = snapshot()
    with pytest.raises(InvalidInput) as refused:
        services.report_close(
            report_id=report.pk, user=omb, finding=finding, note="Temuan.", actions=actions, now=CLOSED_AT
        )
    assert refused.value.code == code
    assert snapshot() == before


def test_closing_while_waiting_cancels_the_clock(world, omb):
    report = reported(archived(world))
    request = services.clarification_request(report_id=report.pk, user=omb, question="Mengapa?", now=ASKED_AT)
    services.report_close(
        report_id=report.pk, user=omb, finding=Finding.NONE, note="Tidak ada.", now=CLOSED_AT
    )
    request.deadline.refresh_from_db()
    assert request.deadline.cancelled_at == CLOSED_AT
    with pytest.raises(services.ReportStateError):
        services.report_close(
            report_id=report.pk, user=omb, finding=Finding.NONE, note="Lagi.", now=CLOSED_AT
        )


def test_ombudsman_may_record_the_pemdas_answer(world, omb):
    report = reported(archived(world))
    services.clarification_request(report_id=report.pk, user=omb, question="Mengapa?", now=ASKED_AT)
    request = services.clarification_answer(
        report_id=report.pk, user=omb, answer="Surat Pemda no. 12/2026.", now=ANSWERED_AT
    )
    assert request.answered_by == omb
    assert Notification.objects.filter(
        kind="staff_ombudsman", recipient_user=world.koordinator, context__event="answered"
    ).exists()


def test_action_done_only_by_the_pemdas_koordinator(world, omb):
    report = reported(archived(world))
    services.report_close(
        report_id=report.pk,
        user=omb,
        finding=Finding.MALADMINISTRATION,
        note="Temuan.",
        actions=[("Perbaiki SOP", date(2026, 4, 1))],
        now=CLOSED_AT,
    )
    action = report.actions.get()
    other_koordinator = MembershipFactory(role="koordinator", pemda=ComplaintFactory().pemda).user
    before = snapshot()
    for user in (omb, world.petugas[0], other_koordinator):
        with pytest.raises(NotFound):
            services.action_done(action_id=action.pk, user=user, note="Selesai.", now=CLOSED_AT)
    with pytest.raises(InvalidInput):
        services.action_done(action_id=action.pk, user=world.koordinator, note=" ", now=CLOSED_AT)
    assert snapshot() == before


def test_corrective_actions_reminded_before_and_told_after_each_once(world, omb):
    from aduan.ombudsman import tasks

    report = reported(archived(world))
    services.report_close(
        report_id=report.pk,
        user=omb,
        finding=Finding.MALADMINISTRATION,
        note="Temuan.",
        actions=[("Perbaiki SOP", date(2026, 4, 10)), ("Latih petugas", date(2026, 5, 30))],
        now=CLOSED_AT,
    )
    sop = report.actions.get(description="Perbaiki SOP")

    def sent(event):
        return sorted(
            Notification.objects.filter(kind="staff_ombudsman", context__event=event).values_list(
                "recipient_user_id", flat=True
            )
        )

    assert services.corrective_actions_remind(now=wita(2026, 4, 6, 9, 0)) == 0  # 4 days ahead
    assert services.corrective_actions_remind(now=wita(2026, 4, 7, 9, 0)) == 1
    assert services.corrective_actions_remind(now=wita(2026, 4, 8, 9, 0)) == 0  # once
    assert sent("action_due") == [world.koordinator.pk]
    assert services.corrective_actions_remind(now=wita(2026, 4, 10, 23, 0)) == 0  # due day: not late
    assert services.corrective_actions_remind(now=wita(2026, 4, 11, 0, 30)) == 2
    assert sent("action_overdue") == sorted([world.koordinator.pk, omb.pk])
    assert services.corrective_actions_remind(now=wita(2026, 4, 12, 0, 30)) == 0
    # Done actions are left alone; the task runs the same service.
    services.action_done(action_id=sop.pk, user=world.koordinator, note="Sudah.", now=wita(2026, 4, 12, 1, 0))
    tasks.actions_remind.run()  # at the real now: the open action (30 May 2026) is past due
    assert sent("action_overdue").count(omb.pk) == 2
