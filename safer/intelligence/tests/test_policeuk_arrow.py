"""The column-at-a-time reader (policeuk_arrow.py) against the row reader (policeuk.py): on any file, it either
gives up (and the import falls back to the row reader) or gives exactly the row reader's rows, line numbers,
rejections and facts. Real files, hand-made awkward ones, and hypothesis-damaged ones."""

from __future__ import annotations

import gzip
import re
from collections import Counter
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from safer.geography.models import Lsoa
from safer.intelligence import services
from safer.intelligence.importers import policeuk_arrow
from safer.intelligence.importers.files import DataFile
from safer.intelligence.importers.policeuk import FileFacts, RowProblem, StreetRow, facts_from_name, read_street_file
from safer.intelligence.importers.policeuk_arrow import FastPathUnavailable, read_street_blocks
from safer.intelligence.models import ForceUnlocated, MonthlyCount, Rejection, Source, StreetRecord
from safer.intelligence.tests.helpers import CSP, FULL, HEADER, memory_file, real_month, row

NAME = "2019-12-leicestershire-street.csv"


def area_of(content: bytes) -> dict[str, int]:
    """Every other LSOA code in the file is in the area, so rows both inside and outside it are read."""
    codes = sorted({code.decode() for code in re.findall(rb"[EW]01[0-9]{6}", content)})
    return {code: 1000 + i for i, code in enumerate(codes[1::2])}


def take(item: StreetRow | RowProblem, lsoa_ids: dict[str, int], found: dict[str, Any]) -> None:
    """What the import does with a row the row reader read: reject it, count it outside the area, count it as the
    force's (no location), or keep it."""
    if isinstance(item, RowProblem):
        found["problems"].append(item)
        return
    if not item.lsoa_code:
        found["no_location"] += 1
        found["unlocated"][item.category] += 1
        return
    lsoa_id = lsoa_ids.get(item.lsoa_code)
    if lsoa_id is None:
        found["outside"] += 1
        return
    found["kept"].append(
        (item.line, item.crime_id, item.category, lsoa_id, item.longitude, item.latitude, item.location, item.outcome)
    )


def by_rows(data_file: DataFile, lsoa_ids: dict[str, int]) -> dict[str, Any]:
    facts = facts_from_name(data_file)
    found: dict[str, Any] = {"kept": [], "problems": [], "outside": 0, "no_location": 0, "unlocated": Counter()}
    for item in read_street_file(data_file, facts):
        take(item, lsoa_ids, found)
    return result(facts, found)


def by_blocks(data_file: DataFile, lsoa_ids: dict[str, int]) -> dict[str, Any]:
    facts = facts_from_name(data_file)
    found: dict[str, Any] = {"kept": [], "problems": [], "outside": 0, "no_location": 0, "unlocated": Counter()}
    for block in read_street_blocks(data_file, facts, lsoa_ids):
        found["outside"] += block.outside_area
        found["no_location"] += block.no_location
        found["unlocated"].update(dict(block.unlocated))
        # The block's counts are of the rows it accepted as columns.
        assert sum(n for _lsoa, _category, n in block.counts) == block.table.num_rows
        columns = [column.to_pylist() for column in block.table.columns]
        found["kept"].extend(zip(columns[-1], *columns[:-1], strict=True))  # line first, as by_rows has it
        for item in block.others:
            take(item, lsoa_ids, found)
    return result(facts, found)


def result(facts: FileFacts, found: dict[str, Any]) -> dict[str, Any]:
    return {
        **found,
        "kept": sorted(found["kept"]),
        "problems": sorted(found["problems"], key=lambda p: p.line),
        "month": facts.month,
        "forces": facts.forces_seen,
    }


def same_or_gives_up(content: bytes, name: str = NAME) -> bool:
    """True when the fast reader took the file; asserts it read it exactly as the row reader does."""
    data_file = memory_file(name, content)
    lsoa_ids = area_of(content)
    try:
        fast = by_blocks(data_file, lsoa_ids)
    except FastPathUnavailable:
        return False
    slow = by_rows(data_file, lsoa_ids)
    assert fast == slow
    return True


@pytest.mark.parametrize("path", [*sorted(CSP.glob("*.gz"))[:6], *sorted(FULL.glob("*.gz"))], ids=lambda p: p.name)
def test_real_files_are_read_the_fast_way_exactly_as_row_by_row(path):
    with gzip.open(path, "rb") as fh:
        content = fh.read()
    name = path.name.removesuffix(".gz")
    assert same_or_gives_up(content, name), "a real police.uk file should not need the row reader"
    fast = by_blocks(memory_file(name, content), area_of(content))
    assert len(fast["kept"]) > 100 and fast["outside"] > 100


