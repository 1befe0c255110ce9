"""API tokens hashed at rest: every key of ``rest_framework.authtoken`` (stored in plain text) is
hashed into django-rest-knox's table, where the same key keeps working until it expires
(``ADUAN_API_TOKEN_TTL_DAYS`` from now) or is revoked; then the plain-text table is dropped.

A database created after this change never had that table: nothing to do. Not reversible (the
plain keys are gone); going back leaves the hashed tokens in place.
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS

LEGACY_TABLE = "authtoken_token"


def legacy_tokens_hash(apps, schema_editor) -> int:
    """Move the plain-text tokens into knox's table; return how many were moved."""
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return 0
    AuthToken = apps.get_model("knox", "AuthToken")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {LEGACY_TABLE}")  # noqa: S608 (a constant)
        rows = cursor.fetchall()
    expiry = timezone.now() + timedelta(days=settings.ADUAN_API_TOKEN_TTL_DAYS)
    tokens = [
        AuthToken(
            digest=hash_token(key), token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH], user_id=user_id, expiry=expiry
        )
        for key, user_id, _created in rows
    ]
    AuthToken.objects.bulk_create(tokens, ignore_conflicts=True)
    # The issue dates, kept for the admin's list (auto_now_add set them to now above).
    for (_key, _user_id, created), token in zip(rows, tokens, strict=True):
        AuthToken.objects.filter(digest=token.digest).update(created=created)
    schema_editor.execute(f"DROP TABLE {LEGACY_TABLE}")
    return len(tokens)


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0002_config_history"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunPython(legacy_tokens_hash, migrations.RunPython.noop)]
