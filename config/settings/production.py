"""Production settings: base plus strictness. Refuses to start without its secrets."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
# No demo or benchmark data in production: `load_demo` and `generate_synthetic` do not exist here.
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "aduan.devdata"]  # noqa: F405
SECRET_KEY = env.str("SECRET_KEY")  # no default: ImproperlyConfigured when missing
# The repository's development key (base.py's default) and any other placeholder are public.
if any(word in SECRET_KEY.lower() for word in ("insecure", "change-me", "changeme", "change_me")):
    raise ImproperlyConfigured(
        "SECRET_KEY is a development or placeholder key (it contains 'insecure' or 'change-me'): set "
        "a long random key, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names this site answers to.")
# Production never falls back to the embedded setup: name the real services. REDIS_URL is the
# cache every web process shares: per-process memory would multiply the sign-in lockout's allowance
# and the throttles by the number of workers.
for _name in ("DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL", "ADUAN_SITE_URL", "REDIS_URL"):
    if not env.str(_name, default=""):
        raise ImproperlyConfigured(f"Set {_name}: production does not fall back to the embedded setup.")
# An e-mail backend that delivers nothing would lose every tracking link and reminder silently.
_UNDELIVERED_MAIL = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
if EMAIL_BACKEND in _UNDELIVERED_MAIL:  # noqa: F405
    raise ImproperlyConfigured(
        f"EMAIL_URL selects {EMAIL_BACKEND}, which delivers nothing: production needs SMTP "  # noqa: F405
        "(EMAIL_URL=smtp+tls://...) or a provider backend."
    )

# HTTPS everywhere; the proxy in front (nginx, a load balancer) sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# SameSite=Lax for the session and CSRF cookies, X-Frame-Options, nosniff, Referrer-Policy and the
# Content-Security-Policy come from base.py (every environment).
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# A load balancer or Prometheus may probe gunicorn directly over plain HTTP on the private network
# (aduan/ops/: /readyz and /metrics still answer only ADUAN_OPS_ALLOWED_IPS or a superuser).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
