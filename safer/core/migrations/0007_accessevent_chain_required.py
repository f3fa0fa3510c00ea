"""The access log's hash chain, step 3 of 3: every event carries its place in its chain and its hashes, one event per
place; and the log and its checks refuse UPDATE, DELETE and (PostgreSQL) TRUNCATE in the database itself.

Before this, SQLite allowed DELETE on the log and PostgreSQL allowed TRUNCATE. The table's owner can still drop or
disable these triggers, which is why the application runs as a role that does not own the tables (README, "Run in
production"), and why the chain makes any such change show (``manage.py verify_access_log``).
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

MESSAGE = "The access log is append-only"
TABLES = ("core_accessevent", "core_accesslogverification")


def create_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            # Altering a field above rebuilt the table on SQLite, which drops its triggers: made again here.
            for suffix, event in (("no_update", "UPDATE"), ("no_delete", "DELETE")):
                schema_editor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_{suffix} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
                )
        elif vendor == "postgresql":
            schema_editor.execute(
                "CREATE OR REPLACE FUNCTION core_accessevent_append_only() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql;"
            )
            if table != "core_accessevent":  # the log's row trigger came with migration 0002
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION core_accessevent_append_only();"
                )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION core_accessevent_append_only();"
            )


def drop_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete;")
            if table != "core_accessevent":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
            if table != "core_accessevent":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table};")


class Migration(migrations.Migration):
    dependencies = [("core", "0006_accessevent_chain_fill")]

    operations = [
        migrations.AlterField(
            model_name="accessevent",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False),
        ),
        migrations.AlterField(
            model_name="accessevent",
            name="prev_hash",
            field=models.CharField(editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="accessevent",
            name="hash",
            field=models.CharField(editable=False, max_length=64),
        ),
        migrations.AddConstraint(
            model_name="accessevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("partnership__isnull", False)),
                fields=("partnership", "seq"),
                name="access_chain_seq",
            ),
        ),
        migrations.AddConstraint(
            model_name="accessevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("partnership__isnull", True)),
                fields=("seq",),
                name="access_chain_seq_no_partnership",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
