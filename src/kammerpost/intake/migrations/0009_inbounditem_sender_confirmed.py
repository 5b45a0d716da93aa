from django.db import migrations, models


def confirm_signed_in_channels(apps, schema_editor):
    """Items sent signed in (portal) or with the cloud area's code were proven all along.

    Earlier e-mail items stay unconfirmed: whether their From was authenticated
    was not recorded, and an unproven one must not reach an account.
    """
    item = apps.get_model("intake", "InboundItem")
    item.objects.filter(channel__in=["portal", "exchange"]).update(sender_confirmed=True)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0008_inbounditem_readers"),
    ]

    operations = [
        migrations.AddField(
            model_name="inbounditem",
            name="sender_confirmed",
            field=models.BooleanField(default=False, db_default=False),
        ),
        migrations.RunPython(confirm_signed_in_channels, migrations.RunPython.noop),
    ]
