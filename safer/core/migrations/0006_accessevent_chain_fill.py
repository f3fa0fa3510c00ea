"""The access log's hash chain, step 2 of 3: chain the events already written, per partnership, in the order they
were stored. The append-only trigger is set aside for this migration's own transaction only (the migration runs as
the tables' owner; the application's run-time role cannot do this)."""

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from safer.core.access_chain import CHAINED_FIELDS, GENESIS, event_hash

SQLITE_NO_UPDATE = (
    "CREATE TRIGGER IF NOT EXISTS core_accessevent_no_update BEFORE UPDATE ON core_accessevent "
    "BEGIN SELECT RAISE(ABORT, 'The access log is append-only'); END;"
)


def fill_chains(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    event_model = apps.get_model("core", "AccessEvent")
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_accessevent_no_update;")
    elif vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_accessevent DISABLE TRIGGER core_accessevent_no_change;")
    events = event_model._default_manager
    chains = events.order_by().values_list("partnership_id", flat=True).distinct()
    fields = [name for name in CHAINED_FIELDS if name not in {"seq", "prev_hash"}]
    with schema_editor.connection.cursor() as cursor:
        for partnership_id in list(chains):
            rows = events.filter(partnership_id=partnership_id) if partnership_id else events.filter(partnership=None)
            prev_hash, batch = GENESIS, []
            for seq, row in enumerate(rows.order_by("id").values("id", *fields).iterator(chunk_size=5000), start=1):
                values: dict[str, Any] = {**row, "seq": seq, "prev_hash": prev_hash}
                prev_hash = event_hash(values)
                batch.append((seq, values["prev_hash"], prev_hash, row["id"]))
                if len(batch) >= 5000:
                    _write(cursor, batch)
                    batch = []
            _write(cursor, batch)
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_NO_UPDATE)
    elif vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_accessevent ENABLE TRIGGER core_accessevent_no_change;")


def _write(cursor: Any, batch: list[tuple[int, str, str, int]]) -> None:
    if batch:
        cursor.executemany("UPDATE core_accessevent SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s", batch)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_accessevent_chain_fields")]

    operations = [migrations.RunPython(fill_chains, migrations.RunPython.noop)]
