"""On PostgreSQL the case list's text search is served by trigram indexes (migration 0006), and just-in-time
compilation is off for the application's connections (it cost a filtered list of 100,000 cases 665 of its 851 ms)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from safer.cases import selectors
from safer.cases.models import Address, Case, Person
from safer.cases.tests.factories import case_with_report, scope

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only; the PostgreSQL leg of CI runs it"),
]


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test database is small enough to scan
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_lookups_the_search_uses_are_served_by_the_trigram_indexes(partnership, council, caseworker_a):
    """The index expressions match the SQL Django writes for each lookup of ``selectors._text_condition``."""
    case_with_report(partnership, council, caseworker_a, reporter="Margaret Hughes", subject="Kyle Brennan")
    assert "case_summary_trgm" in plan(Case.objects.filter(summary__icontains="shouting"))
    assert "person_name_key_trgm" in plan(Person.objects.filter(name_key__contains="hughes"))
    assert "person_aliases_trgm" in plan(Person.objects.filter(aliases__icontains="Maggie"))
    assert "address_line1_trgm" in plan(Address.objects.filter(line1__icontains="Canal Str"))
    # and the case list's text search finds through them
    assert selectors.case_list(scope(partnership, council), text="hughes").count() == 1


def test_jit_is_off():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
