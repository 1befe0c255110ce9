"""Filing a complaint: the form, duplicate suggestions, "+1" support and the page after submitting.

- ``file_complaint`` (/aduan/): GET shows the form of one Pemda (``?pemda=<code>``, or the only one),
  POST files it through ``complaint_submit`` and ``attachment_add`` in one transaction, then
  redirects to ``submitted``. On an error the form comes back with everything typed; files that
  passed the checks wait in the cache (``stash_upload``) and come back by token.
- ``submitted`` (/aduan/terkirim/): the ticket number and the private tracking link, shown once.
- ``similar`` (/aduan/serupa/): an HTML fragment of open, public complaints like the one being typed.
- ``support`` (/aduan/<pk>/dukung/): a "+1" on an open, public complaint, once per browser session.

Works without JavaScript; ``static/aduan/filing.js`` only adds the live suggestions, the
late-filing warning, "use my location" and the copy button. Filing and support are throttled.
"""

import hashlib
import math
import re

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from aduan.agencies.models import Pemda
from aduan.complaints import selectors
from aduan.complaints.attachments import (
    MAX_BYTES,
    MAX_FILES,
    CleanUpload,
    attachment_add,
    stash_discard,
    stash_upload,
    unstash,
    validate_upload,
    validate_uploads,
)
from aduan.complaints.models import CLOSED_STATUSES, Category, Complaint
from aduan.complaints.public_page import with_public_page
from aduan.complaints.services import ReporterData, complaint_submit, complaint_support
from aduan.core.exceptions import InvalidInput
from aduan.core.maps import map_csp, map_settings
from aduan.core.throttle import client_key, limit_hit, throttle_args, throttle_hit
from aduan.portal.forms import FilingForm, filing_pemda, kept_with_lists
from aduan.sla.calendar import add_calendar_days, add_working_days
from aduan.sla.display import due_text
from aduan.sla.models import DayUnit, Deadline, Stage
from aduan.sla.services import NoPolicy, calendar_for, policy_for

SUPPORT_THROTTLE = throttle_args("support")
# Suggestions are fetched while typing (debounced): generous, but not unlimited.
SIMILAR_THROTTLE = throttle_args("similar")
RECEIPT_KEY = "aduan_filing_receipt"  # shown once on the submitted page, then removed
RECEIPT_SECONDS = 10 * 60
SHOWN_KEY = "aduan_filing_shown"  # what the submitted page may still say after a reload
# Placeholders of the kept empty form page (``_empty_form_page``): letters only, never escaped.
TOKEN_SLOT, NONCE_SLOT = "aduanCsrfTokenSlot", "aduanCspNonceSlot"
PAGE_SLOTS = {"csrf_token": TOKEN_SLOT, "CSP_NONCE": NONCE_SLOT}
SIMILAR_LIMIT = 5
SIMILAR_MIN_WORD = 4
SIMILAR_MAX_WORDS = 8


