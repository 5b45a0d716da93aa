"""The shipped texts as rows, so that administrators find and edit them in the admin."""

from django.db import migrations

from kammerpost.pages.defaults import DEFAULT_PAGES


def seed(apps, schema_editor):
    page = apps.get_model("pages", "PublicPage")
    for slug, text in DEFAULT_PAGES.items():
        page.objects.get_or_create(
            slug=slug,
            defaults={
                "title_de": text.title_de,
                "title_en": text.title_en,
                "body_de": text.body_de,
                "body_en": text.body_en,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
