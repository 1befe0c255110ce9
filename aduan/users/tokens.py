"""A user's API tokens (``rest_framework.authtoken``): the one place they are revoked — by the
token command, signing out of the API and a change of second factor."""

from rest_framework.authtoken.models import Token


def api_tokens_revoke(user) -> int:
    """Delete every API token of ``user``; return how many there were (0 or 1)."""
    deleted, _per_model = Token.objects.filter(user=user).delete()
    return deleted
