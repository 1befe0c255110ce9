"""Two-factor sign-in (TOTP through django-otp) for staff: who must verify, and the API's session
authentication that ignores an unverified session.

Optional for every staff member (they enrol at /staf/dua-langkah/daftar/). Once a Pemda turns on
``two_factor_required``, its koordinator and the Ombudsman staff of its province must sign in with
a code too; anyone with a confirmed device (superusers included) must always use it. Per-user API
tokens are issued only with the code too (aduan/api/views/auth.py); a token, once issued, is used
without a code by the integration holding it until it expires (docs/security.md).
"""

from functools import cache

from django.db import connection
from django.utils.translation import gettext_lazy as _
from django_otp import device_classes
from drf_spectacular.authentication import SessionScheme, TokenScheme
from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from .tokens import api_token_find

# Who requires two-factor of a user is known to the apps above this one (the Pemdas' switch and
# the staff memberships live in aduan.agencies, which registers its check when ready).
_requirements: list = []


def requirement_register(check) -> None:
    """Add ``check(user) -> bool``: whether someone requires two-factor sign-in of ``user``."""
    if check not in _requirements:
        _requirements.append(check)


def required_by_pemda(user) -> bool:
    """Whether a Pemda that turned on two-factor counts this user among its koordinator or the
    Ombudsman staff of its province (aduan.agencies.twofactor, registered when ready)."""
    if not user.is_authenticated:
        return False
    return any(check(user) for check in _requirements)


@cache
def _device_models() -> tuple:
    """The installed django-otp device models (the TOTP app here): known once apps are loaded."""
    return tuple(device_classes())


_DEVICE_ATTR = "_aduan_confirmed_device"


@cache
def confirmed_device_sql(user_column: str) -> str:
    """SQL for "the user in ``user_column`` has a confirmed device", for a query that reads the
    user's rows anyway (aduan.agencies' roles query, once per request): it then hands the answer
    over with ``confirmed_device_known`` and the sign-in check costs no query of its own. Built
    from the device models' own table names (no input reaches it)."""
    quote = connection.ops.quote_name
    tests = []
    for model in _device_models():
        table, user = quote(model._meta.db_table), quote(model._meta.get_field("user").column)
        confirmed = quote(model._meta.get_field("confirmed").column)
        tests.append(f"EXISTS (SELECT 1 FROM {table} AS d WHERE d.{user} = {user_column} AND d.{confirmed})")  # noqa: S608
    return "(" + " OR ".join(tests) + ")" if tests else "(1 = 0)"


def confirmed_device_known(user, confirmed: bool) -> None:
    """Keep, for this request's user object, whether they have a confirmed device."""
    setattr(user, _DEVICE_ATTR, bool(confirmed))


def has_confirmed_device(user) -> bool:
    """``django_otp.user_has_device(user, confirmed=True)``: known from the roles query when the
    user has roles (``confirmed_device_known``), else one EXISTS per device model."""
    if not user.is_authenticated:
        return False
    known = getattr(user, _DEVICE_ATTR, None)
    if known is not None:
        return known
    return any(model.objects.filter(user_id=user.pk, confirmed=True).exists() for model in _device_models())


def verification_needed(user) -> str | None:
    """None when this signed-in user may go on; else where to send them: "verify" (they have a
    device) or "setup" (they must enrol first). Cached on the user object for the request."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_aduan_otp_needed", False)
    if cached is not False:
        return cached
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        needed = None
    else:
        # The requirement first: staff read it with their roles, and their device with it.
        required = required_by_pemda(user)
        if has_confirmed_device(user):
            needed = "verify"
        elif required:
            needed = "setup"
        else:
            needed = None
    user._aduan_otp_needed = needed
    return needed


class VerifiedSessionAuthentication(SessionAuthentication):
    """DRF session authentication that treats a session still waiting for its second step as
    signed out (tokens, for integrations, go through TokenAuthentication unchanged)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and verification_needed(result[0]):
            return None
        return result


class TwoFactorTokenAuthentication(TokenAuthentication):
    """Token authentication (``Authorization: Token <key>``, knox's hashed, expiring tokens found
    by aduan.users.tokens in one query) that refuses an expired token with its own message, the
    token of an inactive user, and the token of a user whose Pemda requires two-factor while they
    have not enrolled (a token issued before the switch was turned on). Tokens issued before
    enrolment are deleted when the device is confirmed (views_2fa.otp_setup)."""

    keyword = "Token"  # REST_KNOX["AUTH_HEADER_PREFIX"], as DRF's TokenAuthentication names it (OpenAPI)

    def authenticate_credentials(self, key):
        token = api_token_find(key)
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("Akun ini tidak aktif."))
        if required_by_pemda(user) and not has_confirmed_device(user):
            raise exceptions.AuthenticationFailed(
                _("Pemda Anda mewajibkan verifikasi dua langkah: daftarkan aplikasi autentikator dahulu.")
            )
        return user, token


class TwoFactorTokenScheme(TokenScheme):
    """The OpenAPI description of ``TwoFactorTokenAuthentication``: ``Authorization: Token <key>``."""

    target_class = "aduan.users.twofactor.TwoFactorTokenAuthentication"


class VerifiedSessionScheme(SessionScheme):
    """The OpenAPI description of ``VerifiedSessionAuthentication``: Django's session cookie."""

    target_class = "aduan.users.twofactor.VerifiedSessionAuthentication"
