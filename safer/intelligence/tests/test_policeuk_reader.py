"""Reading police.uk street files: real files read cleanly; damaged files get messages naming file, line, column."""

from __future__ import annotations

import gzip
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safer.intelligence.importers.files import BadByte, ImportRefused, discover, first_bad_byte
from safer.intelligence.importers.policeuk import (
    COLUMNS,
    RowProblem,
    StreetRow,
    facts_from_name,
    read_street_file,
)
from safer.intelligence.tests.helpers import CSP, FULL, HEADER, memory_file, real_month, row


def read_all(data_file):
    facts = facts_from_name(data_file)
    return facts, list(read_street_file(data_file, facts))


def test_a_real_month_reads_without_a_single_problem():
    files = list(discover([CSP / "2019-12-leicestershire-street.csv.gz"], "-street.csv"))
    facts, items = read_all(files[0])
    assert facts.month.isoformat() == "2019-12-01" and facts.force == "leicestershire"
    assert len(items) == 910  # NWL 589 + Oadby and Wigston 321, per the source's README
    assert all(isinstance(i, StreetRow) for i in items)
    asb = [i for i in items if i.category == "anti-social-behaviour"]
    assert asb and all(i.crime_id == "" and i.outcome == "" for i in asb)


def test_the_full_force_file_keeps_rows_with_no_location():
    _facts, items = read_all(next(discover([FULL / "2019-12-leicestershire-street.csv.gz"], "-street.csv")))
    assert len(items) == 8092
    assert sum(1 for i in items if isinstance(i, StreetRow) and not i.lsoa_code) == 557


def test_a_folder_finds_every_month_in_order():
    names = [f.name for f in discover([CSP], "-street.csv")]
    assert len(names) == 32
    assert names[0].startswith("2019-12") and names[-1].startswith("2022-07")


def test_zip_archive_layout(tmp_path):
    import zipfile

    archive = tmp_path / "2019-12.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("2019-12/2019-12-leicestershire-street.csv", real_month("2019-12"))
        zf.writestr("2019-12/2019-12-leicestershire-outcomes.csv", "ignored")
    files = list(discover([archive], "-street.csv"))
    assert [f.name for f in files] == ["2019-12.zip:2019-12/2019-12-leicestershire-street.csv"]
    assert len(read_all(files[0])[1]) == 910


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"Crime ID,Month,Reported by\r\n", "missing 'Falls within'"),
        (HEADER.replace("Crime type", "Offence").encode(), "unexpected 'Offence'"),
        ((HEADER + row()).encode("utf-16"), "not UTF-8 text"),
        ((HEADER + row() + row()[:40]).encode(), "line 3: the last row has 1 value where 12 are expected"),
        (
            HEADER.encode() + row().encode()[:-2] + b"\xff\xfe\r\n",
            r"line 2, column 'Context': the file is not UTF-8 text \(byte 0xff cannot be read\)",
        ),
    ],
)
def test_damaged_files_are_refused_with_file_and_line(content, expected):
    with pytest.raises(ImportRefused, match=expected) as caught:
        read_all(memory_file("2019-12-leicestershire-street.csv", content))
    assert str(caught.value).startswith("2019-12-leicestershire-street.csv")


@pytest.mark.parametrize(
    ("line", "column", "reason"),
    [
        (row(month="2019-13"), "Month", "is not a month written as YYYY-MM"),
        (row(month="2020-01"), "Month", "differs from the file's month 2019-12"),
        (row(crime_type="Jaywalking"), "Crime type", "is not a police.uk crime category"),
        (row(crime_type="Anti-social behaviour"), "Crime ID", "is set on an anti-social behaviour row"),
        (row(crime_id=""), "Crime ID", "must be the 64-character police.uk identifier"),
        (row(lsoa="E0102"), "LSOA code", "is not an LSOA code"),
        (row(lon="west"), "Longitude", "is not a longitude"),
        (row(lat="95"), "Latitude", "is not a latitude"),
    ],
)
def test_bad_rows_are_rejected_with_line_column_and_reason(line, column, reason):
    content = (HEADER + row() + line + row()).encode()
    _, items = read_all(memory_file("2019-12-leicestershire-street.csv", content))
    problems = [i for i in items if isinstance(i, RowProblem)]
    assert len(items) == 3 and len(problems) == 1
    assert problems[0].line == 3 and problems[0].column == column and reason in problems[0].reason


