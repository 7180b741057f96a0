"""Give every group and member that existed before history was kept one baseline record,
so that their history pages start from the state they were in, not from nothing."""

from django.db import migrations
from django.utils import timezone


def add_baseline(apps, schema_editor):
    now = timezone.now()
    for model_name in ("Member", "PartyGroup"):
        model = apps.get_model("members", model_name)
        historical = apps.get_model("members", f"Historical{model_name}")
        names = [
            field.attname
            for field in historical._meta.concrete_fields
            if not field.name.startswith("history_") and field.attname != "history_user_id"
        ]
        recorded = set(historical.objects.values_list("id", flat=True))
        rows = [
            historical(
                **{name: getattr(obj, name) for name in names},
                history_date=now,
                history_type="+",
                history_change_reason="baseline",
            )
            for obj in model.objects.exclude(pk__in=recorded).iterator()
        ]
        historical.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("members", "0002_roster_accounts_history")]

    operations = [migrations.RunPython(add_baseline, migrations.RunPython.noop)]
