"""The message thread moves to the correspondence app; its rows stay where they are.

The tables are renamed (``portal_message`` -> ``correspondence_message``,
``portal_messageattachment`` -> ``correspondence_messageattachment``) and the
models leave the portal's state; ``correspondence.0001_initial`` takes them
over without touching the database.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_submission_business_to_item"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="message", table="correspondence_message"),
                migrations.AlterModelTable(
                    name="messageattachment", table="correspondence_messageattachment"
                ),
            ],
            state_operations=[
                migrations.DeleteModel(name="MessageAttachment"),
                migrations.DeleteModel(name="Message"),
            ],
        ),
    ]
