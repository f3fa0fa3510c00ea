"""Fast inserts for imports: COPY on PostgreSQL, a prepared executemany on SQLite.

The ORM's bulk_create builds a model object per row and compiles SQL per batch; for hundreds of thousands of rows a
month that costs more than reading and checking the file. Values are passed as plain tuples in column order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from django.db import connection, models


class BulkInserter:
    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        meta = model._meta
        self.table = connection.ops.quote_name(meta.db_table)
        columns = [getattr(meta.get_field(name), "column", None) for name in fields]
        if not all(isinstance(c, str) for c in columns):
            raise ValueError(f"Not all of {fields} are concrete columns of {meta.label}")
        self.columns = [connection.ops.quote_name(str(c)) for c in columns]
        markers = ", ".join(["%s"] * len(self.columns))
        self.insert_sql = f"INSERT INTO {self.table} ({', '.join(self.columns)}) VALUES ({markers})"  # noqa: S608
        self.copy_sql = f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN"
        self.qmark_sql = self.insert_sql.replace("%s", "?")

    def insert(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                # Straight to sqlite3: Django's wrapper re-reads the parameters to convert the parameter markers.
                sqlite3.Cursor.executemany(cursor.cursor, self.qmark_sql, rows)
