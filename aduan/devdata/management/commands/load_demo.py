"""``manage.py load_demo``: load the Balikpapan demo (see aduan/devdata/demo.py).

Idempotent: a second run creates nothing. Prints the complaints per status and the demo logins
unless ``--quiet`` or ``--verbosity 0``.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from aduan.complaints.models import Status
from aduan.devdata.compliance_demo import compliance_demo_load
from aduan.devdata.demo import DEMO_LOGINS, demo_load


class Command(BaseCommand):
    help = "Muat data demo Pemerintah Kota Balikpapan (aman dijalankan berulang kali)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Jangan cetak ringkasan.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Muat juga dengan pengaturan produksi (akun dengan sandi demo!).",
        )

    def handle(self, *args, quiet=False, force=False, verbosity=1, **options):
        if (settings.SETTINGS_MODULE or "").endswith(".production") and not force:
            raise CommandError(
                "Refusing to load demo accounts with known passwords under production settings; "
                "use --force on a throw-away database only."
            )
        result = demo_load()
        compliance_demo_load()
        if quiet or verbosity == 0:
            return
        if result.complaints_created:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Demo %(pemda)s dimuat: %(count)s aduan dibuat.")
                    % {"pemda": result.pemda, "count": result.complaints_created}
                )
            )
        else:
            self.stdout.write(_("Demo %(pemda)s sudah ada; tidak ada aduan baru.") % {"pemda": result.pemda})
        for status in Status:
            self.stdout.write(f"  {status.label:<40} {result.status_counts.get(status.value, 0):>4}")
        self.stdout.write(_("Akun demo:"))
        for email, password, role in DEMO_LOGINS:
            self.stdout.write(f"  {email:<40} {password:<12} {role}")
