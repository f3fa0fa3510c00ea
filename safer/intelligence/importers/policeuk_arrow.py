"""The fast way through a police.uk street file: Arrow's CSV reader and column-at-a-time checks.

``read_street_file`` (policeuk.py) reads and checks a row at a time in Python, at about 4 µs a row; most of an
import's time. This reads the same file in blocks of columns and checks each column at once (Arrow's compute
kernels), so only the rows that fail a check go through ``_parse_row`` one by one, to be rejected with the same
reasons (or accepted after the trimming it does). Rows it accepts are exactly the rows ``_parse_row`` would accept
unchanged, with the same values and the same line numbers.

It gives up (``FastPathUnavailable``) on anything the row reader handles better, and the caller then imports the
file the row-at-a-time way, so every message about a damaged file stays the row reader's:

- a header that is not exactly police.uk's, bytes that are not UTF-8, a row with the wrong number of values, an
  empty file (Arrow stops with an error);
- a NUL byte or a lone carriage return (checked in the bytes as they are read, before any row of their block is
  used);
- a row that does not take exactly one line (a line break inside quotes, blank lines, lone carriage returns): found
  by counting the file's line breaks against the rows read, at the end; then the caller discards what was staged;
- a quoted line that Python's csv module would split differently (each line holding a quote is read again by
  the csv module and compared; police.uk quotes only locations with a comma, a few lines a month).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from safer.intelligence.categories import ASB, SLUG_FOR_LABEL
from safer.intelligence.importers.files import DataFile
from safer.intelligence.importers.policeuk import COLUMNS, FileFacts, RowProblem, StreetRow, _parse_row

BLOCK = 1 << 19  # bytes read at a time: about 2,000 rows (memory grows with it, not with the file)
LABELS = pa.array(list(SLUG_FOR_LABEL), pa.string())
SLUGS = pa.array(list(SLUG_FOR_LABEL.values()), pa.string())
CATEGORY_SPAN = 64  # more than the number of police.uk categories
assert len(SLUGS) < CATEGORY_SPAN
ASB_LABEL = next(label for label, slug in SLUG_FOR_LABEL.items() if slug == ASB)
CRIME_ID = "^[0-9a-f]{64}$"
LSOA_CODE = "^[EW]01[0-9]{6}$"
DECIMAL = r"^-?[0-9]{1,3}(\.[0-9]+)?$"
# Every character Python's str.strip() removes (str.isspace()); a value starting or ending with one is left to the
# row reader, which trims it. RE2 syntax.
SPACE = r"[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
EDGE_SPACE = f"^{SPACE}|{SPACE}$"


class FastPathUnavailable(Exception):  # noqa: N818 - a signal to the caller, not an error
    """This file must be read row by row; nothing the fast path yielded may be kept."""


class _Watched(io.RawIOBase):
    """The file's bytes on their way to Arrow: NUL bytes seen, line breaks counted, quoted lines kept aside."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.irregular = False
        self.newlines = 0
        self.last_byte = b""
        self.partial = b""  # the bytes after the last line break read so far
        self.quoted: dict[int, bytes] = {}  # line number -> the line, for lines holding a quote

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        if not size:
            self.finish()
            return 0
        if b"\x00" in data:
            self.irregular = True
        self.last_byte = data[-1:]
        end = data.rfind(b"\n")
        if end < 0:
            self.partial += data
            return size
        lines = self.partial + data[: end + 1]
        self.partial = data[end + 1 :]
        # As bytes in numpy, a fifth of the time of bytes.count (the block is counted once, not three times).
        octets = np.frombuffer(lines, np.uint8)
        returns = np.flatnonzero(octets == 13)
        if len(returns) and bool((octets[returns + 1] != 10).any()):  # ``lines`` ends with a line break
            self.irregular = True  # a lone carriage return: Arrow and the csv module number such lines differently
        if b'"' in lines:
            self._keep_quoted(lines)
        self.newlines += int(np.count_nonzero(octets == 10))
        return size

    def _keep_quoted(self, lines: bytes) -> None:
        line_number, counted = self.newlines + 1, 0  # the line at ``counted`` in ``lines``
        position = lines.find(b'"')
        while position >= 0:
            start = lines.rfind(b"\n", 0, position) + 1
            stop = lines.find(b"\n", position)
            line_number += lines.count(b"\n", counted, start)
            counted = start
            self.quoted[line_number] = lines[start:stop]
            position = lines.find(b'"', stop)

    def finish(self) -> None:
        """At the end of the file: a last line without a line break is kept aside too if it holds a quote."""
        if self.partial and b'"' in self.partial:
            self.quoted[self.newlines + 1] = self.partial
        if b"\r" in self.partial:
            self.irregular = True

    @property
    def lines(self) -> int:
        return self.newlines + (1 if self.last_byte not in (b"", b"\n") else 0)

    def close(self) -> None:
        self.raw.close()
        super().close()


