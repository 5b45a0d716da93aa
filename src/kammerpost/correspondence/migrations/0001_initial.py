"""Message and MessageAttachment, taken over from the portal with their rows.

``portal.0003_message_to_correspondence`` renamed the tables already; this
migration only puts the models into the state of this app.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("intake", "0003_inbounditem_business"),
        ("portal", "0003_message_to_correspondence"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Message",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("text", models.TextField(blank=True)),
                        ("from_staff", models.BooleanField(default=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        (
                            "author",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "item",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="messages",
                                to="intake.inbounditem",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "Nachricht",
                        "verbose_name_plural": "Nachrichten",
                        "ordering": ["created_at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="MessageAttachment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "document",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="message_attachment",
                                to="intake.document",
                            ),
                        ),
                        (
                            "message",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attachments",
                                to="correspondence.message",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "Anhang",
                        "verbose_name_plural": "Anhänge",
                        "ordering": ["document__position"],
                    },
                ),
            ],
        ),
    ]
