"""The chamber's default retention periods; administrators change them in the admin."""

from django.db import migrations

DEFAULTS = [
    {
        "procedure": "",
        "channel": "",
        "months": 36,
        "label_de": "Alle übrigen Eingänge mit Dokumenten und Nachrichten",
        "label_en": "All other items with their documents and messages",
        "basis_de": "regelmäßige Verjährungsfrist (§ 195 BGB)",
        "basis_en": "regular limitation period (section 195 German Civil Code)",
    },
    {
        "procedure": "",
        "channel": "contact",
        "months": 6,
        "label_de": "Anfragen über das Kontaktformular",
        "label_en": "Requests sent with the contact form",
        "basis_de": "Zeit für Rückfragen; danach ist der Zweck erfüllt",
        "basis_en": "time for follow-up questions; the purpose is then fulfilled",
    },
    {
        "procedure": "pruefung-anmeldung",
        "channel": "",
        "months": 120,
        "label_de": "Anmeldungen zur Gesellen- oder Meisterprüfung",
        "label_en": "Registrations for a journeyman or master examination",
        "basis_de": "Prüfungsordnung der Kammer (Prüfungsunterlagen)",
        "basis_en": "the chamber's examination regulations (examination records)",
    },
]


def seed(apps, schema_editor):
    rule = apps.get_model("privacy", "RetentionRule")
    for values in DEFAULTS:
        rule.objects.get_or_create(
            department=None,
            procedure=values["procedure"],
            channel=values["channel"],
            defaults={k: v for k, v in values.items() if k not in {"procedure", "channel"}},
        )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_optoutlink_retentionrule")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