def test_a_quoted_location_with_a_comma_keeps_its_comma_and_line():
    content = (
        HEADER + row() + row().replace("On or near High Street", '"On or near Asda, Thurmaston"') + row()
    ).encode()
    assert same_or_gives_up(content)
    kept = by_blocks(memory_file(NAME, content), {"E01025980": 1})["kept"]
    assert [(k[0], k[6]) for k in kept] == [
        (2, "On or near High Street"),
        (3, "On or near Asda, Thurmaston"),
        (4, "On or near High Street"),
    ]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param((HEADER + row() + '"a\nb"' + row()[3:] + row()).encode(), id="line break inside quotes"),
        pytest.param((HEADER + row() + "\r\n" + row()).encode(), id="blank line"),
        pytest.param((HEADER + row().replace("\r\n", "\r") + row()).encode(), id="lone carriage return"),
        pytest.param(("\r" + HEADER + row()).encode(), id="carriage return before the header"),
        pytest.param((HEADER + row() + "\r" + row()).encode(), id="carriage return alone on a line"),
        pytest.param((HEADER + row() + row().replace("High", "Hi\x00gh")).encode(), id="NUL byte"),
        pytest.param(HEADER.encode() + row().encode() + row().replace("High", "H\xe9").encode("latin-1"), id="latin-1"),
        pytest.param((HEADER + row() + row()[:40]).encode(), id="cut short"),
        pytest.param((HEADER.replace("Context", "Notes") + row()).encode(), id="renamed column"),
        pytest.param(b"", id="empty"),
    ],
)
def test_what_the_fast_way_cannot_read_exactly_goes_back_to_the_row_reader(content):
    assert not same_or_gives_up(content)


def test_rows_the_row_reader_trims_or_rejects_are_left_to_it_with_the_same_lines():
    rows = [
        row(),
        row(crime_type=" Burglary"),  # trimmed by the row reader, then accepted
        row(crime_id=""),  # a crime without its id: rejected
        row(crime_type="Anti-social behaviour"),  # ASB with an id: rejected
        row(crime_id="", crime_type="Anti-social behaviour"),
        row(lsoa=""),  # no location: kept
        row(lsoa="E0102598"),  # not an LSOA code
        row(lsoa="E01099999"),  # outside the area
        row(lon="1e5"),
        row(lon="-181.0"),
        row(lat=""),
        row(lat=" 52.6"),
        row(month="2019-11"),  # another month: rejected
        row().replace("On or near High Street", " On or near High Street "),
        row().replace("On or near High Street", "x" * 250),  # cut to 200 characters by the row reader
        row().replace("Under investigation", "Under investigation\u00a0"),
    ]
    content = (HEADER + "".join(rows)).encode()
    assert same_or_gives_up(content)
    fast = by_blocks(memory_file(NAME, content), {"E01025980": 7})
    assert [p.line for p in fast["problems"]] == [4, 5, 8, 10, 11, 14]
    assert (fast["outside"], fast["no_location"]) == (1, 1)


def test_a_file_whose_name_has_no_month_learns_it_from_its_first_readable_row():
    content = (HEADER + row(month="2019-1x") + row() + row()).encode()
    assert same_or_gives_up(content, "street.csv")


LINES = real_month("2019-12").splitlines(keepends=True)[:60]
NOISE = st.sampled_from(
    [b"", b" ", b",", b"\n", b"\r\n", b"\r", b'"', b'""', b"\xe9", b"\xc2\xa0", b"-", b"1e5", b"Burglarly", b"E01"]
) | st.binary(max_size=12)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.integers(min_value=1, max_value=60), noise=NOISE, at=st.integers(min_value=0, max_value=12000))
def test_a_damaged_file_is_read_exactly_as_row_by_row_or_left_to_the_row_reader(lines, noise, at):
    sample = b"".join(LINES[:lines])
    at = min(at, len(sample))
    took = same_or_gives_up(sample[:at] + noise + sample[at:])
    event("read the fast way" if took else "left to the row reader")


# Through the import and the database ------------------------------------------------------------------------------


def counts(partnership) -> list[tuple[Any, ...]]:
    return sorted(
        MonthlyCount.objects.filter(partnership=partnership).values_list("month", "lsoa_id", "category", "count")
    )


@pytest.mark.django_db(transaction=True)
def test_a_file_found_irregular_at_its_end_is_imported_again_row_by_row_with_nothing_twice(
    geography, partnership, monkeypatch
):
    monkeypatch.setattr(services, "CHUNK", 50)  # several chunks are written before the blank line is found
    lines = real_month("2019-12").splitlines(keepends=True)
    content = b"".join(lines[:-1]) + b"\r\n" + lines[-1]
    outcome = services.import_street_file(partnership=partnership, data_file=memory_file(NAME, content), actor=None)
    run = outcome.run
    assert not outcome.refused and run.rows_read == len(lines) - 1
    records = StreetRecord.objects.filter(run=run)
    assert records.count() == run.rows_imported == sum(c[-1] for c in counts(partnership))
    assert (
        records.order_by("-line").values_list("line", flat=True)[0] == len(lines) + 1
    )  # the last row is on the line after the blank
    assert not Rejection.objects.filter(run=run).exists()


