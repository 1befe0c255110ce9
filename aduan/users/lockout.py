"""The staff sign-in lockout (aduan.workspace.views.staff.StaffLoginView), shared with the Django
admin's sign-in and the second sign-in step: wrong passwords and wrong codes count together, 5 per
account and 20 attempts per client in 15 minutes; a locked account refuses even the right ones."""

import hashlib

from django.contrib import admin
from django.shortcuts import render

from aduan.core.throttle import client_key, throttle_hit, throttle_wait

LOGIN_WINDOW_SECONDS = 15 * 60
LOGIN_POSTS_PER_CLIENT = 20
LOGIN_FAILURES_PER_ACCOUNT = 5


def account_key(email: str) -> str:
    """The same key as the staff sign-in page's (a hash of the lower-cased e-mail)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def locked_wait(request, email: str) -> int:
    """Count this attempt for the client; the seconds to wait if the client or the account is
    locked, else 0."""
    return throttle_hit(
        scope="login",
        key=client_key(request),
        limit=LOGIN_POSTS_PER_CLIENT,
        window_seconds=LOGIN_WINDOW_SECONDS,
    ) or throttle_wait(
        scope="login-fail",
        key=account_key(email),
        limit=LOGIN_FAILURES_PER_ACCOUNT,
        window_seconds=LOGIN_WINDOW_SECONDS,
    )


def count_failure(email: str) -> None:
    throttle_hit(
        scope="login-fail",
        key=account_key(email),
        limit=LOGIN_FAILURES_PER_ACCOUNT,
        window_seconds=LOGIN_WINDOW_SECONDS,
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
            count_failure(email)
        return response
    return admin.site.login(request, extra_context)