def _throttled(request, *, scope: str, limit: int, window_seconds: int) -> HttpResponse | None:
    """A 429 page with Retry-After when this client is over the limit, else None."""
    key = client_key(request)
    retry_after = throttle_hit(scope=scope, key=key, limit=limit, window_seconds=window_seconds)
    if not retry_after:
        return None
    minutes = max(1, math.ceil(retry_after / 60))
    response = render(request, "complaints/file.html", {"throttled": True, "minutes": minutes}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _pemda_for(request) -> tuple[Pemda | None, list[Pemda]]:
    """The Pemda chosen by ``?pemda=<code>``, or the only one; else None and the ones to choose from."""
    code = (request.GET.get("pemda") or "").strip().upper()
    if code:
        pemda = filing_pemda(code)
        if pemda is None:
            raise Http404
        return pemda, []
    pemdas = list(Pemda.objects.order_by("name"))
    if len(pemdas) == 1:
        return pemdas[0], []
    return None, pemdas


# --- The form --------------------------------------------------------------------------------------


def file_complaint(request):
    """GET: the form. POST: file the complaint, or show the form again with the reason (a refused
    post, throttled ones included, keeps what was typed)."""
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    if request.method == "POST" and (retry_after := limit_hit("file", client_key(request))):
        return _throttled_form(request, retry_after)
    pemda, choices = _pemda_for(request)
    if pemda is None:
        return render(request, "complaints/file.html", {"pemda_choices": choices})
    if request.method == "GET":
        return _empty_form_page(request, pemda)

    if request.POST.get("website"):
        # Honeypot filled: a robot. Thank it like anyone else and store nothing.
        return render(request, "complaints/submitted.html", {"generic": True})

    form = FilingForm(request.POST, request.FILES, pemda=pemda)
    form.is_valid()
    uploads = _collect_uploads(request, form)
    if form.errors:
        return _render_form(request, form, pemda=pemda, uploads=uploads)

    if not (request.POST.get("confirm_new") or request.POST.get("seen_similar")):
        category = form.cleaned_data["category"]
        similar_items = _similar_complaints(pemda=pemda, category=category, title=form.cleaned_data["title"])
        if similar_items:
            return _render_form(request, form, pemda=pemda, uploads=uploads, similar_items=similar_items)

    # Only a complaint about to be filed counts against "filed" (mistakes and the similar step do not).
    if retry_after := limit_hit("filed", client_key(request)):
        return _throttled_form(request, retry_after, pemda=pemda, form=form, uploads=uploads)
    try:
        complaint = _submit(request, form, pemda=pemda, uploads=[clean for _token, clean in uploads])
    except InvalidInput as exc:
        field = exc.params.get("field")
        form.add_error(field if field in form.fields else None, str(exc))
        return _render_form(request, form, pemda=pemda, uploads=uploads)

    for token, _clean in uploads:
        if token:
            stash_discard(token)
    tracking_url = reverse("complaints:track", args=[complaint.tracking_secret])
    receipt = {
        "complaint_id": complaint.pk,
        "ticket_number": complaint.ticket_number,
        "tracking_url": request.build_absolute_uri(tracking_url),
        "has_email": bool(form.cleaned_data["email"]),
        "late_filing": form.is_late_filing,
    }
    # The receipt travels in a signed cookie for the submitted page alone (HttpOnly, for a few
    # minutes), not in the session: filing writes no session row.
    response = redirect("complaints:submitted")
    response.set_cookie(
        RECEIPT_KEY,
        signing.dumps(receipt, salt=RECEIPT_KEY),
        max_age=RECEIPT_SECONDS,
        path=reverse("complaints:submitted"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _submit(request, form: FilingForm, *, pemda: Pemda, uploads: list[CleanUpload]) -> Complaint:
    """The complaint and its files, all or nothing."""
    data = form.cleaned_data
    with transaction.atomic():
        complaint = complaint_submit(
            pemda=pemda,
            title=data["title"],
            chronology=data["chronology"],
            reporter=ReporterData(
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                nik=data["nik"],
                language=data["language"],
            ),
            classification=data["classification"],
            incident_date=data["incident_date"],
            location_text=data["location_text"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            kelurahan=data["kelurahan"],
            category=data["category"],
            target_opd=data["target_opd"],
            is_anonymous=data["is_anonymous"],
            is_confidential=data["is_confidential"],
            reporter_user=request.user,
        )
        for clean in uploads:
            attachment_add(complaint=complaint, upload=clean)
    return complaint


def _collect_uploads(request, form: FilingForm) -> list[tuple[str | None, CleanUpload]]:
    """The files of this submission: the ones kept from an earlier attempt (by token) and the new
    ones that pass the checks, as (token or None, upload). Problems go to the attachments field."""
    kept: list[tuple[str | None, CleanUpload]] = []
    for token in dict.fromkeys(request.POST.getlist("attachment_token")):
        clean = unstash(token)
        if clean is None:
            form.add_error(
                "attachments", _("Lampiran yang diunggah sebelumnya sudah kedaluwarsa; unggah lagi.")
            )
        else:
            kept.append((token, clean))
    new_files = (form.cleaned_data.get("attachments") if hasattr(form, "cleaned_data") else None) or []
    if not new_files:
        return kept[:MAX_FILES]
    if len(kept) + len(new_files) > MAX_FILES:
        form.add_error("attachments", _("Paling banyak %(n)d lampiran per aduan.") % {"n": MAX_FILES})
        return kept[:MAX_FILES]
    try:
        return kept + [(None, clean) for clean in validate_uploads(new_files)]
    except InvalidInput:
        pass
    # Keep the good files and name the bad ones.
    for uploaded in new_files:
        try:
            kept.append((None, validate_upload(uploaded)))
        except InvalidInput as exc:
            form.add_error("attachments", f"{uploaded.name}: {exc}")
    return kept


def _throttled_form(request, retry_after: int, *, pemda=None, form=None, uploads=None) -> HttpResponse:
    """A 429 with Retry-After that shows the form again with everything typed (files of this post
    are not checked when every post is over its limit: the ones kept from earlier stay)."""
    minutes = max(1, math.ceil(retry_after / 60))
    if pemda is None:
        try:
            pemda, _choices = _pemda_for(request)
        except Http404:
            pemda = None
    if pemda is None:
        response = render(
            request, "complaints/file.html", {"throttled": True, "minutes": minutes}, status=429
        )
    else:
        if form is None:
            form = FilingForm(request.POST, pemda=pemda)
            form.is_valid()
            uploads = _collect_uploads(request, form)
        response = _render_form(
            request, form, pemda=pemda, uploads=uploads or (), throttled_minutes=minutes, status=429
        )
    response["Retry-After"] = str(retry_after)
    return response


def _render_form(
    request,
    form: FilingForm,
    *,
    pemda: Pemda,
    uploads=(),
    similar_items=(),
    throttled_minutes=0,
    status=200,
    slots: dict | None = None,
) -> HttpResponse:
    """The form page; files already checked are stashed so that they survive the next POST."""
    attached = [(token or stash_upload(clean), clean.name) for token, clean in uploads]
    context = {
        "form": form,
        "pemda": pemda,
        "attached": attached,
        "late_filing": form.is_bound and form.is_late_filing,
        "similar_items": similar_items,
        "similar_next": _file_url(pemda),
        "form_action": _file_url(pemda),
        "map": map_settings(pemda),
        "throttled_minutes": throttled_minutes,
        "max_upload_bytes": MAX_BYTES,
        "max_upload_mb": MAX_BYTES // (1024 * 1024),
    }
    with timezone.override(pemda.zoneinfo):
        return map_csp(render(request, "complaints/file.html", context | (slots or {}), status=status))


def _empty_form_page(request, pemda: Pemda) -> HttpResponse:
    """The empty form. At its own address, for a citizen who is not signed in and has no message
    waiting, the page is the same in a language on a day but for its CSRF tokens and CSP nonce: it
    is rendered once with placeholders for those (kept with the form's lists) and each request
    fills in its own (one masked token for the page's forms, as ``{% csrf_token %}`` gives)."""
    if (
        request.get_full_path() != _file_url(pemda)
        or request.user.is_authenticated
        or messages.get_messages(request)
    ):
        return _render_form(request, FilingForm(pemda=pemda), pemda=pemda)
    key = ("page", timezone.localdate(timezone.now(), pemda.zoneinfo), map_settings(pemda))
    page = kept_with_lists(pemda, key, lambda: _page_with_slots(request, pemda))
    page = page.replace(TOKEN_SLOT, get_token(request))
    return map_csp(HttpResponse(page.replace(NONCE_SLOT, str(getattr(request, "csp_nonce", "")))))


def _page_with_slots(request, pemda: Pemda) -> str:
    """The empty form page with TOKEN_SLOT for each CSRF token and NONCE_SLOT for the nonce."""
    response = _render_form(request, FilingForm(pemda=pemda), pemda=pemda, slots=PAGE_SLOTS)
    return response.content.decode()


def _file_url(pemda: Pemda) -> str:
    return f"{reverse('complaints:file')}?pemda={pemda.code}"


# --- After submitting ------------------------------------------------------------------------------


@never_cache
def submitted(request):
    """The ticket number and the tracking link, once; then only a note that they were shown."""
    receipt = _receipt_of(request)
    if receipt is None:
        return render(request, "complaints/submitted.html", {"shown": request.session.get(SHOWN_KEY)})
    response = _submitted_page(request, receipt)
    response.delete_cookie(RECEIPT_KEY, path=reverse("complaints:submitted"), samesite="Lax")
    return response


def _receipt_of(request) -> dict | None:
    """The receipt the filing left in its cookie, once; None if absent, forged or stale."""
    value = request.COOKIES.get(RECEIPT_KEY)
    if not value:
        return None
    try:
        return signing.loads(value, salt=RECEIPT_KEY, max_age=RECEIPT_SECONDS)
    except signing.BadSignature:
        return None


def _submitted_page(request, receipt: dict) -> HttpResponse:
    shown = {"ticket_number": receipt["ticket_number"], "has_email": receipt["has_email"]}
    request.session[SHOWN_KEY] = shown
    complaint = Complaint.objects.select_related("pemda").filter(pk=receipt["complaint_id"]).first()
    if complaint is None:
        return render(request, "complaints/submitted.html", {"shown": shown})
    verification = (
        Deadline.objects.filter(complaint=complaint, stage=Stage.VERIFICATION).order_by("started_at").first()
    )
    follow_up = None
    try:
        follow_up = policy_for(
            stage=Stage.FOLLOW_UP,
            classification=complaint.classification,
            category_id=complaint.category_id,
            on=timezone.localdate(timezone.now(), complaint.pemda.zoneinfo),
        )
    except NoPolicy:
        pass
    context = {
        "receipt": receipt,
        "complaint": complaint,
        "follow_up_policy": follow_up,
        **_receipt_dues(complaint, verification.due_at if verification else None, follow_up),
    }
    with timezone.override(complaint.pemda.zoneinfo):
        return render(request, "complaints/submitted.html", context)


def _receipt_dues(complaint, verification_due, follow_up) -> dict:
    """The receipt's dates as the citizen reads them: verification by ``verification_due``, and
    the OPD's answer by the follow-up target counted from that moment (the latest dispatch)."""
    if verification_due is None:
        return {"verification_due": "", "follow_up_due": ""}
    cal = calendar_for(complaint.pemda, around=verification_due)
    follow_up_due = ""
    if follow_up is not None:
        if follow_up.unit == DayUnit.WORKING:
            at = add_working_days(verification_due, follow_up.amount, cal)
        else:
            at = add_calendar_days(verification_due, follow_up.amount, cal)
        follow_up_due = due_text(at, cal, long=True)
    return {"verification_due": due_text(verification_due, cal, long=True), "follow_up_due": follow_up_due}


# --- Duplicate suggestions and support -------------------------------------------------------------


def _title_words(title: str) -> list[str]:
    words = [
        w.lower() for w in re.findall(r"\w+", title or "") if len(w) >= SIMILAR_MIN_WORD and not w.isdigit()
    ]
    return list(dict.fromkeys(words))[:SIMILAR_MAX_WORDS]


def _similar_complaints(*, pemda: Pemda, category, title: str) -> list[Complaint]:
    """Up to five open, public complaints (not hidden) of the same Pemda and category whose title
    shares a word of four letters or more with ``title``, most relevant first (an identical title,
    then the most shared words, then the most supported). Only public columns are read; each is
    annotated ``has_public_page`` (the fragment links to that page)."""
    words = _title_words(title)
    if category is None or not words:
        return []
    match = Q()
    for word in words:
        match |= Q(title__icontains=word)
    # Relevance: the same title first, then the most shared words, then the most supported.
    hits = sum((Case(When(title__icontains=w, then=Value(1)), default=Value(0)) for w in words), Value(0))
    same = Case(When(title__iexact=" ".join((title or "").split()), then=Value(1)), default=Value(0))
    return list(
        with_public_page(selectors.complaints_public(pemda=pemda))
        .filter(match, category_id=category.pk)
        .exclude(status__in=[str(s) for s in CLOSED_STATUSES])
        .annotate(same_title=same, shared_words=hits)
        .only("pk", "ticket_number", "title", "public_title", "status", "supporters_count")
        .order_by("-same_title", "-shared_words", "-supporters_count", "-submitted_at")[:SIMILAR_LIMIT]
    )


@require_GET
def similar(request):
    """An HTML fragment: open, public complaints like the one being typed (no personal data)."""
    retry_after = throttle_hit(key=client_key(request), **SIMILAR_THROTTLE)
    if retry_after:
        return HttpResponse("", status=429, headers={"Retry-After": str(retry_after)})
    pemda = filing_pemda((request.GET.get("pemda") or "").strip().upper())
    category_id = request.GET.get("category") or ""
    if pemda is None or not category_id.isdecimal():
        return HttpResponse("")
    category = Category.objects.filter(
        Q(pemda=pemda) | Q(pemda__isnull=True), pk=int(category_id), is_active=True
    ).first()
    items = _similar_complaints(pemda=pemda, category=category, title=request.GET.get("title", "")[:200])
    if not items:
        return HttpResponse("")
    context = {"similar_items": items, "similar_next": _file_url(pemda)}
    return render(request, "complaints/_similar.html", context)


def supporter_key(request) -> str:
    """A key for this browser session that carries no personal data (the session is created if need be)."""
    if not request.session.session_key:
        request.session["aduan_visitor"] = True
        request.session.save()
    return hashlib.sha256((settings.SECRET_KEY + request.session.session_key).encode()).hexdigest()


@require_POST
def support(request, pk: int):
    """A "+1" on an open, public complaint: counted once per session; back to where it came from."""
    limited = _throttled(request, **SUPPORT_THROTTLE)
    if limited is not None:
        return limited
    try:
        counted = complaint_support(complaint_id=pk, supporter_key=supporter_key(request))
    except InvalidInput as exc:
        messages.error(request, str(exc))
    else:
        if counted:
            messages.success(request, _("Dukungan Anda tercatat."))
        else:
            messages.info(request, _("Dukungan Anda untuk aduan ini sudah tercatat sebelumnya."))
    return redirect(_back_url(request))


def _back_url(request) -> str:
    for candidate in (request.POST.get("next"), request.META.get("HTTP_REFERER")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return reverse("complaints:file")
