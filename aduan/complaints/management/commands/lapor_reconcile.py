"""``manage.py lapor_reconcile FILE --pemda BPN``: the LAPOR! numbers of an SP4N-LAPOR! export whose
status in Aduan differs from the file's (statuses mapped by aduan/complaints/lapor.py
``LAPOR_STATUSES``), or that Aduan does not have. Exits 1 when there is any."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from aduan.complaints.lapor import lapor_reconcile

from ._lapor import pemda_by_code, rows_of


class Command(BaseCommand):
    help = "Bandingkan status di berkas SP4N-LAPOR! dengan status di Aduan."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--pemda", required=True, help="Kode pemda, mis. BPN.")

    def handle(self, *args, file, pemda, **options):
        rows = rows_of(file)
        differences = lapor_reconcile(pemda=pemda_by_code(pemda), rows=rows)
        for d in differences:
            self.stdout.write(
                "\t".join(
                    [
                        str(d.row),
                        d.lapor_number,
                        d.file_status,
                        d.aduan_status or _("(tidak ada di Aduan)"),
                        d.ticket_number,
                    ]
                )
            )
        self.stdout.write(
            _("%(n)d dari %(total)d nomor berbeda.") % {"n": len(differences), "total": len(rows)}
        )
        if differences:
            raise CommandError(_("Status berbeda untuk %(n)d nomor.") % {"n": len(differences)})
