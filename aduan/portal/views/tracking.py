"""The citizen's tracking pages: the page behind the secret link, the moves the reporter can make
there (complete, accept, reply, reject, reopen), the rating and SKM survey after resolution, and the
look-up by ticket number plus e-mail or phone.

Everything is read through ``selectors`` and written through ``workflow.complaint_transition`` or
``services``; the page shows no staff names, no internal notes and nothing of the reporter's identity.
Look-ups and posts are throttled per client.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from aduan.complaints import selectors, services
from aduan.complaints.citizen_view import (
    CITIZEN_MOVES,
    CITIZEN_STAGES,
    REJECT_PREFIX,
    STATUS_SENTENCES,
    citizen_moves,
    planned_dates,
    public_events,
    with_planned_date,
)
from aduan.complaints.models import SKM_ELEMENTS, ComplaintRating, SkmResponse, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import NOTE_MAX_LENGTH, Action, complaint_transition, reopen_until
from aduan.core.exceptions import DomainError, InvalidInput, NotFound
from aduan.core.throttle import throttled_page
from aduan.notifications.models import Audience, Channel, Notification
from aduan.notifications.services import notification_queue, site_url
from aduan.ombudsman import selectors as ombudsman_selectors
from aduan.sla.display import due_text
from aduan.sla.models import Deadline
from aduan.sla.services import calendar_for

# The forms on the page: one per citizen move (citizen_view, shared with the citizen API).
FORM_ACTIONS = CITIZEN_MOVES

SUCCESS_MESSAGES = {
    "complete": _(
        "Terima kasih, keterangan tambahan Anda sudah kami terima. Aduan Anda kami proses kembali."
    ),
    "accept": _("Terima kasih, Anda telah menerima jawaban OPD. Aduan Anda selesai."),
    "reply": _("Tanggapan Anda sudah kami terima. Aduan Anda kembali ditangani OPD."),
    "reject": _("Penolakan Anda sudah kami terima. Aduan Anda kembali ditangani OPD."),
    "reopen": _("Aduan Anda dibuka kembali dan diteruskan lagi ke OPD."),
}

RATING_WORDS = {
    1: _("Sangat tidak puas"),
    2: _("Tidak puas"),
    3: _("Cukup"),
    4: _("Puas"),
    5: _("Sangat puas"),
}

SKM_CHOICES = (
    (1, _("Tidak baik")),
    (2, _("Kurang baik")),
    (3, _("Baik")),
    (4, _("Sangat baik")),
)


# --- helpers ------------------------------------------------------------------------------------


def _complaint_or_404(secret: str):
    try:
        return selectors.complaint_by_secret(secret)
    except NotFound:
        raise Http404 from None


def _throttled(request, *, scope: str, back_url: str):
    """A 429 page when this client used up its allowance for ``scope``, else None."""
    return throttled_page(request, scope, back_url=back_url)


def _public_events(complaint) -> list:
    events = []
    for event, seen in public_events(complaint):
        event.public_label = seen.label
        event.public_note = seen.note
        events.append(event)
    days = planned_dates(complaint, events)
    for event in events:
        event.public_label = with_planned_date(event.public_label, days.get(event.pk))
    return events


def _stars(score: int) -> str:
    return "★" * score + "☆" * (5 - score)


def _rating_options(selected: str) -> list[dict]:
    return [
        {"value": n, "stars": _stars(n), "word": RATING_WORDS[n], "checked": str(n) == selected}
        for n in range(1, 6)
    ]


def _skm_rows(values: dict[str, str], errors: dict[str, str]) -> list[dict]:
    return [
        {
            "name": name,
            "label": label,
            "error": errors.get(name, ""),
            "options": [(value, word, values.get(name) == str(value)) for value, word in SKM_CHOICES],
        }
        for name, label in SKM_ELEMENTS
    ]


def _track_page(request, complaint, secret: str, *, status: int = 200, **state):
    """Render the tracking page; ``state`` carries a failed form's error and typed values."""
    now = timezone.now()
    events = _public_events(complaint)
    deadlines = list(
        Deadline.objects.open()
        .filter(complaint=complaint, stage__in=list(CITIZEN_STAGES))
        .order_by("due_at", "pk")
    )
    cal = calendar_for(complaint.pemda, around=now) if deadlines else None
    for d in deadlines:
        d.citizen_label = CITIZEN_STAGES[d.stage]
        d.due_label = due_text(d.due_at, cal, long=True)
        d.is_paused = d.paused_at is not None
        d.is_late = not d.is_paused and d.due_at <= now
    attachments = list(complaint.attachments.filter(is_internal=False).order_by("created_at", "pk"))
    for a in attachments:
        a.from_reporter = a.uploaded_by_id is None or a.uploaded_by_id == complaint.reporter_user_id
    rating = ComplaintRating.objects.filter(complaint=complaint).first()
    skm = SkmResponse.objects.filter(complaint=complaint).first()

    moves = citizen_moves(complaint, secret, now=now)

    # One entry per form: its typed note and the error beside it (only the failed form has any).
    failed = state.get("action_form", "")
    forms = {
        name: {
            "note": state.get("action_note", "") if name == failed else "",
            "error": state.get("action_error", "") if name == failed else "",
        }
        for name in FORM_ACTIONS
    }
    skm_answers = []
    if skm is not None:
        words = dict(SKM_CHOICES)
        skm_answers = [(label, words.get(getattr(skm, name), "")) for name, label in SKM_ELEMENTS]

    context = {
        "complaint": complaint,
        "secret": secret,
        "ombudsman": ombudsman_selectors.citizen_state(complaint, now=now),
        "ombudsman_form": state.get("ombudsman_form", {}),
        "status_sentence": STATUS_SENTENCES.get(complaint.status, ""),
        "events": events,
        "follow_ups": [e for e in reversed(events) if e.action == Action.FOLLOW_UP],
        "hold_request": next((e.public_note for e in reversed(events) if e.action == Action.HOLD), ""),
        "deadlines": deadlines,
        "attachments": attachments,
        "can_complete": "complete" in moves,
        "can_answer": "accept" in moves and "reply" in moves,
        "can_reopen": "reopen" in moves,
        "reopen_until": reopen_until(complaint) if "reopen" in moves else None,
        "forms": forms,
        "general_error": state.get("general_error", ""),
        "note_max": NOTE_MAX_LENGTH,
        "reject_max": NOTE_MAX_LENGTH - len(REJECT_PREFIX),
        "is_resolved": complaint.status == Status.RESOLVED,
        "rating": rating,
        "rating_stars": _stars(rating.score) if rating else "",
        "rating_word": RATING_WORDS.get(rating.score, "") if rating else "",
        "rating_options": _rating_options(state.get("rating_score", "")),
        "rating_comment": state.get("rating_comment", ""),
        "rating_errors": state.get("rating_errors", {}),
        "skm": skm,
        "skm_answers": skm_answers,
        "skm_rows": _skm_rows(state.get("skm_values", {}), state.get("skm_errors", {})),
        "skm_error": state.get("skm_error", ""),
    }
    with timezone.override(complaint.pemda.zoneinfo):
        return render(request, "complaints/track.html", context, status=status)