@pytest.mark.django_db(transaction=True)
def test_counts_kept_while_staging_equal_a_recount_of_the_rows(geography, partnership):
    for path in sorted(CSP.glob("*.gz"))[:3]:
        with gzip.open(path, "rb") as fh:
            content = fh.read()
        name = path.name.removesuffix(".gz")
        services.import_street_file(partnership=partnership, data_file=memory_file(name, content), actor=None)
    tallied = counts(partnership)
    months = sorted({c[0] for c in tallied})
    services.rebuild_monthly_counts(partnership, Source.POLICEUK_STREET, months)
    assert len(months) == 3 and tallied == counts(partnership)


@pytest.mark.django_db(transaction=True)
def test_rows_written_the_fast_way_hold_exactly_the_values_the_row_reader_reads(geography, partnership):
    no_location = row(crime_id="", crime_type="Anti-social behaviour", lsoa="", lon="", lat="")
    content = real_month("2019-12") + no_location.replace("On or near High Street", "").encode()
    lsoa_ids = dict(Lsoa.objects.filter(lad__code__in=partnership.lad_codes).values_list("code", "pk"))
    expected = by_rows(memory_file(NAME, content), lsoa_ids)["kept"]
    run = services.import_street_file(partnership=partnership, data_file=memory_file(NAME, content), actor=None).run
    written = StreetRecord.objects.filter(run=run).values_list(
        "line", "crime_id", "category", "lsoa_id", "longitude", "latitude", "location", "outcome"
    )
    assert len(expected) > 300 and any(e[1] == "" for e in expected)
    assert sorted(written) == expected  # floats to the last digit; "" stays "" (and the row with no location is not
    # the area's: it is counted for the force)
    assert ForceUnlocated.objects.get(month=date(2019, 12, 1), category="anti-social-behaviour").count == 1
    assert set(StreetRecord.objects.filter(run=run).values_list("partnership", "month")) == {
        (partnership.pk, date(2019, 12, 1))
    }  # the file's constants, written once into each statement


def staged_rows(partnership) -> list[tuple[Any, ...]]:
    return sorted(
        StreetRecord.objects.filter(partnership=partnership).values_list(
            "month", "line", "crime_id", "category", "lsoa_id", "longitude", "latitude", "location", "outcome"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_files_read_ahead_while_the_one_before_goes_live_land_as_if_read_on_their_own(
    geography, partnership, monkeypatch
):
    """Inside ``importing()`` the next file's first blocks are read while one goes live. The files land exactly as
    imported one at a time: a month read ahead, one found irregular at its end (then read again row by row, its
    month learnt from its rows), a refused one, and a file of another kind between them."""
    import threading

    monkeypatch.setattr(policeuk_arrow, "BLOCK", 1 << 14)  # each month in several blocks, only some read ahead
    lines = real_month("2020-01").splitlines(keepends=True)
    irregular = b"".join(lines[:-1]) + b"\r\n" + lines[-1]
    files = [
        memory_file("2019-12-leicestershire-street.csv", real_month("2019-12")),
        memory_file("download.csv", irregular),
        memory_file("2020-02-leicestershire-street.csv", HEADER.encode()),
        memory_file("2020-03-leicestershire-street.csv", real_month("2020-03")),
    ]
    for data_file in files:  # one at a time, as before
        services.import_street_file(partnership=partnership, data_file=data_file, actor=None)
    alone = (staged_rows(partnership), counts(partnership))
    StreetRecord.objects.all().delete()
    MonthlyCount.objects.all().delete()

    taken = []
    take = services._take_read_ahead

    def taking(*args: Any) -> Any:
        ahead = take(*args)
        taken.append(ahead is not None)
        return ahead

    monkeypatch.setattr(services, "_take_read_ahead", taking)
    refused = []
    with services.importing():
        for number, data_file in enumerate(files):
            upcoming = files[number + 1] if number + 1 < len(files) else None
            outcome = services.import_street_file(
                partnership=partnership, data_file=data_file, actor=None, next_file=upcoming
            )
            refused.append(bool(outcome.refused))
        services.import_street_file(  # announcing a file that is never imported
            partnership=partnership, data_file=files[0], actor=None, next_file=files[3]
        )
    assert refused == [False, False, True, False]
    assert taken == [False, True, True, True, False]  # each announced file was read ahead, and only those
    assert (staged_rows(partnership), counts(partnership)) == alone
    assert len(alone[0]) > 600 and {row[0] for row in alone[0]} == {
        date(2019, 12, 1),
        date(2020, 1, 1),
        date(2020, 3, 1),
    }
    assert not [t for t in threading.enumerate() if t.name == "import-read-ahead"]  # no reader outlives the session
