"""Make the access log append-only in the database itself, not only in the ORM.

SQLite: UPDATE is refused (DELETE stays possible for the test runner's flush and for a documented
retention purge run by the operator). PostgreSQL: UPDATE and row DELETE are refused; TRUNCATE is left to the operator.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

MESSAGE = "The access log is append-only"


def create_trigger(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER core_accessevent_no_update BEFORE UPDATE ON core_accessevent "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION core_accessevent_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql;"
        )
        schema_editor.execute(
            "CREATE TRIGGER core_accessevent_no_change BEFORE UPDATE OR DELETE ON core_accessevent "
            "FOR EACH ROW EXECUTE FUNCTION core_accessevent_append_only();"
        )


def drop_trigger(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_accessevent_no_update;")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_accessevent_no_change ON core_accessevent;")
        schema_editor.execute("DROP FUNCTION IF EXISTS core_accessevent_append_only();")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
