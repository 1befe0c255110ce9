"""Issue or revoke a user's API tokens (REST ``Authorization: Token <key>`` and Open311 ``api_key``).

.venv/bin/python manage.py api_token koordinator@balikpapan.test            # issue a new token
.venv/bin/python manage.py api_token koordinator@balikpapan.test --revoke   # revoke all of them

The key is printed once, alone on standard output (``KEY=$(manage.py api_token …)``); its expiry
goes to standard error. Only its digest is stored (aduan/users/tokens.py).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aduan.users.tokens import TokenLimitReached, api_token_issue, api_tokens_revoke


class Command(BaseCommand):
    help = "Issue a new API token for a user (printed once), or revoke all of their tokens."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--revoke", action="store_true", help="Delete every token of the user.")

    def handle(self, *args, email: str, revoke: bool = False, **options):
        user = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {email}.")
        if revoke:
            deleted = api_tokens_revoke(user)
            self.stdout.write(f"{deleted} token(s) revoked." if deleted else "The user had no token.")
            return
        try:
            key, expiry = api_token_issue(user)
        except TokenLimitReached as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(key)
        self.stderr.write(f"Valid until {timezone.localtime(expiry):%Y-%m-%d %H:%M %Z}.")
