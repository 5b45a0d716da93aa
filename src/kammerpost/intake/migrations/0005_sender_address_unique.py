"""One sender per address, enforced by the database (the duplicates are merged by 0004).

A migration of its own: PostgreSQL creates no index on a table with row
changes still pending in the same transaction.
"""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("intake", "0004_senders_merge")]

    operations = [
        migrations.AddConstraint(
            model_name="sender",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower(
                    django.db.models.functions.text.Trim("email")
                ),
                name="intake_sender_address_unique",
            ),
        ),
    ]
