"""Fast inserts for imports: COPY on PostgreSQL, a prepared executemany on SQLite.

The ORM's bulk_create builds a model object per row and compiles SQL per batch; for hundreds of thousands of rows a
month that costs more than reading and checking the file. Values are passed as plain tuples in column order, or as
an Arrow table (what the fast police.uk reader gives): on PostgreSQL that is written in COPY's binary format, built
a column at a time, so the server stores the values as they are instead of parsing text (a third less of its time
for a year of street rows).
"""

from __future__ import annotations

import io
import logging
import sqlite3
import struct
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import connection, models

logger = logging.getLogger(__name__)

# PostgreSQL's binary COPY: a signature, each row as a field count then each field as its length and bytes (length
# -1 for NULL), and a trailer. Fixed-width types by their database type: (numpy big-endian code, bytes).
COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
COPY_TRAILER = struct.pack("!h", -1)
BINARY_FIXED = {"bigint": ("i8", 8), "integer": ("i4", 4), "smallint": ("i2", 2), "double precision": ("f8", 8)}
BINARY_DATE = ("i4", 4)  # days since 2000-01-01
DAYS_1970_TO_2000 = 10957
NULL_FIELD = pa.scalar(b"\xff\xff\xff\xff", pa.binary())
NOTHING = pa.scalar(b"", pa.binary())

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
        self.fields = [meta.get_field(name) for name in fields]
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

    def insert(
        self, rows: Sequence[tuple[Any, ...]] | pa.Table, constants: Mapping[str, int | str | date] | None = None
    ) -> None:
        """Rows as tuples (every field, in order), or as an Arrow table: its columns are the fields not in
        ``constants``, in order, and each field in ``constants`` takes that one value on every row (a file's run and
        month: written once into the statement, not once per row)."""
        stream = self.stream()
        try:
            stream.write(rows, constants)
        except BaseException as error:
            stream.close(error)
            raise
        stream.close()

    def stream(self) -> RowStream:
        """Rows written in several parts (``RowStream.write``), as ``insert`` takes them, until ``close()``."""
        return RowStream(self)

    def check_width(self, columns: int, constants: Mapping[str, int | str | date]) -> None:
        names = [field.name for field in self.fields]
        if set(constants) - set(names) or columns + len(constants) != len(names):
            raise ValueError(f"{columns} columns and constants {sorted(constants)} given for {names}")

    def binary_copy(self) -> bool:
        """PostgreSQL: whether every column can be written in binary COPY by ``binary_table``."""
        return all(_binary_kind(str(field.db_type(connection))) for field in self.fields)

    def binary_table(self, table: pa.Table, constants: Mapping[str, int | str | date]) -> memoryview:
        """The table's rows in binary COPY (without the signature and trailer), the constants on every row."""
        columns = iter(table.columns)
        fields = [
            _binary_field(pa.array([constants[field.name]]), db_type)[0]
            if field.name in constants
            else _binary_field(next(columns).combine_chunks(), db_type)
            for field, db_type in ((field, str(field.db_type(connection))) for field in self.fields)
        ]
        return _joined_rows(fields, table.num_rows)

    def csv_table(self, table: pa.Table, constants: Mapping[str, int | str | date]) -> memoryview:
        """The table's rows as CSV for COPY: Arrow writes it; PostgreSQL reads an unquoted empty value as NULL and ""
        as an empty string."""
        for number, field in enumerate(self.fields):
            if field.name in constants:
                table = table.add_column(number, field.name, pa.repeat(constants[field.name], table.num_rows))
        text = io.BytesIO()
        pacsv.write_csv(table, text, pacsv.WriteOptions(include_header=False, quoting_style="all_valid", delimiter=","))
        return text.getbuffer()

    def sqlite_rows(self, cursor: sqlite3.Cursor, rows: Sequence[tuple[Any, ...]]) -> None:
        # Straight to sqlite3: Django's wrapper re-reads the parameters to convert the parameter markers.
        whole = len(rows) - len(rows) % self.group
        if whole:
            flat = list(chain.from_iterable(rows[:whole]))
            width = self.group * len(self.columns)
            sqlite3.Cursor.executemany(
                cursor, self.group_sql, (flat[i : i + width] for i in range(0, len(flat), width))
            )
        if whole < len(rows):
            sqlite3.Cursor.executemany(cursor, self.qmark_sql, rows[whole:])

    def sqlite_table(
        self, cursor: sqlite3.Cursor, table: pa.Table | FlatRows, constants: Mapping[str, int | str | date]
    ) -> None:
        """SQLite takes Python values: each column is laid into one flat list of parameters, row after row (see
        FlatRows); the constants are literals in the statement."""
        names = [field.name for field in self.fields]
        markers = [_sql_literal(constants[name]) if name in constants else "?" for name in names]
        row_sql = "(" + ", ".join(markers) + ")"
        rows = table if isinstance(table, FlatRows) else flat_rows(table)
        flat, width, size = rows.values, rows.width, rows.num_rows
        group = max(1, min(ROWS_PER_STATEMENT, MAX_SQLITE_PARAMETERS // max(1, width)))
        whole = size - size % group
        step = group * width
        start = f"INSERT INTO {self.table} ({', '.join(self.columns)}) VALUES "  # noqa: S608
        if whole:
            statement = start + ", ".join([row_sql] * group)
            sqlite3.Cursor.executemany(cursor, statement, (flat[i : i + step] for i in range(0, whole * width, step)))
        if whole < size:
            rest = flat[whole * width :]
            sqlite3.Cursor.executemany(
                cursor, start + row_sql, (rest[i : i + width] for i in range(0, len(rest), width))
            )


@dataclass(frozen=True)
class FlatRows:
    """Rows as SQLite takes them: each row's values one after another in one list of Python values. Made from an Arrow
    table by :func:`flat_rows` in the import's read-ahead thread, so the writing thread spends its time in SQLite."""

    values: list[Any]
    width: int

    @property
    def num_rows(self) -> int:
        return len(self.values) // self.width

    def __len__(self) -> int:
        return self.num_rows

    def slice(self, start: int, count: int) -> FlatRows:
        return FlatRows(self.values[start * self.width : (start + count) * self.width], self.width)

    @staticmethod
    def joined(parts: Sequence[FlatRows]) -> FlatRows:
        if len(parts) == 1:
            return parts[0]
        values: list[Any] = []
        for part in parts:
            values += part.values
        return FlatRows(values, parts[0].width)


def flat_rows(table: pa.Table) -> FlatRows:
    size, width = table.num_rows, table.num_columns
    values: list[Any] = [None] * (size * width)
    for number, column in enumerate(table.columns):
        values[number::width] = column.to_pylist()
    return FlatRows(values, width)


class RowStream:
    """Rows written in several parts. On PostgreSQL they go into one COPY, kept open until ``close()``: the server
    stores each part while the next is made ready, where a COPY per part waited for the server to store each (a
    year of street rows in 1.0 s of the server's time, all of it time the importing thread stood still). Nothing
    else may be sent on the connection until it is closed. On SQLite each part is inserted as it comes."""

    def __init__(self, inserter: BulkInserter) -> None:
        self.inserter = inserter
        self._cursor: Any = None  # Django's cursor, while a COPY is open
        self._manager: Any = None  # psycopg's cursor.copy(), entered
        self._copy: Any = None  # the Copy it gave
        self._format = ""

    def write(
        self,
        rows: Sequence[tuple[Any, ...]] | pa.Table | FlatRows,
        constants: Mapping[str, int | str | date] | None = None,
    ) -> None:
        inserter = self.inserter
        if isinstance(rows, FlatRows):
            if connection.vendor == "postgresql":
                raise TypeError("FlatRows are for SQLite")
            constants = dict(constants or {})
            inserter.check_width(rows.width, constants)
            if rows.num_rows:
                with connection.cursor() as cursor:
                    inserter.sqlite_table(cursor.cursor, rows, constants)
            return
        if isinstance(rows, pa.Table):
            constants = dict(constants or {})
            inserter.check_width(rows.num_columns, constants)
            if not rows.num_rows:
                return
            if connection.vendor != "postgresql":
                with connection.cursor() as cursor:
                    inserter.sqlite_table(cursor.cursor, rows, constants)
            elif inserter.binary_copy():
                self._open("binary").write(inserter.binary_table(rows, constants))
            else:
                self._open("csv").write(inserter.csv_table(rows, constants))
            return
        if constants:
            raise ValueError("constants are for Arrow tables")
        if not rows:
            return
        if connection.vendor != "postgresql":
            with connection.cursor() as cursor:
                inserter.sqlite_rows(cursor.cursor, rows)
            return
        copy = self._open("text")
        for row in rows:
            copy.write_row(row)

    def _open(self, kind: str) -> Any:
        if self._copy is not None and self._format == kind:
            return self._copy
        self.close()
        options = {"binary": " WITH (FORMAT binary)", "csv": " WITH (FORMAT csv)", "text": ""}[kind]
        self._cursor = connection.cursor()
        self._manager = self._cursor.cursor.copy(self.inserter.copy_sql + options)
        self._copy = self._manager.__enter__()
        self._format = kind
        if kind == "binary":
            self._copy.write(COPY_SIGNATURE)
        return self._copy

    @property
    def open(self) -> bool:
        return self._copy is not None

    def close(self, error: BaseException | None = None) -> None:
        """End the COPY, once the server has stored every row; or abandon it, after ``error``."""
        copy, manager, cursor = self._copy, self._manager, self._cursor
        self._copy = self._manager = self._cursor = None
        if copy is None:
            return
        try:
            if error is None and self._format == "binary":
                copy.write(COPY_TRAILER)
            manager.__exit__(type(error) if error else None, error, error.__traceback__ if error else None)
        finally:
            cursor.close()


def _sql_literal(value: int | str | date) -> str:
    """A constant written into an INSERT: a whole number, or a date or text in quotes (quotes inside doubled)."""
    if isinstance(value, bool) or not isinstance(value, int | str | date):
        raise TypeError(f"not a constant for an insert: {value!r}")
    if isinstance(value, int):
        return str(int(value))
    text = value.isoformat() if isinstance(value, date) else value
    return "'" + text.replace("'", "''") + "'"


def _binary_kind(db_type: str) -> str:
    """How a column of this database type is written in binary COPY: "fixed", "date", "text", or "" (not here)."""
    if db_type in BINARY_FIXED:
        return "fixed"
    if db_type == "date":
        return "date"
    if db_type == "text" or (db_type.startswith("varchar(") and db_type.endswith(")")):
        return "text"
    return ""


def binary_rows(table: pa.Table, db_types: Sequence[str]) -> memoryview:
    """The table's rows in PostgreSQL's binary COPY format (without signature and trailer), built a column at a time:
    each column becomes one byte string per row (length and value), and the row's strings are joined."""
    fields = [
        _binary_field(column.combine_chunks(), db_type) for column, db_type in zip(table.columns, db_types, strict=True)
    ]
    return _joined_rows(fields, table.num_rows)


def _joined_rows(fields: Sequence[pa.Array | pa.Scalar], size: int) -> memoryview:
    """Each row's encoded fields (an array, or one value for every row) after the row's field count, as one buffer."""
    count = pa.scalar(struct.pack("!h", len(fields)), pa.binary())
    rows = pc.binary_join_element_wise(count, *fields, NOTHING)
    if not isinstance(rows, pa.Array) or len(rows) != size:
        raise ValueError("at least one field must vary from row to row")
    _validity, offsets, data = rows.buffers()
    first, last = np.frombuffer(offsets, dtype=np.int32)[[rows.offset, rows.offset + len(rows)]]
    return memoryview(data)[first:last]


def _binary_field(values: pa.Array, db_type: str) -> pa.Array:
    size = len(values)
    if _binary_kind(db_type) == "text":
        data = pc.fill_null(values.cast(pa.string()).cast(pa.binary()), NOTHING)
        lengths = pc.binary_length(data).to_numpy().astype(">i4")
        encoded = pc.binary_join_element_wise(_fixed_width(lengths.tobytes(), 4, size), data, NOTHING)
    else:
        if db_type == "date":
            code, width = BINARY_DATE
            dates = values.cast(pa.date32()) if pa.types.is_string(values.type) else values
            numbers = pc.subtract(dates.cast(pa.int32()), DAYS_1970_TO_2000)
        else:
            code, width = BINARY_FIXED[db_type]
            numbers = values.cast(pa.float64() if code.startswith("f") else pa.int64())
        packed = np.empty(size, dtype=[("length", ">i4"), ("value", ">" + code)])
        packed["length"] = width
        packed["value"] = pc.fill_null(numbers, 0).to_numpy(zero_copy_only=False)
        encoded = _fixed_width(packed.tobytes(), 4 + width, size)
    if values.null_count:
        encoded = pc.if_else(values.is_null(), NULL_FIELD, encoded)
    return encoded


def _fixed_width(data: bytes, width: int, size: int) -> pa.Array:
    """Bytes cut into ``size`` values of ``width`` bytes each, as a binary array."""
    return pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), size, [None, pa.py_buffer(data)]).cast(pa.binary())


