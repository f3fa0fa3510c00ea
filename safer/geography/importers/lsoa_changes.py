"""ONS "LSOA (2011) to LSOA (2021) to Local Authority District (2022) Exact Fit Lookup for England and Wales".

Columns (ONS): ``LSOA11CD, LSOA11NM, CHGIND, LSOA21CD, LSOA21NM, LAD22CD, LAD22NM, LAD22NMW`` — one row per pair of a
2011 and a 2021 LSOA that overlap, with the change indicator U (unchanged), S (split), M (merged) or X (irregular).
Column names are matched without regard to case (some re-publishers lower-case them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from safer.geography.importers.base import CsvFile, CsvRow

EXPECTED = "the ONS \u201cLSOA (2011) to LSOA (2021) to Local Authority District (2022) Exact Fit Lookup\u201d CSV"
CHANGES = ("U", "S", "M", "X")


@dataclass(frozen=True)
class ChangeRow:
    line: int
    code_2011: str
    code_2021: str
    name_2021: str
    change: str


@contextmanager
def open_changes(path: Path) -> Iterator[Iterator[ChangeRow]]:
    with CsvFile.open(path) as csv_file:
        columns = {}
        for wanted in ("LSOA11CD", "LSOA21CD", "CHGIND"):
            found = csv_file.find(lambda column, wanted=wanted: column.upper() == wanted)  # type: ignore[misc]
            if found is None:
                raise csv_file.missing(wanted, EXPECTED)
            columns[wanted] = found
        name = csv_file.find(lambda column: column.upper() == "LSOA21NM")
        yield _rows(csv_file, columns, name)


def _rows(csv_file: CsvFile, columns: dict[str, str], name_column: str | None) -> Iterator[ChangeRow]:
    for row in csv_file:
        yield ChangeRow(
            line=row.line,
            code_2011=row.code(columns["LSOA11CD"], "LSOA"),
            code_2021=row.code(columns["LSOA21CD"], "LSOA"),
            name_2021=row.text(name_column, required=False) if name_column else "",
            change=_change(row, columns["CHGIND"]),
        )


def _change(row: CsvRow, column: str) -> str:
    value = row.text(column).upper()
    if value not in CHANGES:
        raise row.error(
            column,
            f"{value!r} is not an ONS change indicator",
            "CHGIND is U (unchanged), S (split), M (merged) or X (irregular); use the file as ONS publishes it",
        )
    return value
