"""``manage.py generate_synthetic --size ci``: fill a benchmark database (aduan/devdata/synthetic.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from aduan.devdata.synthetic import SIZES, generate


class Command(BaseCommand):
    help = "Isi basis data benchmark dengan aduan sintetis (jangan dipakai pada data sungguhan)."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
        parser.add_argument("--seed", type=int, default=20261128)

    def handle(self, *args, size, seed, **options):
        if (settings.SETTINGS_MODULE or "").endswith(".production"):
            raise CommandError("Refusing to generate synthetic data under production settings.")
        try:
            counts = generate(size_name=size, seed=seed, stdout=self.stdout)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in counts.items())
        )
