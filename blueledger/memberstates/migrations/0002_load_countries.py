from django.db import migrations


def load(apps, schema_editor):
    from blueledger.memberstates.countries import load_countries

    load_countries(apps.get_model("memberstates", "Country"))


class Migration(migrations.Migration):
    dependencies = [("memberstates", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
