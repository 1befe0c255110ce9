"""``manage.py load_areas CODE FILE.json``: add a Pemda's kecamatan and kelurahan from a JSON file
``{"Kecamatan A": ["Kelurahan 1", "Kelurahan 2"], ...}`` (aduan/agencies/areas.py).

Safe to run again: what exists is kept, only what is missing is added.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from aduan.agencies.areas import areas_load
from aduan.agencies.models import Pemda


class Command(BaseCommand):
    help = "Tambahkan kecamatan dan kelurahan sebuah pemda dari berkas JSON {kecamatan: [kelurahan]}."

    def add_arguments(self, parser):
        parser.add_argument("pemda_code", help="Kode pemda, mis. BPN.")
        parser.add_argument("path", help='Berkas JSON: {"Kecamatan": ["Kelurahan", ...]}.')

    def handle(self, *args, pemda_code, path, **options):
        pemda = Pemda.objects.filter(code=pemda_code.upper()).first()
        if pemda is None:
            raise CommandError(f"No Pemda with code {pemda_code!r}.")
        try:
            with open(path, encoding="utf-8") as handle:
                areas = json.load(handle)
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        if not isinstance(areas, dict) or not all(isinstance(v, list) for v in areas.values()):
            raise CommandError("The file must hold an object of kecamatan names to lists of kelurahan names.")
        try:
            kecamatan, kelurahan = areas_load(pemda, areas)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{pemda.name}: {kecamatan} kecamatan, {kelurahan} kelurahan added.")