@dataclass
class Block:
    """One block of a file: the rows accepted as they are (columns), and the others through ``_parse_row``."""

    # Accepted rows in the area: crime_id, category (slug), lsoa_id, longitude, latitude, location, outcome, line.
    table: pa.Table
    counts: list[tuple[int | None, str, int]]  # accepted rows in the area counted by (LSOA id, category)
    outside_area: int  # accepted rows whose LSOA is not the partnership's (not in the columns above)
    no_location: int  # accepted rows with no LSOA: the force's, not the area's (not in the columns either)
    unlocated: list[tuple[str, int]]  # those rows counted by category (slug)
    others: list[StreetRow | RowProblem]  # rows that needed the row reader, in file order
    read: int


def read_street_blocks(data_file: DataFile, facts: FileFacts, lsoa_ids: dict[str, int]) -> Iterator[Block]:
    """Each block of the file as columns of accepted rows plus the others; raises FastPathUnavailable."""
    codes = pa.array(list(lsoa_ids), pa.string())
    ids = pa.array(list(lsoa_ids.values()), pa.int64())
    watched = _Watched(data_file.open_bytes())
    try:
        try:
            reader = pacsv.open_csv(
                watched,
                read_options=pacsv.ReadOptions(block_size=BLOCK, use_threads=False),
                convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(COLUMNS, pa.string())),
            )
        except pa.ArrowException as exc:
            raise FastPathUnavailable(str(exc)) from exc
        try:
            names = reader.schema.names
        except UnicodeDecodeError as exc:  # a header that is not UTF-8
            raise FastPathUnavailable("header") from exc
        if names != COLUMNS:
            raise FastPathUnavailable("header")
        first_line = 2
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowException as exc:
                raise FastPathUnavailable(str(exc)) from exc
            if watched.irregular:
                raise FastPathUnavailable("NUL byte")
            yield _block(batch, first_line, facts, codes, ids, watched.quoted)
            first_line += batch.num_rows
        if watched.irregular or first_line - 1 != watched.lines:
            # Some row took more or less than one line, so line numbers (and maybe values) would be wrong.
            raise FastPathUnavailable("rows and lines differ")
    finally:
        watched.close()


