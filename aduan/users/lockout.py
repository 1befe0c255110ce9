"""The staff sign-in lockout (aduan.workspace.views.staff.StaffLoginView), shared with the Django
admin's sign-in and the second sign-in step: wrong passwords and wrong codes count together, 5 per
account and 20 attempts per client in 15 minutes; a locked account refuses even the right ones.

Lockouts are logged (logger ``aduan.users.lockout``, WARNING) as docs/breach-response.md tells staff to
look for them: the account by its user id (never the e-mail typed), the client by its keyed hash."""

import hashlib
import logging
import unicodedata

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.shortcuts import render

from aduan.core.throttle import client_key, limit_hit, limit_wait

logger = logging.getLogger(__name__)


def account_key(email: str) -> str:
    """The one lockout key of an account, for every sign-in door (staff page, admin, second step,
    API token): a hash of the e-mail folded the way sign-in folds it and further. Django's sign-in
    form strips the e-mail and applies NFKC before looking the user up (so "\uff50etugas@…" with a
    full-width p signs in as "petugas@…"), and stored e-mails are lower case; NFKC, strip and
    case-fold therefore give every spelling that reaches one account the same key."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", email).strip().casefold())
    return hashlib.sha256(folded.encode()).hexdigest()[:32]


def account_locked(email: str, request=None) -> int:
    """The seconds until the account's lockout ends, else 0 (looks only, counts nothing); with
    ``request``, a refused attempt is logged."""
    wait = limit_wait("login-fail", account_key(email))
    if wait and request is not None:
        logger.warning(
            "sign-in refused: %s locked, %d s left (client %s)",
            _account_label(email),
            wait,
            client_key(request)[:12],
        )
    return wait


def _account_label(email: str) -> str:
    """The account for the log: its user id, or "unknown" (the typed e-mail is never logged)."""
    user_id = (
        get_user_model().objects.filter(email__iexact=email.strip()).values_list("pk", flat=True).first()
        if email.strip()
        else None
    )
    return f"user_id={user_id}" if user_id else "unknown account"


def locked_wait(request, email: str) -> int:
    """Count this attempt for the client; the seconds to wait if the client or the account is
    locked, else 0. A refused attempt is logged."""
    client = client_key(request)
    if wait := limit_hit("login", client):
        logger.warning("sign-in refused: client %s over its attempts, %d s left", client[:12], wait)
        return wait
    return account_locked(email, request)


def count_failure(email: str, request=None) -> None:
    """Count one failed sign-in (wrong password or code) against the account; log when this
    failure locks it."""
    key = account_key(email)
    was_locked = limit_wait("login-fail", key)
    limit_hit("login-fail", key)
    if not was_locked and (wait := limit_wait("login-fail", key)):
        client = client_key(request)[:12] if request is not None else "-"
        logger.warning(
            "sign-in lockout: %s locked for %d s after repeated failures (client %s)",
            _account_label(email),
            wait,
            client,
        )


def locked_response(request, wait: int):
    response = render(request, "complaints/429.html", {"retry_after_minutes": -(-wait // 60)}, status=429)
    response["Retry-After"] = str(wait)
    return response


def admin_login(request, extra_context=None):
    """/admin/login/: Django admin's own sign-in behind the staff lockout."""
    if request.method == "POST":
        email = request.POST.get("username", "")
        wait = locked_wait(request, email)
        if wait:
            return locked_response(request, wait)
        response = admin.site.login(request, extra_context)
        if response.status_code == 200:  # the form came back: wrong password (or not staff)
            count_failure(email, request)
        return response
    return admin.site.login(request, extra_context)
