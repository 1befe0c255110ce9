"""The public page of a complaint (/publik/<ticket>/) and its moderation by the koordinator.

Who is on it: complaints that are not rahasia, that were verified (dispatched at least once, and
no longer waiting for verification) and that the koordinator did not hide. Anything else is not
found (existence is never revealed).

What it shows: the public title (the koordinator's wording, else the title), the public text
(only the koordinator's, never the chronology), category, location text, OPD, status, the OPD's
progress updates and answers (their notes are written for the reporter by the OPD), and the
images the OPD attached and did not mark internal. Never the reporter, never the chronology,
never a staff-only step or note.

Moderation (``public_page_edit``, ``public_page_hide``) is the koordinator's of the complaint's
Pemda only; each change is a recorded step on the staff timeline (the original title and
chronology stay on the complaint). A refusal changes nothing.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.agencies.models import StaffMembership
from aduan.core.exceptions import InvalidInput

from .attachments import IMAGE_CONTENT_TYPES
from .citizen_view import planned_dates, with_planned_date
from .models import ActorRole, Attachment, Complaint, ComplaintEvent, ScanStatus, Status
from .selectors import Actor
from .services import _event, _locked_for
from .workflow import Action

PUBLIC_TITLE_MAX = 200
PUBLIC_TEXT_MAX = 5000
NOT_YET_VERIFIED = (Status.SUBMITTED, Status.ON_HOLD)


class PublicStep:
    """Recorded steps of moderation (the status stays); staff-only on the timeline."""

    EDIT = "public_edit"
    HIDE = "public_hide"
    SHOW = "public_show"
    choices = [
        (EDIT, _("Ubah judul dan teks publik")),
        (HIDE, _("Sembunyikan dari publik")),
        (SHOW, _("Tampilkan kembali ke publik")),
    ]


# The OPD's steps a neighbour sees, in public words (the tracking page says "Anda").
PUBLIC_EVENT_LABELS = {
    Action.DISPATCH: _("Aduan diverifikasi dan diteruskan ke OPD"),
    Action.ACKNOWLEDGE: _("OPD menerima dan meninjau aduan"),
    Action.SCHEDULE: _("OPD menjadwalkan penanganan"),
    Action.START_WORK: _("OPD sedang mengerjakan"),
    Action.FOLLOW_UP: _("Jawaban OPD: selesai ditangani"),
}
# Only the OPD's own notes are public (a hold, a reply or a reopen may quote the reporter).
PUBLIC_NOTE_ACTIONS = (Action.ACKNOWLEDGE, Action.SCHEDULE, Action.START_WORK, Action.FOLLOW_UP)

PUBLIC_STATUS_SENTENCES = {
    Status.DISPATCHED: _("Aduan sudah diteruskan ke OPD yang berwenang dan sedang ditangani."),
    Status.FOLLOWED_UP: _("OPD sudah menjawab aduan ini; pelapor sedang menanggapi jawabannya."),
    Status.RESOLVED: _("Aduan ini sudah selesai."),
    Status.ARCHIVED: _("Aduan ini diarsipkan dan tidak diproses lebih lanjut."),
    Status.FORWARDED_OUT: _("Aduan ini diteruskan ke instansi yang berwenang."),
}


@dataclass(frozen=True)
class PublicProgress:
    label: str
    note: str
    created_at: datetime


def _has_page():
    """An expression: verified (dispatched once, not back to waiting) — with not rahasia and not
    hidden, what gives a complaint its public page."""
    dispatched = ComplaintEvent.objects.filter(complaint=OuterRef("pk"), action=Action.DISPATCH)
    return Exists(dispatched) & ~Q(status__in=[str(s) for s in NOT_YET_VERIFIED])


def complaints_on_public_page(*, pemda=None) -> QuerySet[Complaint]:
    """Complaints that have a public page: not rahasia, verified (dispatched once) and not hidden."""
    queryset = Complaint.objects.filter(_has_page(), is_confidential=False, public_hidden=False)
    return queryset.filter(pemda=pemda) if pemda is not None else queryset


def with_public_page(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """``queryset`` without hidden complaints, each annotated ``has_public_page`` (callers start
    from ``selectors.complaints_public()``: no rahasia complaint)."""
    return queryset.filter(public_hidden=False).annotate(
        has_public_page=ExpressionWrapper(_has_page(), output_field=BooleanField())
    )


def public_progress(complaint) -> list[PublicProgress]:
    """The OPD's public steps, oldest first, a ``schedule`` with its planned date (one query, two
    when a step is a ``schedule``)."""
    rows = list(
        complaint.events.filter(action__in=list(PUBLIC_EVENT_LABELS))
        .only("complaint_id", "action", "note", "created_at")
        .order_by("created_at", "pk")
    )
    days = planned_dates(complaint, rows)
    return [
        PublicProgress(
            label=with_planned_date(str(PUBLIC_EVENT_LABELS[e.action]), days.get(e.pk)),
            note=e.note if e.action in PUBLIC_NOTE_ACTIONS else "",
            created_at=e.created_at,
        )
        for e in rows
    ]


def public_photos(complaint) -> QuerySet[Attachment]:
    """Clean images the OPD's staff attached and did not mark internal (never a citizen upload:
    the uploader holds a staff role and is not the reporter)."""
    staff = StaffMembership.objects.filter(user_id=OuterRef("uploaded_by_id"))
    return (
        Attachment.objects.filter(
            complaint=complaint,
            is_internal=False,
            uploaded_by__isnull=False,
            content_type__in=sorted(IMAGE_CONTENT_TYPES),
            scan_status=ScanStatus.CLEAN,
            purged_at__isnull=True,
        )
        .filter(Exists(staff))
        .exclude(uploaded_by_id=complaint.reporter_user_id or 0)
        .order_by("created_at", "pk")
    )


def _clean(value: str | None, max_length: int) -> str:
    value = (value or "").strip()
    if len(value) > max_length:
        raise InvalidInput(_("Paling banyak %(max)s karakter.") % {"max": max_length}, code="public_too_long")
    return value


def public_page_edit(*, complaint_id: int, actor: Actor, title: str, text: str, now=None) -> Complaint:
    """Set the public title and text (empty: the public page falls back to the title / no text).
    The koordinator of the complaint's Pemda only; recorded on the timeline with the new words."""
    now = now or timezone.now()
    public_title, public_text = _clean(title, PUBLIC_TITLE_MAX), _clean(text, PUBLIC_TEXT_MAX)
    with transaction.atomic():
        complaint, role = _locked_for(actor, complaint_id, {ActorRole.KOORDINATOR})
        complaint.public_title, complaint.public_text = public_title, public_text
        complaint.save(update_fields=["public_title", "public_text", "updated_at"])
        # Stored in the note (data read by Indonesian staff), so deliberately not translated.
        note = f"Judul publik: {public_title or '—'}\nTeks publik: {public_text or '—'}"
        _event(complaint, PublicStep.EDIT, actor, role, note, now)
    return complaint


def public_page_hide(*, complaint_id: int, actor: Actor, hidden: bool, now=None) -> Complaint:
    """Hide the complaint from the public (page, list, suggestions) or show it again."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint, role = _locked_for(actor, complaint_id, {ActorRole.KOORDINATOR})
        if complaint.public_hidden != hidden:
            complaint.public_hidden = hidden
            complaint.save(update_fields=["public_hidden", "updated_at"])
            _event(complaint, PublicStep.HIDE if hidden else PublicStep.SHOW, actor, role, "", now)
    return complaint
