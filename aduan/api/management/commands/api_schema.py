"""Write the OpenAPI schema checked into the repository (aduan/api/openapi.yaml).

    .venv/bin/python manage.py api_schema           # regenerate after changing the API
    .venv/bin/python manage.py api_schema --check   # exit 1 when the file is out of date

tests/api/test_openapi.py fails when the file drifts from the code.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "openapi.yaml"


def schema_yaml() -> str:
    """The schema as YAML, generated in Indonesian (the source language) so it is stable."""
    with translation.override("id"):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        return OpenApiYamlRenderer().render(schema, renderer_context={}).decode()


class Command(BaseCommand):
    help = "Write (or --check) aduan/api/openapi.yaml from the code."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Fail when the file is out of date.")

    def handle(self, *args, check=False, **options):
        text = schema_yaml()
        if check:
            if not SCHEMA_FILE.exists() or SCHEMA_FILE.read_text() != text:
                raise CommandError(f"{SCHEMA_FILE} is out of date: run `manage.py api_schema`.")
            self.stdout.write("OpenAPI schema is up to date.")
            return
        SCHEMA_FILE.write_text(text)
        self.stdout.write(f"Wrote {SCHEMA_FILE}")