# --- pages --------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def track(request, secret: str):
    """The citizen's tracking page, reached by the secret link only."""
    complaint = _complaint_or_404(secret)
    return _track_page(request, complaint, secret)


@require_POST
def track_action(request, secret: str):
    """One move of the reporter on their complaint (form field ``action``, note in ``note``)."""
    back_url = reverse("complaints:track", kwargs={"secret": secret})
    if throttled := _throttled(request, scope="track-post", back_url=back_url):
        return throttled
    complaint = _complaint_or_404(secret)
    form_action = request.POST.get("action", "")
    typed = request.POST.get("note", "")
    note = typed
    try:
        workflow_action = FORM_ACTIONS.get(form_action)
        if workflow_action is None:
            raise InvalidInput(_("Tindakan tidak dikenal."), code="unknown_action")
        if form_action == "reject":
            if not typed.strip():
                raise InvalidInput(
                    _("Tuliskan alasan Anda menolak jawaban."), code="reason_required", field="note"
                )
            note = REJECT_PREFIX + typed.strip()
        complaint_transition(
            complaint_id=complaint.pk, action=workflow_action, actor=Actor.citizen(secret), note=note
        )
    except DomainError as exc:
        beside_field = isinstance(exc, InvalidInput) and exc.params.get("field") == "note"
        return _track_page(
            request,
            complaint,
            secret,
            status=400,
            action_form=form_action if form_action in FORM_ACTIONS else "",
            action_note=typed,
            action_error=str(exc.message) if beside_field else "",
            general_error="" if beside_field else str(exc.message),
        )
    messages.success(request, SUCCESS_MESSAGES[form_action])
    return redirect(back_url)


@require_POST
def rate(request, secret: str):
    """The reporter's rating (1–5 and a comment) after resolution, once."""
    back_url = reverse("complaints:track", kwargs={"secret": secret})
    if throttled := _throttled(request, scope="track-post", back_url=back_url):
        return throttled
    complaint = _complaint_or_404(secret)
    raw_score = request.POST.get("score", "").strip()
    comment = request.POST.get("comment", "")
    try:
        services.complaint_rate(
            complaint_id=complaint.pk,
            actor=Actor.citizen(secret),
            score=int(raw_score) if raw_score.isdecimal() else None,
            comment=comment,
        )
    except DomainError as exc:
        field = exc.params.get("field") if isinstance(exc, InvalidInput) else None
        return _track_page(
            request,
            complaint,
            secret,
            status=400,
            rating_score=raw_score,
            rating_comment=comment,
            rating_errors={field or "form": str(exc.message)},
            general_error="" if field else str(exc.message),
        )
    messages.success(request, _("Terima kasih atas penilaian Anda."))
    return redirect(f"{back_url}#penilaian")