# SQLite's checkpoints ------------------------------------------------------------------------------------------------


class _Checkpointer(threading.Thread):
    """Checkpoints in a thread of their own (on a connection of their own), each when asked: the log's pages are copied
    into the database while the import goes on with the next file, instead of between its files."""

    def __init__(self, path: str) -> None:
        super().__init__(name="import-checkpoints", daemon=True)
        self.path = path
        self.asked = threading.Event()
        self.stopping = False

    def run(self) -> None:
        try:
            db = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        except sqlite3.Error:
            return
        try:
            while True:
                self.asked.wait()
                self.asked.clear()
                if self.stopping:
                    return
                try:
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:  # the database busy or gone: the checkpoint at the end does it
                    logger.debug("A background checkpoint failed", exc_info=True)
        finally:
            db.close()

    def stop(self) -> None:
        self.stopping = True
        self.asked.set()
        self.join()


@dataclass
class _Deferred:
    checkpointer: _Checkpointer | None


_deferred: ContextVar[_Deferred | None] = ContextVar("checkpoints_deferred", default=None)


def _database_file() -> str | None:
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    return name


@contextmanager
def checkpoints_deferred() -> Iterator[None]:
    """SQLite in WAL mode: no checkpoint on this connection while imports write; one in another thread after each
    file (:func:`rows_written`) and one when they are done.

    By default a commit that leaves more than 1,000 pages (4 MB) in the write-ahead log copies them into the database
    there and then, and a checkpoint waits for the disk twice (fdatasync of the log, then of the database): a year of
    a large force's rows (300,000, 80 MB) took 24 of them, and their cost was whatever the machine's disk takes to
    flush (ADR 0002, Speed). Here the import never waits for one but the last. Each commit is still all or nothing
    and survives a killed process (the log is replayed); as before (synchronous=NORMAL), a power cut may lose the
    last commits since the last checkpoint, never half of one. Nested uses do nothing more; on PostgreSQL nothing at
    all. Use outside any transaction."""
    if connection.vendor != "sqlite" or _deferred.get() is not None:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        (previous,) = cursor.fetchone()
        cursor.execute("PRAGMA wal_autocheckpoint = 0")
    path = _database_file()
    checkpointer = _Checkpointer(path) if path is not None else None
    if checkpointer is not None:
        checkpointer.start()
    token = _deferred.set(_Deferred(checkpointer))
    try:
        yield
    finally:
        _deferred.reset(token)
        if checkpointer is not None:
            checkpointer.stop()
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(previous)}")
        checkpoint()


def rows_written(rows: int) -> None:
    """After a file is live (or discarded): its pages in the log are copied into the database in the background."""
    deferred = _deferred.get()
    if deferred is not None and deferred.checkpointer is not None and rows:
        deferred.checkpointer.asked.set()


def checkpoint() -> None:
    """SQLite: copy the write-ahead log into the database now, as far as readers allow (never waiting for them)."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
