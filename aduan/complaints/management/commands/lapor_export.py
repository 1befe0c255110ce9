"""``manage.py lapor_export --pemda BPN [--output FILE]``: Aduan's status of every SP4N-LAPOR!
complaint of a Pemda, as CSV in the import's columns (aduan/complaints/lapor.py; never the
reporter's identity), for upload to SP4N-LAPOR!. Written to standard output unless --output."""

import csv

from django.core.management.base import BaseCommand

from aduan.complaints.lapor import lapor_export_rows

from ._lapor import pemda_by_code


class Command(BaseCommand):
    help = "Tulis status aduan SP4N-LAPOR! dalam kolom berkas SP4N-LAPOR! (CSV)."

    def add_arguments(self, parser):
        parser.add_argument("--pemda", required=True, help="Kode pemda, mis. BPN.")
        parser.add_argument("--output", help="Berkas CSV tujuan (bawaan: keluaran standar).")

    def handle(self, *args, pemda, output=None, **options):
        rows = lapor_export_rows(pemda=pemda_by_code(pemda))
        if output:
            with open(output, "w", newline="", encoding="utf-8") as file:
                csv.writer(file).writerows(rows)
        else:
            csv.writer(self.stdout).writerows(rows)
