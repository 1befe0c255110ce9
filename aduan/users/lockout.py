"""The staff sign-in lockout (aduan.workspace.views.staff.StaffLoginView), shared with the Django
admin's sign-in and the second sign-in step: wrong passwords and wrong codes count together, 5 per
account and 20 attempts per client in 15 minutes; a locked account refuses even the right ones."""

import hashlib
import unicodedata

from django.contrib import admin
from django.shortcuts import render

from aduan.core.throttle import client_key, limit_hit, limit_wait


def account_key(email: str) -> str:
    """The one lockout key of an account, for every sign-in door (staff page, admin, second step,
    API token): a hash of the e-mail folded the way sign-in folds it and further. Django's sign-in
    form strips the e-mail and applies NFKC before looking the user up (so "\uff50etugas@…" with a
    full-width p signs in as "petugas@…"), and stored e-mails are lower case; NFKC, strip and
    case-fold therefore give every spelling that reaches one account the same key."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", email).strip().casefold())
    return hashlib.sha256(folded.encode()).hexdigest()[:32]


def account_locked(email: str) -> int:
    """The seconds until the account's lockout ends, else 0 (looks only, counts nothing)."""
    return limit_wait("login-fail", account_key(email))


def locked_wait(request, email: str) -> int:
    """Count this attempt for the client; the seconds to wait if the client or the account is
    locked, else 0."""
    return limit_hit("login", client_key(request)) or account_locked(email)


def count_failure(email: str) -> None:
    """Count one failed sign-in (wrong password or code) against the account."""
    limit_hit("login-fail", account_key(email))


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
            count_failure(email)
        return response
    return admin.site.login(request, extra_context)
