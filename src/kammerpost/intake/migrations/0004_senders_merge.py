"""One sender per address: merge the duplicates (0005 then lets the database enforce it).

Before this, two mails at once from a new address could make two senders,
and an opt-out recorded on one did not cover the other. Every duplicate is
merged into the oldest sender of its (stripped, lower-cased) address: its
items and every other row pointing to it move over, and the communication
preferences are combined so that an opt-out wins and "electronic since"
keeps its first date.
"""

from collections import defaultdict

from django.db import migrations


def _preference_merge(keeper_pref, other) -> None:  # type: ignore[no-untyped-def]
    """Combine two preferences into ``keeper_pref``: an opt-out wins, the first consent counts."""
    opted = [p.opted_out_at for p in (keeper_pref, other) if p.opted_out_at is not None]
    if opted:
        keeper_pref.opted_out_at = min(opted)
        keeper_pref.electronic = False
    else:
        consents = [p for p in (keeper_pref, other) if p.electronic and p.since is not None]
        if consents:
            first = min(consents, key=lambda p: p.since)
            keeper_pref.electronic, keeper_pref.since, keeper_pref.via = (
                True,
                first.since,
                first.via,
            )
    keeper_pref.save()


def senders_merge(apps, schema_editor):  # type: ignore[no-untyped-def]
    Sender = apps.get_model("intake", "Sender")
    groups = defaultdict(list)
    for sender in Sender.objects.order_by("created_at", "id"):
        groups[sender.email.strip().lower()].append(sender)
    relations = [r for r in Sender._meta.related_objects if not r.many_to_many]
    for address, senders in groups.items():
        keeper, duplicates = senders[0], senders[1:]
        for duplicate in duplicates:
            for relation in relations:
                related = relation.related_model._default_manager
                field = relation.field.name
                if not relation.one_to_one:
                    related.filter(**{field: duplicate}).update(**{field: keeper})
                    continue
                # Only the communication preference is one per sender.
                theirs = related.filter(**{field: duplicate}).first()
                if theirs is None:
                    continue
                ours = related.filter(**{field: keeper}).first()
                if ours is None:
                    related.filter(pk=theirs.pk).update(**{field: keeper})
                else:
                    _preference_merge(ours, theirs)
                    theirs.delete()
            if keeper.user_id is None and duplicate.user_id is not None:
                keeper.user_id = duplicate.user_id
            keeper.display_name = keeper.display_name or duplicate.display_name
            duplicate.delete()
        keeper.email = address
        keeper.save(update_fields=["email", "user", "display_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0003_inbounditem_business"),
        # The communication preferences point to senders and are merged with them.
        ("privacy", "0002_communicationpreference"),
    ]

    operations = [
        migrations.RunPython(senders_merge, migrations.RunPython.noop),
    ]
