"""Load the assessment methods 2021, 2022–2024 and 2025 (aduan/compliance/methodologies.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from aduan.compliance.methodologies import ensure_initial_methodologies

    ensure_initial_methodologies(apps.get_model("compliance", "Methodology"))


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
