"""Run the personal-data retention job now (the same as the nightly beat job) and print its counts.

.venv/bin/python manage.py retention_apply             # erase what has expired
.venv/bin/python manage.py retention_apply --dry-run   # list it (ticket numbers), change nothing
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aduan.privacy.services import retention_apply, retention_preview

CLASS_LABELS = {
    "reporter_identity": gettext_lazy("identitas pelapor"),
    "attachments": gettext_lazy("berkas lampiran"),
    "outbox": gettext_lazy("alamat di kotak keluar"),
}


class Command(BaseCommand):
    help = "Anonymise, purge and scrub personal data past ADUAN_RETENTION_DAYS (closed complaints only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Tampilkan yang akan dihapus (nomor tiket dan jumlah), tanpa mengubah apa pun."),
        )

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            self._preview()
            return
        run = retention_apply()
        self.stdout.write(
            f"RetentionRun {run.pk}: {run.identities_anonymised} identities anonymised, "
            f"{run.attachments_purged} attachment files purged, "
            f"{run.outbox_scrubbed} outbox addresses scrubbed "
            f"(retention days: {run.retention_days})"
        )

    def _preview(self) -> None:
        self.stdout.write(_("Uji coba (--dry-run): tidak ada yang diubah. Yang akan dihapus sekarang:"))
        totals = dict.fromkeys(CLASS_LABELS, 0)
        for data_class, ticket_number, items in retention_preview():
            totals[data_class] += items
            self.stdout.write(f"{CLASS_LABELS[data_class]}\t{ticket_number}\t{items}")
        self.stdout.write(
            _(
                "Jumlah: %(identities)s identitas pelapor, %(files)s berkas lampiran, "
                "%(outbox)s alamat di kotak keluar."
            )
            % {
                "identities": totals["reporter_identity"],
                "files": totals["attachments"],
                "outbox": totals["outbox"],
            }
        )