@require_POST
def skm(request, secret: str):
    """The reporter's SKM survey (nine elements, 1–4 each) after resolution, once."""
    back_url = reverse("complaints:track", kwargs={"secret": secret})
    if throttled := _throttled(request, scope="track-post", back_url=back_url):
        return throttled
    complaint = _complaint_or_404(secret)
    values = {name: request.POST.get(name, "").strip() for name, _label in SKM_ELEMENTS}
    answers = {name: int(v) for name, v in values.items() if v.isdecimal()}
    try:
        services.complaint_skm_submit(complaint_id=complaint.pk, actor=Actor.citizen(secret), answers=answers)
    except DomainError as exc:
        field = exc.params.get("field") if isinstance(exc, InvalidInput) else None
        errors, general = {}, str(exc.message)
        if field:
            # The service names the first bad answer; mark every unanswered element at once.
            errors = {name: general for name, v in values.items() if v not in {"1", "2", "3", "4"}}
            errors[field] = general
            general = _("Beberapa pertanyaan belum dijawab dengan benar.")
        return _track_page(
            request,
            complaint,
            secret,
            status=400,
            skm_values=values,
            skm_errors=errors,
            skm_error=general,
            general_error="" if field else general,
        )
    messages.success(request, _("Terima kasih telah mengisi survei kepuasan."))
    return redirect(f"{back_url}#survei")


@require_http_methods(["GET", "HEAD", "POST"])
def track_lookup(request):
    """Have one's tracking link sent again, by ticket number and the e-mail or phone given when filing.

    GET shows the form (``tiket`` and ``kontak`` prefill it). POST never shows or redirects to the
    secret link: the ticket number and a contact are no credential (both are easy to learn). When
    they match, the link goes to the contact on file (``_send_tracking_link``); the answer page is
    the same whether or not anything matched, so it reveals nothing either."""
    source = request.POST if request.method == "POST" else request.GET
    ticket = source.get("tiket", "").strip()[:64]
    contact = source.get("kontak", "").strip()[:254]
    errors: dict[str, str] = {}
    if request.method == "POST":
        lookup_url = reverse("complaints:track-lookup")
        if throttled := _throttled(request, scope="track", back_url=lookup_url):
            return throttled
        if not ticket:
            errors["tiket"] = _("Isi nomor tiket.")
        if not contact:
            errors["kontak"] = _("Isi e-mail atau nomor telepon yang Anda gunakan saat mengadu.")
        if not errors:
            try:
                complaint = selectors.complaint_by_ticket_and_contact(ticket, contact)
            except NotFound:
                pass
            else:
                _send_tracking_link(complaint, by_phone="@" not in contact, now=timezone.now())
            # The same page either way, without the typed values (they would tell the two apart).
            return render(request, "complaints/track_lookup.html", {"sent": True, "errors": {}})
    return render(
        request, "complaints/track_lookup.html", {"ticket": ticket, "contact": contact, "errors": errors}
    )


LINK_RESEND_MINUTES = 10  # at most one tracking-link message per complaint in this many minutes
LINK_KIND = "citizen_tracking_link"


def _send_tracking_link(complaint, *, by_phone: bool, now) -> None:
    """Queue the tracking link to the reporter's contact on file: the phone (through the SMS or
    WhatsApp gateway, when one is configured) if the look-up matched a phone, else the e-mail, else
    the phone. Never the contact as typed. At most one message per complaint per
    LINK_RESEND_MINUTES (a recent one is enough; the outbox key per window holds under races), so
    the look-up cannot be used to flood a reporter."""
    reporter = selectors.reporter_contact_for_delivery(complaint)
    if reporter is None:
        return
    gateway = bool(settings.ADUAN_WEBHOOK_URL and reporter.phone)
    if reporter.email and not (by_phone and gateway):
        channel, address = Channel.EMAIL, reporter.email
    elif gateway:
        channel, address = Channel.WEBHOOK, reporter.phone
    else:
        return
    window = timedelta(minutes=LINK_RESEND_MINUTES)
    if Notification.objects.filter(complaint=complaint, kind=LINK_KIND, created_at__gt=now - window).exists():
        return
    notification_queue(
        key=f"link:c{complaint.pk}:{int(now.timestamp()) // int(window.total_seconds())}",
        kind=LINK_KIND,
        channel=channel,
        audience=Audience.CITIZEN,
        address=address,
        complaint=complaint,
        language=reporter.language,
        context={
            "ticket_number": complaint.ticket_number,
            "pemda": complaint.pemda.name,
            "link": site_url(f"/lacak/{complaint.tracking_secret}/"),
        },
        now=now,
    )
