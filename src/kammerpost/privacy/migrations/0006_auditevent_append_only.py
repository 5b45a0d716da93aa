"""Audit events are append-only, enforced by the database (security.md 25).

No UPDATE may change what an event says (time, who, action, detail, address),
and no row may be deleted. The only change allowed is a reference turning
NULL when the user, item or document it names is deleted (the foreign keys'
SET_NULL): the event stays, the link goes.

PostgreSQL refuses UPDATE and DELETE. SQLite (the embedded single-machine
setup) refuses the UPDATE only: Django empties tables between transactional
tests with DELETE there (PostgreSQL uses TRUNCATE, which the trigger leaves alone).
"""

from django.db import migrations

_CHANGED = " OR ".join(
    [
        "NEW.created_at IS DISTINCT FROM OLD.created_at",
        "NEW.actor_label IS DISTINCT FROM OLD.actor_label",
        "NEW.action IS DISTINCT FROM OLD.action",
        "NEW.detail IS DISTINCT FROM OLD.detail",
        "NEW.ip_address IS DISTINCT FROM OLD.ip_address",
        "(NEW.actor_id IS DISTINCT FROM OLD.actor_id AND NEW.actor_id IS NOT NULL)",
        "(NEW.item_id IS DISTINCT FROM OLD.item_id AND NEW.item_id IS NOT NULL)",
        "(NEW.document_id IS DISTINCT FROM OLD.document_id AND NEW.document_id IS NOT NULL)",
        "NEW.id IS DISTINCT FROM OLD.id",
    ]
)

POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION privacy_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit events are append-only: DELETE refused';
    END IF;
    IF {_CHANGED} THEN
        RAISE EXCEPTION 'audit events are append-only: UPDATE refused';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER privacy_auditevent_append_only
    BEFORE UPDATE OR DELETE ON privacy_auditevent
    FOR EACH ROW EXECUTE FUNCTION privacy_auditevent_append_only();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS privacy_auditevent_append_only ON privacy_auditevent;
DROP FUNCTION IF EXISTS privacy_auditevent_append_only();
"""
SQLITE = f"""
CREATE TRIGGER privacy_auditevent_append_only BEFORE UPDATE ON privacy_auditevent
WHEN {_CHANGED.replace("IS DISTINCT FROM", "IS NOT")}
BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS privacy_auditevent_append_only;"


def _run(schema_editor, sql_by_vendor):
    sql = sql_by_vendor.get(schema_editor.connection.vendor)
    if sql is None:
        raise RuntimeError(f"no append-only trigger for {schema_editor.connection.vendor}")
    schema_editor.execute(sql)


def create(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL, "sqlite": SQLITE})


def drop(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP})


class Migration(migrations.Migration):
    dependencies = [("privacy", "0005_retentionapplied")]

    operations = [migrations.RunPython(create, drop)]
