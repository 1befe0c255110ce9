"""Two-factor pages, under /staf/dua-langkah/ (config/urls.py)."""

from django.urls import path

from .views import twofactor as views_2fa

app_name = "users"

urlpatterns = [
    path("", views_2fa.otp_verify, name="otp-verify"),
    path("daftar/", views_2fa.otp_setup, name="otp-setup"),
]
