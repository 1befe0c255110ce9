"""A user's API tokens (django-rest-knox's ``AuthToken``): issued, found and revoked only here.

The database keeps a SHA-512 digest of each key (knox's ``digest``, the primary key) and its first
15 characters (``token_key``, the "aduan_" prefix and 9 random characters, shown in the admin to
tell tokens apart); the key itself is returned once, when it is issued, and is never stored or
logged. A key is 64 random hexadecimal characters (256 bits), so a fast hash is enough: nobody
can guess one from its digest. Each token expires ``ADUAN_API_TOKEN_TTL_DAYS`` days after it is
issued (an expired one is refused with its own message and kept until the owner's next token is
issued) and a user holds at most ``ADUAN_API_TOKEN_LIMIT`` unexpired tokens. Expired tokens are
deleted when their owner gets a new one, and by the nightly ``aduan.users.tasks.tokens_purge`` once
they have been expired for ``EXPIRED_KEPT_DAYS`` (their owner has had the "expired" answer long
enough; the table does not grow with every token ever issued).

Revoked here: by the owner (``DELETE /api/v1/auth/token/``), the ``api_token --revoke`` command, a
change of second factor (aduan/workspace/views/twofactor.py), a change of password and the
deactivation of the account (``User.save``). Keys of the former ``rest_framework.authtoken``
tokens were hashed into this table by migration users 0003 and keep working until they expire or
are revoked.
"""

from datetime import datetime, timedelta
from hmac import compare_digest

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework import exceptions

from aduan.core.exceptions import DomainError

EXPIRED_KEPT_DAYS = 30  # an expired token answers "expired" this long, then is deleted

# A key is "aduan_" and 64 hexadecimal characters; a migrated one 40. Anything far longer is no key
# (and is not hashed).
KEY_MAX_LENGTH = 200


class TokenInvalid(exceptions.AuthenticationFailed):
    default_detail = _("Token tidak dikenal atau sudah dicabut.")


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = _("Token API sudah kedaluwarsa: minta token baru (POST /api/v1/auth/token/).")
    default_code = "token_expired"


class TokenLimitReached(DomainError):
    code = "token_limit_reached"
    default_message = _(
        "Akun ini sudah memegang %(limit)s token aktif: cabut token yang tidak dipakai dahulu "
        "(DELETE /api/v1/auth/token/ dengan token itu)."
    )


def api_token_issue(user) -> tuple[str, datetime]:
    """A new token for ``user``: (the key, shown once; its expiry). The user's expired tokens are
    deleted first; refused with ``TokenLimitReached`` when they hold the maximum of unexpired ones
    (counted under a lock on the user's row, so parallel requests cannot exceed it)."""
    now = timezone.now()
    with transaction.atomic():
        type(user).objects.select_for_update().filter(pk=user.pk).first()
        AuthToken.objects.filter(user=user, expiry__lte=now).delete()
        limit = settings.ADUAN_API_TOKEN_LIMIT
        if AuthToken.objects.filter(user=user).count() >= limit:
            raise TokenLimitReached(TokenLimitReached.default_message % {"limit": limit})
        token, key = AuthToken.objects.create(user=user)  # expiry: REST_KNOX["TOKEN_TTL"]
    return key, token.expiry


def api_token_find(key) -> AuthToken:
    """The token whose key is ``key`` (str or the header's bytes), with its user, in one query.
    Raises ``TokenInvalid`` for an unknown, revoked or malformed key and ``TokenExpired`` for an
    expired one (left in place: refusing it changes nothing)."""
    if isinstance(key, bytes):
        try:
            key = key.decode("ascii")
        except UnicodeDecodeError:
            raise TokenInvalid() from None
    if not key or len(key) > KEY_MAX_LENGTH:
        raise TokenInvalid()
    digest = hash_token(key)
    token = AuthToken.objects.select_related("user").filter(digest=digest).first()
    if token is None or not compare_digest(token.digest, digest):
        raise TokenInvalid()
    if token.expiry is not None and token.expiry <= timezone.now():
        raise TokenExpired()
    return token


def api_token_revoke(token: AuthToken) -> None:
    """Revoke one token (the one a request was signed in with)."""
    AuthToken.objects.filter(digest=token.digest).delete()


def api_tokens_revoke(user) -> int:
    """Delete every API token of ``user``; return how many there were."""
    deleted, _per_model = AuthToken.objects.filter(user=user).delete()
    return deleted


def api_tokens_purge(*, now: datetime) -> int:
    """Delete the tokens expired for more than ``EXPIRED_KEPT_DAYS``; return how many."""
    deleted, _per_model = AuthToken.objects.filter(
        expiry__lte=now - timedelta(days=EXPIRED_KEPT_DAYS)
    ).delete()
    return deleted
