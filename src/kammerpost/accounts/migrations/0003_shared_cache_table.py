"""The database cache table (rate limits, used TOTP codes) exists wherever we migrate.

Django's own ``createcachetable`` does the work; it skips tables that exist
and caches that are not database caches (KAMMERPOST_CACHE_URL set).
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_businesses_invitations_activation_codes")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
