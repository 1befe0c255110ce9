"""Sends a signed-in user who still owes the second sign-in step (see ``twofactor``) from the
staff pages, the compliance dashboard and the Django admin to the code page, or to enrolment when
they have no device yet. Citizen pages and the API are not redirected (the API ignores such a
session instead: ``twofactor.VerifiedSessionAuthentication``)."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from .twofactor import verification_needed

# Staff URLs that work before the second step: sign-in, sign-out and password reset.
OPEN_VIEW_NAMES = frozenset(
    {
        "complaints:staff-login",
        "complaints:staff-logout",
        "complaints:staff-password-reset",
        "complaints:staff-password-reset-done",
        "complaints:staff-password-reset-confirm",
        "complaints:staff-password-reset-complete",
        "admin:logout",
        "admin-login",
    }
)


PROTECTED_PREFIXES = ("/staf/", "/kepatuhan/", "/admin/")


def is_protected(path: str, view_name: str) -> bool:
    """Every page under /staf/, /kepatuhan/ and /admin/ except the open ones and the two-factor
    pages themselves."""
    if view_name in OPEN_VIEW_NAMES or view_name.startswith("users:"):
        return False
    return path.startswith(PROTECTED_PREFIXES)


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or not is_protected(request.path_info, match.view_name or ""):
            return None
        needed = verification_needed(request.user)
        if needed is None:
            return None
        target = reverse("users:otp-verify" if needed == "verify" else "users:otp-setup")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
