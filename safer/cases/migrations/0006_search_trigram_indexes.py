"""Trigram indexes for the case list's text search, on PostgreSQL only.

The search matches a word anywhere in a name, alias, summary or street (``LIKE '%…%'``), which no B-tree index can
serve. pg_trgm's GIN indexes can; they are built on the same expressions Django's lookups write (``name_key`` with
``contains``, ``UPPER(…)`` with ``icontains``). SQLite has no such index and scans: with 100,000 cases that stays
within the page budget there (see bench/cases.py).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

INDEXES = [
    ("person_name_key_trgm", "cases_person", "name_key gin_trgm_ops"),
    ("person_aliases_trgm", "cases_person", "UPPER(aliases) gin_trgm_ops"),
    ("case_summary_trgm", "cases_case", "UPPER(summary) gin_trgm_ops"),
    ("address_line1_trgm", "cases_address", "UPPER(line1::text) gin_trgm_ops"),
]


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression})")


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_agency_removal")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