def _block(
    batch: pa.RecordBatch, first_line: int, facts: FileFacts, codes: pa.Array, ids: pa.Array, quoted: dict[int, bytes]
) -> Block:
    size = batch.num_rows
    columns = [batch.column(i) for i in range(len(COLUMNS))]
    crime_id, month, reported_by, _falls, lon, lat, location, lsoa, _name, crime_type, outcome, _context = columns
    last_line = first_line + size - 1
    for line in [n for n in quoted if first_line <= n <= last_line]:
        _same_as_csv_module(batch, line - first_line, quoted.pop(line))
    if not facts.month_text and size:
        # The file's month is learnt from its first readable row, as the row reader does.
        _parse_row(first_line, [str(c[0].as_py()) for c in columns], facts)
    category_index = pc.index_in(crime_type, value_set=LABELS)
    is_asb = pc.equal(crime_type, ASB_LABEL)
    good = pc.and_(
        pc.is_valid(category_index),
        pc.equal(month, facts.month_text) if facts.month_text and facts.month else pa.nulls(size, pa.bool_()),
    )
    good = pc.and_(good, pc.if_else(is_asb, pc.equal(crime_id, ""), pc.match_substring_regex(crime_id, CRIME_ID)))
    no_lsoa = pc.equal(lsoa, "")
    good = pc.and_(good, pc.or_(no_lsoa, pc.match_substring_regex(lsoa, LSOA_CODE)))
    for coordinate, limit in ((lon, 180.0), (lat, 90.0)):
        decimal = pc.match_substring_regex(coordinate, DECIMAL)
        numbers = pc.cast(pc.if_else(decimal, coordinate, "0"), pa.float64())
        in_range = pc.and_(decimal, pc.less_equal(pc.abs(numbers), limit))
        good = pc.and_(good, pc.or_(pc.equal(coordinate, ""), in_range))
    for text, longest in ((location, 200), (outcome, 120)):
        plain = pc.and_(
            pc.invert(pc.match_substring_regex(text, EDGE_SPACE)), pc.less_equal(pc.utf8_length(text), longest)
        )
        good = pc.and_(good, plain)
    good = pc.fill_null(good, False)

    for force in pc.unique(pc.filter(reported_by, good)).to_pylist():
        if force:
            facts.forces_seen.add(force)
    lsoa_id = pc.take(ids, pc.index_in(lsoa, value_set=codes))
    outside = pc.and_(good, pc.and_(pc.invert(no_lsoa), pc.is_null(lsoa_id)))
    nowhere = pc.and_(good, no_lsoa)
    kept = pc.and_(good, pc.is_valid(lsoa_id))
    lines = pa.array(np.arange(first_line, first_line + size, dtype=np.int64))

    def coordinates(values: pa.Array) -> pa.Array:
        kept_values = pc.filter(values, kept)
        return pc.cast(pc.if_else(pc.equal(kept_values, ""), None, kept_values), pa.float64())

    kept_ids, kept_slugs = pc.filter(lsoa_id, kept), pc.filter(pc.take(SLUGS, category_index), kept)
    # Counted by one number per (LSOA, category): value_counts is one kernel where a group-by is a query plan.
    keys = pc.add(
        pc.multiply(pc.fill_null(kept_ids, -1), CATEGORY_SPAN), pc.filter(category_index, kept).cast(pa.int64())
    )
    tallied = pc.value_counts(keys)
    slugs = SLUGS.to_pylist()
    counts = [
        (None if key // CATEGORY_SPAN == -1 else key // CATEGORY_SPAN, slugs[key % CATEGORY_SPAN], count)
        for key, count in zip(tallied.field("values").to_pylist(), tallied.field("counts").to_pylist(), strict=True)
    ]
    others: list[StreetRow | RowProblem] = []
    bad = pc.indices_nonzero(pc.invert(good))
    if len(bad):
        # Only these rows become Python values (a whole block of them would cost more memory than the file).
        values = [c.to_pylist() for c in batch.take(bad).columns]
        for number, index in enumerate(bad.to_pylist()):
            others.append(_parse_row(first_line + index, [str(column[number]) for column in values], facts))
    table = pa.table(
        [
            pc.filter(crime_id, kept),
            kept_slugs,
            kept_ids,
            coordinates(lon),
            coordinates(lat),
            pc.filter(location, kept),
            pc.filter(outcome, kept),
            pc.filter(lines, kept),
        ],
        names=["crime_id", "category", "lsoa_id", "longitude", "latitude", "location", "outcome", "line"],
    )
    return Block(
        table=table,
        counts=counts,
        outside_area=pc.sum(outside).as_py() or 0,
        no_location=pc.sum(nowhere).as_py() or 0,
        unlocated=_by_category(pc.filter(category_index, nowhere)),
        others=others,
        read=size,
    )


def _by_category(category_index: pa.Array) -> list[tuple[str, int]]:
    tallied = pc.value_counts(category_index)
    slugs = SLUGS.to_pylist()
    return [
        (slugs[index], count)
        for index, count in zip(tallied.field("values").to_pylist(), tallied.field("counts").to_pylist(), strict=True)
    ]


def _same_as_csv_module(batch: pa.RecordBatch, index: int, line: bytes) -> None:
    """A line holding a quote must read the same way as Python's csv module reads it."""
    try:
        expected = next(csv.reader([line.decode("utf-8-sig").rstrip("\r")]))
    except (UnicodeDecodeError, csv.Error, StopIteration) as exc:
        raise FastPathUnavailable("quoted line") from exc
    if [batch.column(i)[index].as_py() for i in range(len(COLUMNS))] != expected:
        raise FastPathUnavailable("quoted line read differently")
