"""Keep the earliest pending deadline on each allegation (next_due_at) and fill it."""

from typing import Any

from django.db import migrations, models

PENDING_STATES = ("open", "breached")


def fill_next_due(apps: Any, schema_editor: Any) -> None:
    """Set next_due_at from the pending deadlines of each allegation, its referrals and
    investigations; reads the pending deadlines only (their number, not the allegations')."""
    content_type = apps.get_model("contenttypes", "ContentType")
    obligation = apps.get_model("deadlines", "Obligation")
    allegation = apps.get_model("cases", "Allegation")
    types = {
        model: content_type.objects.filter(app_label="cases", model=model).first()
        for model in ("allegation", "referral", "investigation")
    }
    if types["allegation"] is None:  # a fresh database: no deadline exists yet
        return
    owners: dict[int, dict[int, int]] = {}
    for model in ("referral", "investigation"):
        if types[model] is not None:
            records = apps.get_model("cases", model).objects.values_list("pk", "allegation_id")
            owners[types[model].pk] = dict(records.iterator(chunk_size=5000))
    due: dict[int, Any] = {}
    pending = obligation.objects.filter(
        state__in=PENDING_STATES,
        content_type_id__in=[t.pk for t in types.values() if t is not None],
    ).values_list("content_type_id", "object_id", "due_at")
    for type_id, object_id, due_at in pending.iterator(chunk_size=5000):
        key = int(object_id)
        owner = owners[type_id].get(key) if type_id in owners else key
        if owner is not None and (owner not in due or due_at < due[owner]):
            due[owner] = due_at
    changed = [allegation(pk=pk, next_due_at=at) for pk, at in due.items()]
    allegation.objects.bulk_update(changed, ["next_due_at"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("cases", "0004_list_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("deadlines", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="allegation",
            name="next_due_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="next deadline"
            ),
        ),
        migrations.AddIndex(
            model_name="allegation",
            index=models.Index(
                fields=["organisation", "next_due_at"], name="allegation_org_next_due"
            ),
        ),
        migrations.RunPython(fill_next_due, migrations.RunPython.noop, elidable=True),
    ]
