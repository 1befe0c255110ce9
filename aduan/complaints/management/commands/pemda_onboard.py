"""``manage.py pemda_onboard FILE.xlsx|FILE.csv [--dry-run]``: set up a Pemda from one file — the
Pemda, its OPDs, categories with their default OPD, and staff with their roles; new staff get an
e-mail with a link to set their password. Columns: aduan/complaints/onboarding/__init__.py and the
README's "Set up your Pemda".

Everything is checked first; any problem is printed as ``<sheet>, baris <n>, kolom <column>:
<reason>`` and the command exits with status 1 having changed nothing. Running the same file again
changes nothing; ``--dry-run`` prints what would change and writes nothing. A welcome link is
valid for 3 days (PASSWORD_RESET_TIMEOUT): ``--resend-welcome`` sends a new one to the staff of the
file who have still not set their password.

Progress: a bar on a terminal, a plain line at each tenth of the rows otherwise (aduan/core/progress.py).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from aduan.complaints.onboarding import (
    CREATED,
    SHEETS,
    UNCHANGED,
    UPDATED,
    OnboardingFileInvalid,
    OnboardingInvalid,
    book_check,
    onboard_apply,
    read_book,
)
from aduan.core.exceptions import InvalidInput
from aduan.core.progress import Progress


class Command(BaseCommand):
    help = "Siapkan pemda dari satu berkas XLSX atau CSV: OPD, kategori, dan staf dengan perannya."

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("Berkas XLSX (lembar Pemda, OPD, Kategori, Staf) atau CSV."))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Tampilkan yang akan berubah, tanpa mengubah apa pun.")
        )
        parser.add_argument(
            "--resend-welcome",
            action="store_true",
            help=_("Kirim ulang e-mail pembuatan kata sandi kepada staf berkas ini yang belum membuatnya."),
        )
        parser.add_argument(
            "--verbose-unchanged", action="store_true", help=_("Tampilkan juga baris yang tidak berubah.")
        )

    def handle(self, *args, file, dry_run=False, verbose_unchanged=False, resend_welcome=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("Berkas %(path)s tidak ada.") % {"path": file})
        try:
            plan = book_check(read_book(path.read_bytes(), filename=path.name))
        except OnboardingInvalid as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(str(error)) from None
        except OnboardingFileInvalid as error:
            raise CommandError(str(error)) from None
        if dry_run:
            self.stdout.write(_("Uji coba (--dry-run): tidak ada yang diubah. Yang akan berubah:"))
        progress = Progress(self.stdout, total=plan.rows, label="pemda_onboard", unit=_("baris"))
        try:
            outcome = onboard_apply(
                plan, dry_run=dry_run, on_progress=progress.update, resend_welcome=resend_welcome
            )
        except InvalidInput as error:
            raise CommandError(str(error)) from None
        finally:
            progress.close()
        for change in outcome.changes:
            if change.action != UNCHANGED or verbose_unchanged:
                self.stdout.write(str(change))
        for kind in SHEETS:
            self.stdout.write(
                _("%(sheet)s: %(created)d baru, %(updated)d diubah, %(unchanged)d tetap.")
                % {
                    "sheet": kind.label,
                    "created": outcome.count(kind, CREATED),
                    "updated": outcome.count(kind, UPDATED),
                    "unchanged": outcome.count(kind, UNCHANGED),
                }
            )
        if dry_run:
            self.stdout.write(
                _("%(n)d akun akan menerima e-mail untuk membuat kata sandi.") % {"n": len(outcome.welcomed)}
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(n)d akun dikirimi e-mail untuk membuat kata sandi.") % {"n": len(outcome.welcomed)}
                )
            )
