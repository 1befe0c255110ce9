"""Load the 2027 method (aduan/compliance/methodologies.py, ``METHOD_2027``: the Pengaduan
indicators from the field-work cycle) where the database already has the earlier ones."""

from django.db import migrations


def load(apps, schema_editor):
    from aduan.compliance.methodologies import ensure_initial_methodologies

    ensure_initial_methodologies(apps.get_model("compliance", "Methodology"))


class Migration(migrations.Migration):
    dependencies = [("compliance", "0004_config_history")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
