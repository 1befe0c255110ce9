"""``manage.py lapor_import FILE --pemda BPN``: file each report of an SP4N-LAPOR! export (CSV or
XLSX; columns in aduan/complaints/lapor.py) as a complaint. Numbers already in Aduan are skipped,
so running it twice adds nothing; failed rows are listed with their row number and reason, and the
command then exits with status 1 (the good rows are kept: fix the file and run it again).

Progress: a bar on a terminal, a plain line at each tenth of the rows otherwise (aduan/core/progress.py)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from aduan.complaints.lapor import lapor_import
from aduan.core.progress import Progress

from ._lapor import pemda_by_code, rows_of


class Command(BaseCommand):
    help = "Impor laporan dari berkas ekspor SP4N-LAPOR! (CSV atau XLSX) sebagai aduan."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--pemda", required=True, help="Kode pemda, mis. BPN.")

    def handle(self, *args, file, pemda, **options):
        pemda = pemda_by_code(pemda)
        rows = rows_of(file)
        progress = Progress(self.stdout, total=len(rows), label="lapor_import", unit=_("baris"))
        try:
            result = lapor_import(pemda=pemda, rows=rows, on_progress=progress.update)
        finally:
            progress.close()
        for row, number, ticket in result.created:
            self.stdout.write(
                _("baris %(row)d: %(number)s → %(ticket)s") % {"row": row, "number": number, "ticket": ticket}
            )
        for row, reason in result.failed:
            self.stderr.write(_("baris %(row)d: %(reason)s") % {"row": row, "reason": reason})
        self.stdout.write(
            _("%(created)d aduan baru, %(skipped)d sudah ada, %(failed)d gagal.")
            % {"created": len(result.created), "skipped": len(result.skipped), "failed": len(result.failed)}
        )
        if result.failed:
            raise CommandError(_("%(n)d baris gagal diimpor.") % {"n": len(result.failed)})
