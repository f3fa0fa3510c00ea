"""The import's fast writer (bulk.py) and its read-ahead thread (ahead.py): what is written is what was given, on
both databases, and a reading thread never outlives its import or swallows an error."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import date

import pyarrow as pa
import pytest
from django.db import connection, transaction

from safer.core.models import Partnership
from safer.intelligence.bulk import BulkInserter, _sql_literal, checkpoints_deferred
from safer.intelligence.importers.ahead import read_ahead
from safer.intelligence.models import ImportRun, MonthlyCount, Source, StreetRecord
from safer.intelligence.services import RECORD_FIELDS

FIELDS = ["crime_id", "category", "lsoa", "longitude", "latitude", "location", "outcome", "line"]


def table(**columns: list[object]) -> pa.Table:
    return pa.table({name: columns[name] for name in columns})


@pytest.mark.django_db(transaction=True)
def test_a_table_with_constants_is_written_value_for_value(geography, partnership):
    run = ImportRun.objects.create(partnership=partnership, source=Source.POLICEUK_STREET)
    lsoa_id = partnership_lsoa(partnership)
    rows = table(
        crime_id=["a" * 64, "", "b" * 64],
        category=["burglary", "anti-social-behaviour", "drugs"],
        lsoa_id=pa.array([lsoa_id, None, lsoa_id], pa.int64()),
        longitude=pa.array([-1.0834561, None, 0.0], pa.float64()),
        latitude=pa.array([52.5902, None, -0.000001], pa.float64()),
        location=["On or near O'Brien's Café, \"The Parade\"", "", "Ωmega\\Road"],
        outcome=["", "Under investigation", "Investigation complete; no suspect identified"],
        line=pa.array([2, 3, 2_000_000_000], pa.int64()),
    )
    with transaction.atomic():
        BulkInserter(StreetRecord, RECORD_FIELDS).insert(
            rows, {"run": run.pk, "partnership": partnership.pk, "month": date(2024, 2, 1)}
        )
    written = list(StreetRecord.objects.order_by("line").values_list("run", "partnership", "month", *FIELDS))
    expected = [
        (run.pk, partnership.pk, date(2024, 2, 1), *values)
        for values in zip(*(rows.column(i).to_pylist() for i in range(rows.num_columns)), strict=True)
    ]
    assert written == expected  # NULL stays NULL, "" stays "", quotes, backslashes and accents as given


@pytest.mark.django_db(transaction=True)
def test_a_text_constant_with_a_quote_is_written_as_given(geography, partnership):
    run = ImportRun.objects.create(partnership=partnership, source=Source.POLICEUK_STREET)
    rows = table(
        crime_id=[""],
        lsoa_id=pa.array([None], pa.int64()),
        longitude=pa.array([None], pa.float64()),
        latitude=pa.array([None], pa.float64()),
        location=["x"],
        outcome=["y"],
        line=pa.array([7], pa.int64()),
    )
    with transaction.atomic():
        BulkInserter(StreetRecord, RECORD_FIELDS).insert(
            rows, {"run": run.pk, "partnership": partnership.pk, "month": "2024-03-01", "category": "it's; --"}
        )
    assert StreetRecord.objects.get().category == "it's; --"


def street_rows(lines: list[int]) -> pa.Table:
    return table(
        crime_id=["c" * 64 for _ in lines],
        category=["drugs" for _ in lines],
        lsoa_id=pa.array([None for _ in lines], pa.int64()),
        longitude=pa.array([-1.5 for _ in lines], pa.float64()),
        latitude=pa.array([None for _ in lines], pa.float64()),
        location=[f'On or near {line}, "Quoted"' for line in lines],
        outcome=["" for _ in lines],
        line=pa.array(lines, pa.int64()),
    )


@pytest.mark.django_db(transaction=True)
def test_rows_streamed_in_parts_are_each_stored_once_as_given(geography, partnership):
    """On PostgreSQL the parts of a transaction go into one COPY (tables in binary, tuples as text, each a COPY of its
    own when the kind changes); on SQLite each part is inserted as it comes. Either way every row, as given."""
    run = ImportRun.objects.create(partnership=partnership, source=Source.POLICEUK_STREET)
    constants = {"run": run.pk, "partnership": partnership.pk, "month": date(2024, 2, 1)}
    as_tuple = (run.pk, partnership.pk, "2024-02-01", "", "burglary", None, None, 52.1, "Back\\slash\ttab", "x", 5)
    with transaction.atomic():
        stream = BulkInserter(StreetRecord, RECORD_FIELDS).stream()
        stream.write(street_rows([2, 3]), constants)
        stream.write(street_rows([4]), constants)
        stream.write([as_tuple])
        stream.write(street_rows([6, 7]), constants)
        stream.close()
        assert StreetRecord.objects.count() == 6  # the connection is free for other statements once it is closed
    written = list(StreetRecord.objects.order_by("line").values_list("line", "category", "location", "latitude"))
    assert written == [
        (2, "drugs", 'On or near 2, "Quoted"', None),
        (3, "drugs", 'On or near 3, "Quoted"', None),
        (4, "drugs", 'On or near 4, "Quoted"', None),
        (5, "burglary", "Back\\slash\ttab", 52.1),
        (6, "drugs", 'On or near 6, "Quoted"', None),
        (7, "drugs", 'On or near 7, "Quoted"', None),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_stream_abandoned_after_an_error_keeps_nothing_and_the_connection_goes_on(geography, partnership):
    run = ImportRun.objects.create(partnership=partnership, source=Source.POLICEUK_STREET)
    constants = {"run": run.pk, "partnership": partnership.pk, "month": date(2024, 2, 1)}

    def stage() -> None:
        with transaction.atomic():
            stream = BulkInserter(StreetRecord, RECORD_FIELDS).stream()
            try:
                stream.write(street_rows([2, 3]), constants)
                raise RuntimeError("the file could not be read")
            except RuntimeError as error:
                stream.close(error)
                raise

    with pytest.raises(RuntimeError, match="the file could not be read"):
        stage()
    assert not StreetRecord.objects.exists()
    assert ImportRun.objects.filter(pk=run.pk).exists()


@pytest.mark.django_db
def test_constants_and_columns_must_cover_the_fields_once(partnership):
    writer = BulkInserter(MonthlyCount, ["partnership", "source", "month", "lsoa", "category", "count"])
    with pytest.raises(ValueError, match="columns and constants"):
        writer.insert(table(category=["drugs"], count=[1]), {"partnership": partnership.pk, "month": "2024-01-01"})
    with pytest.raises(ValueError, match="constants are for Arrow tables"):
        writer.insert([(1, "x", "2024-01-01", None, "drugs", 1)], {"source": "x"})
    with pytest.raises(TypeError):
        _sql_literal(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _sql_literal(True)


def partnership_lsoa(partnership: Partnership) -> int:
    from safer.geography.models import Lsoa

    return Lsoa.objects.filter(lad__code__in=partnership.lad_codes).values_list("pk", flat=True)[0]


@pytest.mark.django_db
def test_street_rows_are_found_by_month_through_a_brin_index_on_postgresql_and_a_btree_elsewhere():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'street_month'")
            assert "USING brin (partnership_id, month)" in cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'street_month'")
            assert '("partnership_id", "month")' in cursor.fetchone()[0]


@pytest.mark.django_db
def test_counts_have_no_index_by_lsoa_and_street_ids_come_a_thousand_at_a_time_on_postgresql():
    table = MonthlyCount._meta.db_table
    with connection.cursor() as cursor:
        indexed = [info["columns"] for info in connection.introspection.get_constraints(cursor, table).values()]
        assert ["lsoa_id"] not in indexed
        assert ["partnership_id", "source", "month"] in indexed
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT seqcache FROM pg_sequence WHERE seqrelid = pg_get_serial_sequence(%s, 'id')::regclass",
                [StreetRecord._meta.db_table],
            )
            assert cursor.fetchone()[0] == 1000


# ---- read_ahead ----------------------------------------------------------------------------------------------------


def test_items_come_in_order_from_another_thread():
    seen: list[str] = []

    def numbers() -> Iterator[int]:
        for n in range(50):
            seen.append(threading.current_thread().name)
            yield n

    assert list(read_ahead(numbers, depth=3)) == list(range(50))
    assert set(seen) == {"import-read-ahead"}


def test_an_error_while_reading_is_raised_where_its_item_would_have_been():
    def failing() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("line 3: bad")

    got: list[int] = []

    def consume() -> None:
        for item in read_ahead(failing):
            got.append(item)

    with pytest.raises(ValueError, match="line 3: bad"):
        consume()
    assert got == [1, 2]


def test_a_caller_that_stops_early_leaves_no_thread_and_closes_the_reader():
    closed = threading.Event()

    def endless() -> Iterator[int]:
        try:
            n = 0
            while True:
                n += 1
                yield n
        finally:
            closed.set()

    before = threading.active_count()
    items = read_ahead(endless, depth=2)

    def write_until_failure() -> None:
        for item in items:
            if item == 5:
                raise RuntimeError("the writer failed")

    with pytest.raises(RuntimeError):
        write_until_failure()
    items.close()
    assert closed.is_set()
    assert threading.active_count() == before


def test_ready_says_whether_taking_the_next_item_would_wait():
    gate = threading.Event()

    def slow() -> Iterator[int]:
        yield 1
        gate.wait(10)
        yield 2

    items = read_ahead(slow, depth=2)
    try:
        assert wait_until(items.ready)
        assert next(items) == 1
        assert not items.ready()  # the reader is held before its second item
        gate.set()
        assert wait_until(items.ready)
        assert next(items) == 2
        assert wait_until(items.ready)  # the end is waiting too
        assert list(items) == []
    finally:
        gate.set()
        items.close()


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
    return True


@pytest.mark.django_db(transaction=True)
def test_sqlite_checkpoints_wait_until_the_imports_are_done():
    """On SQLite a commit that leaves 1,000 pages in the write-ahead log would copy them into the database, waiting for
    the disk twice; while imports write there is none (the nested use of a command's files changes nothing), and the
    connection's own setting comes back after."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write-ahead log")

    def autocheckpoint() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            return int(cursor.fetchone()[0])

    before = autocheckpoint()
    assert before > 0
    with checkpoints_deferred():
        assert autocheckpoint() == 0
        with checkpoints_deferred():
            assert autocheckpoint() == 0
        assert autocheckpoint() == 0
    assert autocheckpoint() == before
