"""``manage.py metrics_rebuild [--pemda BPN ...] [--workers N] [--check] [--period 2026 ...]``:
rebuild the compliance rollups from a full scan (every Pemda, or those named), with progress, in
``N`` processes (by default one per core, at most 4, from 100,000 complaints on); ``--check``
rebuilds nothing and compares the rollups with a full scan instead (exit status 1 on a difference)."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from aduan.agencies.models import Pemda
from aduan.complaints.models import Complaint
from aduan.compliance.periods import Period, PeriodInvalid
from aduan.compliance.rollup_check import default_periods, rollups_check, rollups_rebuild
from aduan.core.progress import Progress


class Command(BaseCommand):
    help = "Bangun ulang rekap metrik kepatuhan dari seluruh data, atau periksa kecocokannya (--check)."

    def add_arguments(self, parser):
        parser.add_argument("--pemda", action="append", default=[], help="Kode pemda (boleh berulang).")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Bandingkan rekap dengan perhitungan penuh; tidak mengubah apa pun.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Jumlah proses pembangun ulang (bawaan: satu per inti, paling banyak 4).",
        )
        parser.add_argument(
            "--period",
            action="append",
            default=[],
            help="Periode pemeriksaan, mis. 2026 atau 2026-11 (boleh berulang).",
        )

    def handle(self, *args, pemda, check=False, period=(), workers=None, **options):
        pemdas = Pemda.objects.order_by("pk")
        if pemda:
            codes = [code.upper() for code in pemda]
            pemdas = pemdas.filter(code__in=codes)
            missing = sorted(set(codes) - set(pemdas.values_list("code", flat=True)))
            if missing:
                raise CommandError(_("Pemda dengan kode %(code)s tidak ada.") % {"code": ", ".join(missing)})
        pemdas = list(pemdas)
        if check:
            self._check(pemdas, period)
            return
        total = Complaint.objects.filter(pemda__in=pemdas).count()
        progress = Progress(self.stdout, total=total, label=_("rekap metrik"), unit=_("aduan"))
        if workers is None:
            workers = min(os.cpu_count() or 1, 4) if total >= 100_000 else 1
        done = rollups_rebuild(pemdas, progress=progress.update, workers=workers)
        progress.close()
        self.stdout.write(
            _("Rekap metrik %(pemdas)s pemda dibangun ulang dari %(complaints)s aduan.")
            % {"pemdas": len(pemdas), "complaints": done}
        )

    def _check(self, pemdas, period_texts) -> None:
        now = timezone.now()
        try:
            periods = [Period.read(text) for text in period_texts]
        except PeriodInvalid as error:
            raise CommandError(error.message) from None
        periods = periods or default_periods(timezone.localdate(now))
        problems = rollups_check(pemdas=pemdas, periods=periods, now=now)
        for line in problems:
            self.stderr.write(line)
        if problems:
            raise CommandError(
                _("Rekap metrik tidak cocok dengan perhitungan penuh: %(n)s perbedaan.")
                % {"n": len(problems)}
            )
        self.stdout.write(
            _("Rekap metrik cocok dengan perhitungan penuh (%(pemdas)s pemda, %(periods)s periode).")
            % {"pemdas": len(pemdas), "periods": len(periods)}
        )
