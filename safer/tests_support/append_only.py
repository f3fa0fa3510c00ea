"""Emptying the append-only tables between transactional tests.

The access log and its checks refuse DELETE and TRUNCATE in the database (core migration 0006), so Django's flush
after each transactional test (and live-server browser test) would fail. Around that flush only, the triggers are set
aside, as only the tables' owner can (the test database's owner here): disabled on PostgreSQL, dropped and made again
from their own stored SQL on SQLite. The service never does this.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections

from safer.core.access_chain import APPEND_ONLY_TABLES


@contextmanager
def append_only_lifted(using: str = "default") -> Iterator[None]:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if connection.in_atomic_block:  # inside a test: its deferred foreign-key checks would block ALTER TABLE
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in APPEND_ONLY_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                for table in APPEND_ONLY_TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    elif connection.vendor == "sqlite":
        markers = ", ".join(["%s"] * len(APPEND_ONLY_TABLES))  # one SQL bind marker per table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({markers})",  # noqa: S608
                list(APPEND_ONLY_TABLES),
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)
    else:
        yield
