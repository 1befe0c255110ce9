"""Staff pages: sign-in, the complaint list with deadline countdowns, the complaint page.

Every page that lists or shows complaints reads them through ``selectors``; times are shown in the
Pemda's own zone.
"""

import hashlib

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from aduan.core.exceptions import NotFound
from aduan.core.throttle import client_key, throttle_hit, throttle_wait
from aduan.notifications.models import Audience
from aduan.sla.calendar import working_days_left
from aduan.sla.models import Deadline
from aduan.sla.services import calendar_for

from .. import selectors
from ..models import CLOSED_STATUSES
from ..selectors import Actor
from ..workflow import Action

LOGIN_WINDOW_SECONDS = 15 * 60
LOGIN_POSTS_PER_CLIENT = 20
LOGIN_FAILURES_PER_ACCOUNT = 5


def _account_key(request) -> str:
    email = request.POST.get("username", "").strip().lower()
    return hashlib.sha256(email.encode()).hexdigest()[:32]


class StaffLoginView(auth_views.LoginView):
    """E-mail sign-in with a lockout: after 5 failed passwords an account refuses every attempt
    (even the right one) for 15 minutes, and one client may try 20 times per 15 minutes."""

    template_name = "complaints/staff/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        account = _account_key(request)
        wait = throttle_hit(
            scope="login",
            key=client_key(request),
            limit=LOGIN_POSTS_PER_CLIENT,
            window_seconds=LOGIN_WINDOW_SECONDS,
        ) or throttle_wait(
            scope="login-fail",
            key=account,
            limit=LOGIN_FAILURES_PER_ACCOUNT,
            window_seconds=LOGIN_WINDOW_SECONDS,
        )
        if wait:
            response = render(
                request, "complaints/429.html", {"retry_after_minutes": -(-wait // 60)}, status=429
            )
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttle_hit(
            scope="login-fail",
            key=_account_key(self.request),
            limit=LOGIN_FAILURES_PER_ACCOUNT,
            window_seconds=LOGIN_WINDOW_SECONDS,
        )
        return super().form_invalid(form)


class Countdown:
    """A deadline as staff see it: working days left (negative when late) and a colour class."""

    def __init__(self, deadline: Deadline, now, cal):
        self.deadline = deadline
        self.is_open = deadline.is_open
        self.paused = deadline.paused_at is not None
        self.breached = deadline.breached_at is not None or (self.is_open and deadline.due_at <= now)
        self.days_left = (
            working_days_left(now, deadline.due_at, cal) if self.is_open and not self.paused else None
        )
        self.days_late = -self.days_left if self.days_left is not None and self.days_left < 0 else 0
        if not self.is_open:
            self.css = "late" if self.breached else "ok"
        elif self.paused:
            self.css = "paused"
        elif self.days_late or self.breached:
            self.css = "late"
        elif self.days_left is not None and self.days_left <= 1:
            self.css = "soon"
        else:
            self.css = "ok"


def _calendars(complaints, now):
    cache = {}
    for c in complaints:
        if c.pemda_id not in cache:
            cache[c.pemda_id] = calendar_for(c.pemda, around=now)
    return cache


@login_required(login_url="complaints:staff-login")
def staff_complaint_list(request):
    """Complaints the signed-in staff member may see, newest first, with the nearest clock."""
    now = timezone.now()
    open_deadlines = Prefetch(
        "deadlines", queryset=Deadline.objects.open().order_by("due_at"), to_attr="open_deadlines"
    )
    queryset = (
        selectors.complaints_visible_to(request.user)
        .select_related("pemda", "current_opd", "category")
        .prefetch_related(open_deadlines)
        .order_by("-submitted_at")
    )
    status = request.GET.get("status", "")
    if status:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    calendars = _calendars(page.object_list, now)
    rows = []
    for c in page.object_list:
        nearest = c.open_deadlines[0] if c.open_deadlines else None
        rows.append((c, Countdown(nearest, now, calendars[c.pemda_id]) if nearest else None))
    zone = page.object_list[0].pemda.zoneinfo if page.object_list else None
    with timezone.override(zone):
        return render(request, "complaints/staff/list.html", {"page": page, "rows": rows, "status": status})


@login_required(login_url="complaints:staff-login")
def staff_complaint_detail(request, pk: int):
    """One complaint: its facts, the reporter (if this viewer may see them), clocks with working
    days left and breach marks, OPD hops, the timeline and every notification's delivery state."""
    try:
        complaint = selectors.complaint_get_for(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    now = timezone.now()
    cal = calendar_for(complaint.pemda, around=now)
    actor = Actor.staff(request.user)
    identity = selectors.reporter_identity_for(actor=actor, complaint=complaint)
    deadlines = [
        Countdown(d, now, cal) for d in complaint.deadlines.select_related("opd").order_by("started_at", "pk")
    ]
    events = list(complaint.events.select_related("actor", "opd"))
    labels = dict(Action.choices)
    for event in events:
        event.action_label = labels.get(event.action, event.action)
    notifications = list(complaint.notifications.order_by("created_at", "pk"))
    for n in notifications:
        # The reporter's address is part of their identity: shown only to who may see it.
        may_see = n.audience == Audience.STAFF or identity is not None
        n.shown_address = n.address if may_see else "—"
        # A delivery error can quote the address (e.g. a refused recipient): same rule.
        n.shown_error = (
            (n.last_error if may_see else n.last_error.split(":", 1)[0]) if n.state != "sent" else ""
        )
    context = {
        "complaint": complaint,
        "identity": identity,
        "deadlines": deadlines,
        "hops": complaint.hops.select_related("opd"),
        "events": events,
        "notifications": notifications,
        "is_closed": complaint.status in CLOSED_STATUSES,
    }
    with timezone.override(complaint.pemda.zoneinfo):
        return render(request, "complaints/staff/detail.html", context)