def test_asb_rows_have_no_crime_id_and_are_accepted():
    content = (HEADER + row(crime_id="", crime_type="Anti-social behaviour")).encode()
    _, items = read_all(memory_file("2019-12-x-street.csv", content))
    assert isinstance(items[0], StreetRow) and items[0].category == "anti-social-behaviour"


def test_byte_order_mark_is_ignored():
    _, items = read_all(memory_file("2019-12-x-street.csv", b"\xef\xbb\xbf" + (HEADER + row()).encode()))
    assert isinstance(items[0], StreetRow)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=0, max_value=4000), noise=st.binary(max_size=40), at=st.integers(0, 4000))
def test_damaged_real_files_never_crash(cut, noise, at):
    """Truncated or corrupted real data: either rows and reasons, or one refusal, never an unexpected error."""
    original = real_month("2020-03")[:4000]
    damaged = original[:at] + noise + original[at:cut]
    try:
        _, items = read_all(memory_file("2020-03-leicestershire-street.csv", damaged))
    except ImportRefused as exc:
        assert str(exc).startswith("2020-03-leicestershire-street.csv")
        return
    for item in items:
        assert isinstance(item, StreetRow | RowProblem)
        if isinstance(item, StreetRow):
            assert item.month.isoformat() == "2020-03-01"


def test_columns_are_the_published_twelve():
    assert len(COLUMNS) == 12 and COLUMNS[0] == "Crime ID" and COLUMNS[-1] == "Context"


def test_a_short_row_in_the_middle_is_rejected_not_the_file():
    content = (HEADER + row() + "a,b,c\r\n" + row()).encode()
    _, items = read_all(memory_file("2019-12-x-street.csv", content))
    problems = [i for i in items if isinstance(i, RowProblem)]
    assert len(items) == 3
    assert len(problems) == 1
    assert problems[0].line == 3
    assert problems[0].reason == "has 3 values where 12 are expected"


def test_spaces_around_values_are_tolerated():
    padded = row().replace(",Burglary,", ", Burglary ,").replace(",E01025980,", ", E01025980 ,")
    _, items = read_all(memory_file("2019-12-x-street.csv", (HEADER + padded).encode()))
    assert isinstance(items[0], StreetRow)
    assert (items[0].category, items[0].lsoa_code) == ("burglary", "E01025980")


def test_a_byte_that_is_not_utf8_deep_in_a_real_month_is_named_by_its_own_line_and_column():
    # A text reader decodes 8 KB and more at a time, so the error comes before the lines ahead of it in the block are
    # read: the line it had reached was up to a block away from the bad byte. The byte itself is found and named.
    lines = gzip.decompress((CSP / "2019-12-leicestershire-street.csv.gz").read_bytes()).split(b"\n")
    assert b"On or near " in lines[499]
    lines[499] = lines[499].replace(b"On or near ", b"On or n\xe9ar ", 1)
    with pytest.raises(ImportRefused) as caught:
        read_all(memory_file("2019-12-leicestershire-street.csv", b"\n".join(lines)))
    assert str(caught.value).startswith(
        "2019-12-leicestershire-street.csv: line 500, column 'Location': the file is not UTF-8 text (byte 0xe9"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xef\xbb\xbfA,B\r\n1,2\r\n", None),  # a byte-order mark is UTF-8
        (b"A,B\n1,2\n", None),
        (b"A,B\n1,caf\xe9\n", BadByte(2, "B", 0xE9)),
        (b'A,B\n"x,\xff",2\n', BadByte(2, "A", 0xFF)),  # a quoted value with a comma
        (b"A,B\n1,2\n3,\xc3", BadByte(3, "", 0xC3)),  # cut off inside a character
        (b"A,\x80B\n1,2\n", BadByte(1, "", 0x80)),  # the header row itself
        (b"A,B\n1," + b"x" * 3_000_000 + b"\xff\n", BadByte(2, "", 0xFF)),  # read in pieces: no column told
        (b"A,B\n1,\xe2\x82\xac2\n", None),  # a euro sign across no boundary
    ],
)
def test_the_first_byte_that_is_not_utf8_is_found_by_line_and_column(content, expected):
    assert first_bad_byte(lambda: io.BytesIO(content)) == expected
