"""The audit trail is append-only in the database itself (security.md 25).

A trigger refuses every DELETE and every UPDATE on privacy_auditevent, except
one narrowly defined anonymising update, which retention and deletion
requests need (GDPR Art. 17) and which removes a person without changing
what happened: ``actor_label`` may become 'anonymisiert', ``ip_address`` and
``actor_id`` may become NULL (``actor_id`` also when an account is deleted:
Django's SET_NULL), and ``detail`` may lose its ``email`` key. The time, the
action, the item and the document of an event never change.

PostgreSQL: a PL/pgSQL BEFORE trigger. TRUNCATE is not a row operation and
needs the table owner; the application's role should not own the table.

SQLite: BEFORE triggers with RAISE(ABORT). Django's ``flush`` (tests between
transactional cases, an operator wiping a database) deletes rows one table
at a time; ``kammerpost flush`` (privacy/management/commands/flush.py) lets
the trigger pass through the function ``kammerpost_audit_purging()``, which
exists only on the connections of this process while that command runs. Any
other client - the sqlite3 shell, another process - has no such function, so
its DELETE fails.

The literal 'anonymisiert' is ``privacy.models.ANONYMISED_LABEL``.
"""

from django.db import migrations

_FIXED = (
    "NEW.id = OLD.id AND NEW.created_at = OLD.created_at AND NEW.action = OLD.action"
    " AND NEW.item_id IS OLD.item_id AND NEW.document_id IS OLD.document_id"
    " AND (NEW.actor_id IS OLD.actor_id OR NEW.actor_id IS NULL)"
    " AND (NEW.actor_label = OLD.actor_label OR NEW.actor_label = 'anonymisiert')"
    " AND (NEW.ip_address IS OLD.ip_address OR NEW.ip_address IS NULL)"
)

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION privacy_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND {_FIXED.replace(" IS OLD.", " IS NOT DISTINCT FROM OLD.")}
       AND (NEW.detail = OLD.detail OR NEW.detail = OLD.detail - 'email') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'privacy_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER privacy_auditevent_append_only
    BEFORE UPDATE OR DELETE ON privacy_auditevent
    FOR EACH ROW EXECUTE FUNCTION privacy_auditevent_append_only();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS privacy_auditevent_append_only ON privacy_auditevent;
DROP FUNCTION IF EXISTS privacy_auditevent_append_only();
"""

SQLITE_FORWARD = [
    f"""
CREATE TRIGGER privacy_auditevent_no_update
BEFORE UPDATE ON privacy_auditevent
WHEN NOT ({_FIXED}
      AND (json(NEW.detail) = json(OLD.detail)
           OR json(NEW.detail) = json_remove(OLD.detail, '$.email')))
BEGIN
    SELECT RAISE(ABORT, 'privacy_auditevent is append-only: UPDATE refused');
END;
""",
    """
CREATE TRIGGER privacy_auditevent_no_delete
BEFORE DELETE ON privacy_auditevent
WHEN NOT kammerpost_audit_purging()
BEGIN
    SELECT RAISE(ABORT, 'privacy_auditevent is append-only: DELETE refused');
END;
""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS privacy_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS privacy_auditevent_no_delete;",
]


def forward(apps, schema_editor):
    statements = {"postgresql": [POSTGRES_FORWARD], "sqlite": SQLITE_FORWARD}
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    statements = {"postgresql": [POSTGRES_BACKWARD], "sqlite": SQLITE_BACKWARD}
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0005_erasure_deletionrequest")]

    operations = [migrations.RunPython(forward, backward)]
