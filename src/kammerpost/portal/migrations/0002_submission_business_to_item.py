"""The business a portal sender acted for moves from the Submission onto the item.

The intake knows the business now (``InboundItem.business``), so every
channel can record it; the portal keeps only who sent the item.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def business_to_item(apps, schema_editor):  # type: ignore[no-untyped-def]
    Submission = apps.get_model("portal", "Submission")
    InboundItem = apps.get_model("intake", "InboundItem")
    InboundItem.objects.filter(
        portal_submission__business__isnull=False, business__isnull=True
    ).update(
        business=Subquery(Submission.objects.filter(item=OuterRef("pk")).values("business")[:1])
    )


def business_to_submission(apps, schema_editor):  # type: ignore[no-untyped-def]
    Submission = apps.get_model("portal", "Submission")
    for submission in Submission.objects.filter(item__business__isnull=False).select_related(
        "item"
    ):
        submission.business_id = submission.item.business_id
        submission.save(update_fields=["business"])


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("intake", "0003_inbounditem_business"),
    ]

    operations = [
        migrations.RunPython(business_to_item, business_to_submission),
        migrations.RemoveField(model_name="submission", name="business"),
    ]
