"""PostgreSQL: give the application's run-time role what it needs, and no more, on tables it does not own.

Run as the role that owns the tables (the one that ran ``migrate``), after every ``migrate``; it can be run again.
The run-time role gets ordinary reads and writes on every table, but only SELECT and INSERT on the append-only ones
(the access log and its checks): not owning them, it cannot UPDATE, DELETE, TRUNCATE, drop or disable their triggers.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from safer.core.access_chain import APPEND_ONLY_TABLES


class Command(BaseCommand):
    help = (
        "PostgreSQL only: grant the application's run-time database role SELECT/INSERT/UPDATE/DELETE on the tables "
        "and only SELECT/INSERT on the access log. Run it as the tables' owner after each migrate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="The run-time role (the user in the application's DATABASE_URL)")

    def handle(self, *args: Any, **options: Any) -> None:
        role: str = options["role"]
        if connection.vendor != "postgresql":
            raise CommandError(
                "grant_runtime_role is for PostgreSQL: SQLite has no database roles (protect the file instead)."
            )
        quoted = connection.ops.quote_name(role)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT rolsuper, pg_has_role(%s, current_user, 'MEMBER'), current_user, current_schema(), "
                "current_database() FROM pg_roles WHERE rolname = %s",
                [role, role],
            )
            found = cursor.fetchone()
            if found is None:
                raise CommandError(
                    f"There is no database role {role!r}. Create it first, as the database's owner or a superuser: "
                    f"CREATE ROLE {quoted} LOGIN PASSWORD '...';"
                )
            superuser, owner_member, owner, schema, database = found
            if superuser or owner_member:
                raise CommandError(
                    f"The role {role!r} is a superuser or can act as {owner!r}, which owns the tables: it could "
                    "still change or cut the access log. Use a role that is neither (see the README, "
                    "'Run in production')."
                )
            to = f"TO {quoted}"
            s = connection.ops.quote_name(schema)
            statements = [
                f"GRANT CONNECT ON DATABASE {connection.ops.quote_name(database)} {to}",
                f"GRANT USAGE ON SCHEMA {s} {to}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} {to}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} {to}",
                # Tables later migrations add (run as this owner): the same, until this command runs again.
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES {to}",
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES {to}",
            ]
            for table in APPEND_ONLY_TABLES:
                statements += [
                    f"REVOKE ALL ON TABLE {connection.ops.quote_name(table)} FROM {quoted}",
                    f"GRANT SELECT, INSERT ON TABLE {connection.ops.quote_name(table)} {to}",
                ]
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            f"{role}: reads and writes on every table in {schema}, only SELECT and INSERT on "
            f"{', '.join(APPEND_ONLY_TABLES)}. The tables stay owned by {owner}."
        )
