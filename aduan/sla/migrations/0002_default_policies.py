from django.db import migrations


def load(apps, schema_editor):
    from aduan.sla.defaults import ensure_default_policies

    ensure_default_policies(apps.get_model("sla", "SlaPolicy"))


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
