"""Fast inserts for imports: COPY on PostgreSQL, a prepared executemany on SQLite.

The ORM's bulk_create builds a model object per row and compiles SQL per batch; for hundreds of thousands of rows a
month that costs more than reading and checking the file. Values are passed as plain tuples in column order.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Sequence
from itertools import chain
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection, models

ROWS_PER_STATEMENT = 100
MAX_SQLITE_PARAMETERS = 32766  # SQLite's limit since 3.32


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
        # SQLite: many rows to a statement cost less than one statement a row (each execution has its own setup).
        self.group = max(1, min(ROWS_PER_STATEMENT, MAX_SQLITE_PARAMETERS // len(self.columns)))
        row_markers = "(" + ", ".join(["?"] * len(self.columns)) + ")"
        self.group_sql = (
            f"INSERT INTO {self.table} ({', '.join(self.columns)}) VALUES "  # noqa: S608
            + ", ".join([row_markers] * self.group)
        )

    def insert(self, rows: Sequence[tuple[Any, ...]] | pa.Table) -> None:
        """Rows as tuples, or as an Arrow table whose columns are the fields in order."""
        if isinstance(rows, pa.Table):
            self._insert_table(rows)
            return
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
                whole = len(rows) - len(rows) % self.group
                if whole:
                    flat = list(chain.from_iterable(rows[:whole]))
                    width = self.group * len(self.columns)
                    sqlite3.Cursor.executemany(
                        cursor.cursor, self.group_sql, (flat[i : i + width] for i in range(0, len(flat), width))
                    )
                if whole < len(rows):
                    sqlite3.Cursor.executemany(cursor.cursor, self.qmark_sql, rows[whole:])

    def _insert_table(self, table: pa.Table) -> None:
        if not table.num_rows:
            return
        if table.num_columns != len(self.columns):
            raise ValueError(f"{table.num_columns} columns given for {len(self.columns)} fields")
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Arrow writes the CSV; PostgreSQL reads an unquoted empty value as NULL and "" as an empty string.
                text = io.BytesIO()
                pacsv.write_csv(
                    table, text, pacsv.WriteOptions(include_header=False, quoting_style="all_valid", delimiter=",")
                )
                with cursor.cursor.copy(self.copy_sql + " WITH (FORMAT csv)") as copy:
                    copy.write(text.getbuffer())
                return
            # SQLite takes Python values: each column is laid into one flat list of parameters, row after row.
            size, width = table.num_rows, len(self.columns)
            flat: list[Any] = [None] * (size * width)
            for number, column in enumerate(table.columns):
                flat[number::width] = column.to_pylist()
            whole = size - size % self.group
            step = self.group * width
            if whole:
                sqlite3.Cursor.executemany(
                    cursor.cursor, self.group_sql, (flat[i : i + step] for i in range(0, whole * width, step))
                )
            if whole < size:
                rest = flat[whole * width :]
                sqlite3.Cursor.executemany(
                    cursor.cursor, self.qmark_sql, (rest[i : i + width] for i in range(0, len(rest), width))
                )
