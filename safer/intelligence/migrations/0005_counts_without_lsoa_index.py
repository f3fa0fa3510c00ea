"""Leaner imports again: monthly counts without an index by LSOA (3 of the 15 ms a month's counts took to write on
PostgreSQL), and street row ids handed out a thousand at a time on PostgreSQL (the sequence was locked and updated
for every one of a year's 300,000 rows; ids from a connection's unused thousand are skipped, never reused)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def street_ids_by_thousands(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    set_cache(apps, schema_editor, 1000)


def street_ids_one_by_one(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    set_cache(apps, schema_editor, 1)


def set_cache(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor, cache: int) -> None:
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(apps.get_model("intelligence", "StreetRecord")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET CACHE {cache}")


class Migration(migrations.Migration):
    dependencies = [
        ("geography", "0002_lsoa_successor"),
        ("intelligence", "0004_import_without_count_constraints"),
    ]

    operations = [
        migrations.AlterField(
            model_name="monthlycount",
            name="lsoa",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="geography.lsoa",
            ),
        ),
        migrations.RunPython(street_ids_by_thousands, street_ids_one_by_one),
    ]
