"""The citizen's tracking page, reached by the secret link."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from aduan.core.exceptions import NotFound

from .. import selectors


def track(request, secret: str):
    """The citizen's tracking page, reached by the secret link only."""
    try:
        complaint = selectors.complaint_by_secret(secret)
    except NotFound:
        raise Http404 from None
    events = complaint.events.select_related("opd").exclude(action__in=INTERNAL_ACTIONS)
    for event in events:
        event.public_note = event.note if event.action in CITIZEN_NOTE_ACTIONS else ""
    with timezone.override(complaint.pemda.zoneinfo):
        return render(request, "complaints/track.html", {"complaint": complaint, "events": events})


# Steps the reporter does not see on the tracking page, and the ones whose note is meant for them.
INTERNAL_ACTIONS = ("request_redispatch", "redispatch")
CITIZEN_NOTE_ACTIONS = ("hold", "follow_up", "reply", "complete", "forward_out", "reopen")


def track_lookup(request):
    raise Http404


def track_action(request, secret: str):
    raise Http404


def rate(request, secret: str):
    raise Http404


def skm(request, secret: str):
    raise Http404
