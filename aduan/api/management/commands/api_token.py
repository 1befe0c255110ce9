"""Issue or revoke a user's API token (REST ``Authorization: Token <key>`` and Open311 ``api_key``).

.venv/bin/python manage.py api_token koordinator@balikpapan.test            # print (create) it
.venv/bin/python manage.py api_token koordinator@balikpapan.test --revoke   # revoke it
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from aduan.users.tokens import api_tokens_revoke


class Command(BaseCommand):
    help = "Print (creating if needed) or revoke the API token of a user."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--revoke", action="store_true", help="Delete the token.")

    def handle(self, *args, email: str, revoke: bool = False, **options):
        user = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {email}.")
        if revoke:
            deleted = api_tokens_revoke(user)
            self.stdout.write("Token revoked." if deleted else "The user had no token.")
            return
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
