"""Run the personal-data retention job now (the same as the nightly beat job) and print its counts.

.venv/bin/python manage.py retention_apply
"""

from django.core.management.base import BaseCommand

from aduan.privacy.services import retention_apply


class Command(BaseCommand):
    help = "Anonymise, purge and scrub personal data past ADUAN_RETENTION_DAYS (closed complaints only)."

    def handle(self, *args, **options):
        run = retention_apply()
        self.stdout.write(
            f"RetentionRun {run.pk}: {run.identities_anonymised} identities anonymised, "
            f"{run.attachments_purged} attachment files purged, "
            f"{run.outbox_scrubbed} outbox addresses scrubbed "
            f"(retention days: {run.retention_days})"
        )
