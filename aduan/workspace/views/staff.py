"""Staff pages: sign-in (with lockout), the start page per role, the list of every complaint the
user may see, and password reset by e-mail.

The triage queue, the OPD inbox, the kepala and Ombudsman views are in ``staff_queues``; the
complaint page and its actions in ``staff_detail``; exports in ``staff_exports``. Every page that
lists or shows complaints reads them through ``selectors``; times are shown in the Pemda's zone.
"""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from aduan.core.throttle import client_key, limit_hit
from aduan.users.lockout import count_failure, locked_response, locked_wait

from .staff_common import Countdown, staff_required, start_page

__all__ = ["Countdown", "StaffLoginView"]


class StaffAuthenticationForm(AuthenticationForm):
    """Django's sign-in form with an error message that reads well in Indonesian."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Masukkan e-mail dan kata sandi yang benar. Huruf besar dan kecil dibedakan."),
    }


class StaffLoginView(auth_views.LoginView):
    """E-mail sign-in with a lockout: after 5 failed passwords an account refuses every attempt
    (even the right one) for 15 minutes, and one client may try 20 times per 15 minutes."""

    template_name = "complaints/staff/login.html"
    authentication_form = StaffAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        wait = locked_wait(request, request.POST.get("username", ""))
        if wait:
            return locked_response(request, wait)
        return super().post(request, *args, **kwargs)

    def get_default_redirect_url(self):
        return start_page(self.request.user)

    def form_invalid(self, form):
        count_failure(self.request.POST.get("username", ""), self.request)
        return super().form_invalid(form)


@staff_required
def staff_home(request):
    """/staf/beranda/: send the user to their role's start page."""
    return redirect(start_page(request.user))


@staff_required
def staff_complaint_list(request):
    """Every complaint the signed-in staff member may see, filtered and sorted by the shared
    StaffComplaintFilter (other pages link here with e.g. ?pemda=..&opd=..&due=overdue&breached=1)."""
    from .staff_queues import queue_page

    return queue_page(
        request,
        "all",
        template="complaints/staff/list.html",
        title=_("Semua aduan"),
        filter_fields=ALL_FILTERS,
        default_sort="newest",
    )


ALL_FILTERS = (
    "q",
    "status",
    "pemda",
    "opd",
    "category",
    "kecamatan",
    "kelurahan",
    "due",
    "assigned",
    "breached",
    "flagged",
    "submitted_from",
    "submitted_to",
    "channel",
    "sort",
)


# Password reset by e-mail (Django's views, Indonesian templates), the form throttled per client.


class StaffPasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("complaints:staff-password-reset-done")

    def post(self, request, *args, **kwargs):
        wait = limit_hit("password-reset", client_key(request))
        if wait:
            response = render(
                request, "complaints/429.html", {"retry_after_minutes": -(-wait // 60)}, status=429
            )
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)


class StaffPasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class StaffPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("complaints:staff-password-reset-complete")


class StaffPasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
