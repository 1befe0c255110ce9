"""Two-factor pages for staff (TOTP, django-otp): enrolment with a QR code and the second
sign-in step. Wrong codes count towards the sign-in lockout (``lockout``)."""

from base64 import b32encode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from aduan.users.lockout import count_failure, locked_response, locked_wait
from aduan.users.tokens import api_tokens_revoke
from aduan.users.twofactor import has_confirmed_device, required_by_pemda, verification_needed

from .staff_common import staff_render, start_page

staff_login_required = login_required(login_url="complaints:staff-login")


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Kode 6 angka"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("Masukkan 6 angka dari aplikasi autentikator.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": r"\s*\d{6}\s*"}
        ),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip()


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return start_page(request.user)


@never_cache
@staff_login_required
def otp_verify(request):
    """/staf/dua-langkah/: the second sign-in step, a code from the user's authenticator app."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    devices = list(devices_for_user(user, confirmed=True))
    if not devices:
        return redirect("users:otp-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        wait = locked_wait(request, user.email)
        if wait:
            return locked_response(request, wait)
        if form.is_valid():
            for device in devices:
                if device.verify_token(form.cleaned_data["code"]):
                    otp_login(request, device)
                    request.session.cycle_key()
                    return redirect(_next_url(request))
        count_failure(user.email, request)
        if form.is_valid():
            form.add_error("code", _("Kode salah atau sudah kedaluwarsa."))
    return render(request, "users/otp_verify.html", {"form": form, "next": _next_url(request)})


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(
        scale=4, dark="#1a1f24", light="#ffffff", title=str(_("Kode QR"))
    )


@never_cache
@staff_login_required
def otp_setup(request):
    """/staf/dua-langkah/daftar/: enrol an authenticator app (QR code or the secret typed in),
    confirmed by its first code; with a device already, turn it off (when no Pemda requires it)."""
    user = request.user
    required = required_by_pemda(user)
    if has_confirmed_device(user):
        if not user.is_verified():
            return redirect("users:otp-verify")
        if request.method == "POST" and request.POST.get("action") == "disable" and not required:
            TOTPDevice.objects.filter(user=user).delete()
            messages.success(request, _("Verifikasi dua langkah dinonaktifkan."))
            return redirect("users:otp-setup")
        return staff_render(request, "users/otp_setup.html", {"enrolled": True, "required": required})

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Aplikasi autentikator", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            # A token issued before enrolment was issued on the password alone: revoke it (a new
            # one needs the code, aduan/api/views/auth.py).
            api_tokens_revoke(user)
            otp_login(request, device)
            request.session.cycle_key()
            messages.success(
                request, _("Verifikasi dua langkah aktif. Berikutnya, masuk dengan kode dari aplikasi.")
            )
            return redirect(_next_url(request))
        form.add_error("code", _("Kode salah atau sudah kedaluwarsa."))
    secret = b32encode(device.bin_key).decode()
    context = {
        "enrolled": False,
        "required": required,
        "form": form,
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 — segno's own SVG markup
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": _next_url(request),
    }
    # The staff menu when the user may already use the staff pages (enrolment is optional for them).
    page = render if verification_needed(user) else staff_render
    return page(request, "users/otp_setup.html", context)
