"""Reads for personal-data protection.

- ``personal_data_export(complaint, secret)``: everything Aduan holds about the reporter of one
  complaint and how it was processed (hak akses, UU 27/2022 Pasal 7), for the tracking link's
  "Data saya" page, its JSON download and the API. The reporter's identity is read through
  ``complaints.selectors.reporter_identity_for`` as the citizen; staff appear by role and OPD,
  never by name; internal notes and internal files are not the reporter's data and stay out; a
  report the reporter made to the Ombudsman is theirs and is in.
- ``retention_cutoffs(now)``: the closing time before which each data class has expired.
- ``reporter_files(complaint)``: the attachments the reporter uploaded.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from aduan.complaints.citizen_view import public_events
from aduan.complaints.models import (
    SKM_ELEMENTS,
    ActorRole,
    Attachment,
    Complaint,
    ComplaintHop,
    ComplaintRating,
    SkmResponse,
)
from aduan.complaints.public_page import PublicStep
from aduan.complaints.selectors import Actor, reporter_identity_for
from aduan.complaints.workflow import Action, Step
from aduan.notifications.models import Audience, Notification
from aduan.ombudsman.models import OmbudsmanReport

from .models import ErasureRequest

DATA_CLASSES = ("reporter_identity", "attachments", "outbox")
EXPORT_VERSION = 1


def retention_days() -> dict[str, int]:
    """Days each data class is kept after the complaint closed (settings.ADUAN_RETENTION_DAYS)."""
    configured = getattr(settings, "ADUAN_RETENTION_DAYS", {}) or {}
    return {name: int(configured[name]) for name in DATA_CLASSES if configured.get(name) is not None}


def retention_cutoffs(now: datetime) -> dict[str, datetime]:
    """For each data class with a retention: complaints closed at or before this time have expired."""
    return {name: now - timedelta(days=days) for name, days in retention_days().items()}


def reporter_files(complaint: Complaint) -> QuerySet[Attachment]:
    """The files the reporter uploaded: not internal, no staff uploader (or the reporter's account)."""
    by_reporter = Q(uploaded_by__isnull=True)
    if complaint.reporter_user_id is not None:
        by_reporter |= Q(uploaded_by_id=complaint.reporter_user_id)
    return complaint.attachments.filter(Q(is_internal=False) & by_reporter)


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _action_label(action: str) -> str:
    for choices in (Action, Step):
        if action in choices.values:
            return str(choices(action).label)
    return str(dict(PublicStep.choices).get(action, action))


def _opd_name(opd) -> str:
    return opd.name if opd is not None else ""


def _notification_subject(notification: Notification) -> str:
    from aduan.notifications.channels import render

    try:
        return render(notification)[0]
    except Exception:
        return notification.kind


def personal_data_export(*, complaint: Complaint, secret: str, now: datetime | None = None) -> dict:
    """A copy of all data about the reporter of ``complaint`` and its processing history.

    Plain JSON types (times as ISO 8601 in UTC). Only this complaint's rows are read."""
    now = now or timezone.now()
    identity = reporter_identity_for(actor=Actor.citizen(secret), complaint=complaint)
    account = complaint.reporter_user if complaint.reporter_user_id else None
    hops = list(ComplaintHop.objects.filter(complaint=complaint).select_related("opd").order_by("started_at"))

    def holding_opd(moment):
        for hop in hops:
            if hop.started_at <= moment and (hop.ended_at is None or moment < hop.ended_at):
                return hop.opd
        return None

    processing = []
    for event in complaint.events.select_related("opd").order_by("created_at", "pk"):
        opd = event.opd
        if opd is None and event.actor_role in (ActorRole.PETUGAS_OPD, ActorRole.KEPALA_OPD):
            opd = holding_opd(event.created_at)
        processing.append(
            {
                "at": _iso(event.created_at),
                "action": event.action,
                "action_label": _action_label(event.action),
                "role": event.actor_role,
                "role_label": str(ActorRole(event.actor_role).label)
                if event.actor_role in ActorRole.values
                else event.actor_role,
                "opd": _opd_name(opd),
                "from_status": event.from_status,
                "to_status": event.to_status,
            }
        )

    rating = ComplaintRating.objects.filter(complaint=complaint).first()
    skm = SkmResponse.objects.filter(complaint=complaint).first()
    notifications = Notification.objects.filter(complaint=complaint, audience=Audience.CITIZEN).order_by(
        "created_at", "pk"
    )
    reporter_file_ids = set(reporter_files(complaint).values_list("pk", flat=True))
    closed_at = complaint.closed_at
    days = retention_days()
    return {
        "format_version": EXPORT_VERSION,
        "generated_at": _iso(now),
        "controller": complaint.pemda.name,
        "complaint": {
            "ticket_number": complaint.ticket_number,
            "pemda": complaint.pemda.name,
            "title": complaint.title,
            "chronology": complaint.chronology,
            "classification": complaint.classification,
            "category": complaint.category.name if complaint.category_id else None,
            "incident_date": complaint.incident_date.isoformat() if complaint.incident_date else None,
            "location_text": complaint.location_text,
            "latitude": str(complaint.latitude) if complaint.latitude is not None else None,
            "longitude": str(complaint.longitude) if complaint.longitude is not None else None,
            "channel": complaint.channel,
            "is_anonymous": complaint.is_anonymous,
            "is_confidential": complaint.is_confidential,
            "status": complaint.status,
            "status_label": str(complaint.get_status_display()),
            "submitted_at": _iso(complaint.submitted_at),
            "closed_at": _iso(closed_at),
            "forwarded_to": complaint.forwarded_to,
        },
        "identity": {
            "name": identity.name,
            "email": identity.email,
            "phone": identity.phone,
            "nik": identity.nik,
            "language": identity.language,
            "anonymised_at": _iso(identity.anonymised_at),
        }
        if identity is not None
        else None,
        "account": {"email": account.email, "name": account.full_name} if account is not None else None,
        "attachments": [
            {
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "uploaded_at": _iso(a.created_at),
                "from_reporter": a.pk in reporter_file_ids,
                "purged_at": _iso(a.purged_at),
            }
            for a in complaint.attachments.filter(is_internal=False).order_by("created_at", "pk")
        ],
        "timeline": [
            {
                "at": _iso(seen.created_at),
                "action": seen.action,
                "label": seen.label,
                "status": seen.status,
                "note": seen.note,
            }
            for _event, seen in public_events(complaint)
        ],
        "rating": {"score": rating.score, "comment": rating.comment, "at": _iso(rating.created_at)}
        if rating is not None
        else None,
        "skm": {
            "answers": [
                {"element": name, "label": str(label), "value": getattr(skm, name)}
                for name, label in SKM_ELEMENTS
            ],
            "at": _iso(skm.created_at),
        }
        if skm is not None
        else None,
        "notifications": [
            {
                "channel": n.channel,
                "address": n.address,
                "subject": _notification_subject(n),
                "state": n.state,
                "created_at": _iso(n.created_at),
                "sent_at": _iso(n.sent_at),
            }
            for n in notifications
        ],
        "processing": processing,
        "opd_hops": [
            {"opd": _opd_name(h.opd), "started_at": _iso(h.started_at), "ended_at": _iso(h.ended_at)}
            for h in hops
        ],
        "ombudsman_report": _ombudsman_report(complaint),
        "erasure_requests": [
            {
                "status": r.status,
                "status_label": str(r.get_status_display()),
                "reason": r.reason,
                "created_at": _iso(r.created_at),
                "decided_at": _iso(r.decided_at),
                "decision_note": r.decision_note,
            }
            for r in ErasureRequest.objects.filter(complaint=complaint).order_by("created_at", "pk")
        ],
        "retention": [
            {
                "data_class": name,
                "days": days[name],
                "until": _iso(closed_at + timedelta(days=days[name])) if closed_at is not None else None,
            }
            for name in DATA_CLASSES
            if name in days
        ],
    }


def _ombudsman_report(complaint: Complaint) -> dict | None:
    """The reporter's report to the Ombudsman about this complaint: why, their consent to share
    their identity, and the outcome as they read it on the tracking page."""
    report = OmbudsmanReport.objects.filter(complaint=complaint).first()
    if report is None:
        return None
    return {
        "ground": report.ground,
        "ground_label": str(report.get_ground_display()),
        "reason": report.reason,
        "identity_shared": report.identity_shared,
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "submitted_at": _iso(report.submitted_at),
        "finding": report.finding,
        "finding_label": str(report.get_finding_display()) if report.finding else "",
        "finding_note": report.finding_note,
        "closed_at": _iso(report.closed_at),
    }


def erasure_requests_for_koordinator(pemda_ids) -> QuerySet[ErasureRequest]:
    """Erasure requests on complaints of the given Pemdas (the koordinator's), pending first."""
    return ErasureRequest.objects.filter(complaint__pemda_id__in=list(pemda_ids)).select_related(
        "complaint", "complaint__pemda", "decided_by"
    )


def latest_erasure_request(complaint: Complaint) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(complaint=complaint).order_by("-created_at", "-pk").first()
